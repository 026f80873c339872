import { mkdtempSync, rmSync } from 'node:fs';
import { ddl, runEach } from '../../contracts/statements.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Adapter, Connection, LocalTable, RawTable } from '../../contracts/adapter.js';
import { MflowError } from '../../errors.js';
import type { SnowflakeDialect } from './dialect.js';
import { qi, ql } from '../../ingest/sql.js';


const SNOWFLAKE_TYPE: [RegExp, string][] = [
  [/^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UBIGINT|UINTEGER)$/, 'number(38,0)'],
  [/^(DOUBLE|FLOAT|REAL)$/, 'float'],
  [/^DECIMAL/, 'number(38,6)'],
  [/^DATE$/, 'date'],
  [/^TIMESTAMP WITH TIME ZONE$/, 'timestamp_tz'],
  [/^TIMESTAMP/, 'timestamp_ntz'],
  [/^BOOLEAN$/, 'boolean'],
];

/**
 * RAW on Snowflake: the files are ingested and audited by the same code as on DuckDB (a local
 * DuckDB, so the column checks, rejects and row-count reconciliation are identical), and each
 * audited RAW table is shipped with `PUT` to a stage and one `COPY INTO` per table, replaced in
 * full. `COPY` aborts on the first bad value, so a table is never half-loaded.
 */
export async function shipRawToSnowflake(local: LocalTable, adapter: Adapter & { dialect: SnowflakeDialect }, tables: RawTable[], opts: { database: string | null; stage?: string }): Promise<{ table: string; rows: number }[]> {
  const d = adapter.dialect;
  const dir = mkdtempSync(join(tmpdir(), 'mflow-raw-'));
  const conn: Connection = await adapter.acquire();
  const out: { table: string; rows: number }[] = [];
  try {
    const schemas = [...new Set(tables.map((t) => t.schema))];
    for (const s of schemas) await runEach(conn, d.createSchema(opts.database, s));
    const stage = opts.stage ?? `${d.relation({ database: opts.database, schema: schemas[0] ?? 'PUBLIC', identifier: 'MFLOW_RAW_STAGE' })}`;
    await runEach(conn, d.createStage(stage));
    for (const t of tables) {
      const cols = (await local.execute(`select column_name, data_type from information_schema.columns where table_schema = '${t.schema.replace(/'/g, "''")}' and table_name = '${t.identifier.replace(/'/g, "''")}' order by ordinal_position`)).rows;
      if (!cols.length) throw new MflowError('INGEST', `RAW table ${t.schema}.${t.identifier} was not found in the local ingest database`, { hint: 'Run the ingest first.' });
      const file = join(dir, `${t.schema}__${t.identifier}.csv.gz`);
      await local.execute(`copy ${qi(t.schema)}.${qi(t.identifier)} to ${ql(file)} (header, compression gzip)`);
      const target = d.relation({ database: opts.database, schema: t.schema, identifier: t.identifier });
      const defs = cols.map((c) => `${d.quote(String(c.column_name).toUpperCase())} ${SNOWFLAKE_TYPE.find(([re]) => re.test(String(c.data_type)))?.[1] ?? 'varchar'}`);
      await conn.run(ddl(`create or replace table ${target} (${defs.join(', ')})`));
      const sub = `${stage}/${t.schema}/${t.identifier}`;
      await runEach(conn, d.put(file, sub));
      const r = await runEach(conn, d.copyInto(target, sub, { skipHeader: 1, force: true }));
      out.push({ table: target, rows: r.rows.reduce((n, row) => n + Number(row.rows_loaded ?? row.ROWS_LOADED ?? 0), 0) });
    }
  } finally {
    adapter.release(conn);
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}
