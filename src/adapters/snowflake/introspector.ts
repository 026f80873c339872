import type { Column, Introspector, Relation } from '../../contracts/adapter.js';
import type { SnowflakeConnection } from './connection.js';
import { SnowflakeQueryError } from './connection.js';
import type { SnowflakeDialect } from './dialect.js';

type Borrow = <T>(f: (c: SnowflakeConnection) => Promise<T>) => Promise<T>;

const KINDS: Record<string, Relation['type']> = { TABLE: 'table', VIEW: 'view', 'MATERIALIZED VIEW': 'view', 'EXTERNAL TABLE': 'external' };

/** Metadata through SHOW/DESCRIBE: one round trip each, no warehouse needed, names as stored (upper case). */
export class SnowflakeIntrospector implements Introspector {
  constructor(
    private readonly dialect: SnowflakeDialect,
    private readonly borrow: Borrow,
  ) {}

  async listRelations(database: string | null, schema: string): Promise<Relation[]> {
    try {
      const r = await this.borrow((c) => c.execute(this.dialect.listRelations(database, schema)));
      return r.rows.map((row) => ({
        database: String(row.database_name),
        schema: String(row.schema_name),
        identifier: String(row.name),
        type: KINDS[String(row.kind).toUpperCase()] ?? 'table',
      }));
    } catch (e) {
      // 002043: the schema does not exist yet, so it holds no relations.
      if (e instanceof SnowflakeQueryError && e.snowflakeCode === '002043') return [];
      throw e;
    }
  }

  async getColumns(rel: Relation): Promise<Column[]> {
    const r = await this.borrow((c) => c.execute(this.dialect.describe(this.dialect.relation(rel))));
    return r.rows.filter((row) => row.kind === undefined || row.kind === 'COLUMN').map((row) => ({ name: String(row.name), dataType: String(row.type) }));
  }

  async listSchemas(database: string | null): Promise<string[]> {
    const r = await this.borrow((c) => c.execute(this.dialect.listSchemas(database)));
    return r.rows.map((row) => String(row.name));
  }
}
