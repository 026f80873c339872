import type { Adapter, TargetConfig } from '../contracts/adapter.js';
import { MflowError } from '../errors.js';

/**
 * Drivers load lazily: a DuckDB user never loads snowflake-sdk (122 MB, and an AWS warning on
 * Node 20), and a new warehouse is one more case here plus its folder.
 */
export async function createAdapter(target: TargetConfig): Promise<Adapter> {
  switch (target.type) {
    case 'duckdb': {
      const { DuckDBAdapter } = await import('./duckdb/adapter.js');
      return DuckDBAdapter.create(target);
    }
    case 'snowflake': {
      // The specifier is a variable so the DuckDB-only build does not need the Snowflake folder's types.
      const spec = './snowflake/index.js';
      const mod = (await import(spec).catch((e: unknown) => {
        throw new MflowError('CONFIG', `The Snowflake adapter could not be loaded: ${(e as Error).message}`, {
          hint: 'Install the optional dependency: npm install snowflake-sdk',
        });
      })) as { createSnowflakeAdapter(t: TargetConfig): Promise<Adapter> };
      return mod.createSnowflakeAdapter(target);
    }
    default:
      throw new MflowError('CONFIG', `No adapter for target type '${target.type}'`, { hint: 'Supported: duckdb, snowflake.' });
  }
}
