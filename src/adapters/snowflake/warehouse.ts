import type { Adapter, TargetConfig } from '../../contracts/adapter.js';
import { MflowError } from '../../errors.js';
import type { Warehouse } from '../warehouse.js';
import { TARGET_KEYS } from './config.js';
import { SnowflakeDialect } from './dialect.js';
import { SNOWFLAKE_MACROS } from './macros.js';

export const snowflakeWarehouse: Warehouse = {
  type: 'snowflake',
  targetKeys: TARGET_KEYS,
  defaultThreads: 4,
  macros: SNOWFLAKE_MACROS,
  // dbt-snowflake quotes nothing by default: unquoted names fold to upper case, as Snowflake stores them.
  dialect: async (target, quoting) => new SnowflakeDialect({ ...quoting, ...((target.quoting as object) ?? {}) }),
  lineageNamespace: (t) => `snowflake://${String(t.account ?? '').toLowerCase()}`,
  async connect(target, opts) {
    // Loaded on use: a DuckDB user never loads snowflake-sdk (122 MB, and an AWS warning on Node 20).
    const mod = (await import('./adapter.js').catch((e: unknown) => {
      throw new MflowError('CONFIG', `The Snowflake adapter could not be loaded: ${(e as Error).message}`, { hint: 'Install the optional dependency: npm install snowflake-sdk' });
    })) as { createSnowflakeAdapter(t: TargetConfig, o: typeof opts): Promise<Adapter> };
    return mod.createSnowflakeAdapter(target, opts);
  },
};
