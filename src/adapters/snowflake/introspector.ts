import type { Column, Introspector, Relation } from '../../contracts/adapter.js';
import { runEach } from '../../contracts/statements.js';
import type { SnowflakeConnection } from './connection.js';
import { SnowflakeQueryError } from './connection.js';
import type { SnowflakeDialect } from './dialect.js';

const PAGE = 10_000;

type Borrow = <T>(f: (c: SnowflakeConnection) => Promise<T>) => Promise<T>;

const KINDS: Record<string, Relation['type']> = { TABLE: 'table', VIEW: 'view', 'MATERIALIZED VIEW': 'view', 'EXTERNAL TABLE': 'external' };

/** Metadata through SHOW/DESCRIBE: one round trip each, no warehouse needed, names as stored (upper case). */
export class SnowflakeIntrospector implements Introspector {
  constructor(
    private readonly dialect: SnowflakeDialect,
    private readonly borrow: Borrow,
  ) {}

  /**
   * SHOW OBJECTS answers at most 10,000 rows: a full page is followed by `limit 10000 from '<last
   * name>'` until a page comes back short (as dbt-snowflake pages). One round trip per 10,000.
   */
  async listRelations(database: string | null, schema: string): Promise<Relation[]> {
    const out: Relation[] = [];
    let after: string | undefined;
    for (;;) {
      let rows: Record<string, unknown>[];
      try {
        const list = this.dialect.listRelations(database, schema, after === undefined ? undefined : { limit: PAGE, after });
        rows = (await this.borrow((c) => runEach(c, list))).rows;
      } catch (e) {
        // 002043: the schema does not exist yet, so it holds no relations.
        if (e instanceof SnowflakeQueryError && e.snowflakeCode === '002043') return [];
        throw e;
      }
      for (const row of rows) {
        out.push({
          database: String(row.database_name),
          schema: String(row.schema_name),
          identifier: String(row.name),
          type: KINDS[String(row.kind).toUpperCase()] ?? 'table',
        });
      }
      if (rows.length < PAGE) return out;
      after = String(rows[rows.length - 1].name);
    }
  }

  async getColumns(rel: Relation): Promise<Column[]> {
    const r = await this.borrow((c) => runEach(c, this.dialect.describe(this.dialect.relation(rel))));
    return r.rows.filter((row) => row.kind === undefined || row.kind === 'COLUMN').map((row) => ({ name: String(row.name), dataType: String(row.type) }));
  }

  async listSchemas(database: string | null): Promise<string[]> {
    const r = await this.borrow((c) => runEach(c, this.dialect.listSchemas(database)));
    return r.rows.map((row) => String(row.name));
  }
}
