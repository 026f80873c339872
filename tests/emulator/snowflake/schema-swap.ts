/**
 * `ALTER SCHEMA a SWAP WITH b` as Snowflake runs it: one metadata operation that exchanges the two
 * schemas' names, so every object (and its grants) of `a` is now in `b` and the reverse. A reader
 * sees all of one schema's old contents or all of its new ones, never a mix; a missing schema is
 * `002003` and changes nothing. DuckDB cannot rename a schema or move a table between schemas, so
 * the emulator copies each object's definition and rows through a scratch schema, all in one
 * DuckDB transaction: other sessions keep their snapshot until it commits.
 */
import { SnowflakeError } from './errors.js';
import { quoteIdent } from './sql-tokens.js';

type Run = (sql: string, values?: unknown[]) => Promise<{ getRowObjects(): Record<string, unknown>[] }>;
type Grant = { privilege: string; grantee: string };

export const schemaNotExist = (name: string) => new SnowflakeError('002003', '02000', `SQL compilation error:\nSchema '${name}' does not exist or not authorized.`);

const IDENT = String.raw`(?:"(?:[^"]|"")*"|[^\s."(]+)`;
const HEAD = new RegExp(String.raw`^CREATE (TABLE|VIEW) (?:${IDENT}\.){0,2}${IDENT}`, 'i');

interface Obj {
  name: string;
  kind: 'TABLE' | 'VIEW';
  sql: string;
}

async function objects(run: Run, db: string, schema: string): Promise<Obj[]> {
  const rows = (
    await run(
      `SELECT table_name AS name, 'TABLE' AS kind, sql FROM duckdb_tables() WHERE database_name = ? AND schema_name = ? AND NOT temporary
       UNION ALL SELECT view_name, 'VIEW', sql FROM duckdb_views() WHERE database_name = ? AND schema_name = ? AND NOT internal AND NOT temporary`,
      [db, schema, db, schema],
    )
  ).getRowObjects();
  return rows.map((r) => ({ name: String(r.name), kind: r.kind as Obj['kind'], sql: String(r.sql) }));
}

/** Copies every object of `from` into `to` (tables with their constraints and rows, then views), then drops them from `from`. */
async function move(run: Run, db: string, from: string, to: string): Promise<void> {
  const objs = await objects(run, db, from);
  const name = (schema: string, o: Obj) => `${quoteIdent(db)}.${quoteIdent(schema)}.${quoteIdent(o.name)}`;
  for (const o of objs.filter((x) => x.kind === 'TABLE')) {
    await run(o.sql.replace(HEAD, `CREATE TABLE ${name(to, o)}`));
    await run(`INSERT INTO ${name(to, o)} SELECT * FROM ${name(from, o)}`);
  }
  for (const o of objs.filter((x) => x.kind === 'VIEW')) await run(o.sql.replace(HEAD, `CREATE VIEW ${name(to, o)}`));
  for (const o of objs.filter((x) => x.kind === 'VIEW')) await run(`DROP VIEW ${name(from, o)}`);
  for (const o of objs.filter((x) => x.kind === 'TABLE')) await run(`DROP TABLE ${name(from, o)} CASCADE`);
}

/** Exchanges schemas `a` and `b` of database `db`; `inTxn`: the session already holds a DuckDB transaction. */
export async function swapSchemas(run: Run, grants: Map<string, Grant[]>, db: string, a: string, b: string, inTxn: boolean): Promise<void> {
  for (const s of [a, b]) {
    const n = (await run(`SELECT COUNT(*)::INTEGER AS n FROM duckdb_schemas() WHERE database_name = ? AND schema_name = ?`, [db, s])).getRowObjects()[0].n;
    if (!n) throw schemaNotExist(`${db}.${s}`);
  }
  if (a === b) return;
  const tmp = `${a}__EMU_SCHEMA_SWAP`;
  if (!inTxn) await run('BEGIN TRANSACTION');
  try {
    await run(`CREATE SCHEMA ${quoteIdent(db)}.${quoteIdent(tmp)}`);
    await move(run, db, a, tmp);
    await move(run, db, b, a);
    await move(run, db, tmp, b);
    await run(`DROP SCHEMA ${quoteIdent(db)}.${quoteIdent(tmp)}`);
    if (!inTxn) await run('COMMIT');
  } catch (e) {
    if (!inTxn) await run('ROLLBACK').catch(() => undefined);
    throw e;
  }
  // Grants belong to the objects (and to the schema itself): they follow the names.
  const renamed = new Map<string, Grant[]>();
  for (const [k, g] of grants) {
    for (const [x, y] of [[a, b], [b, a]]) {
      const p = `${db}.${x}`;
      if (k === p || k.startsWith(`${p}.`)) {
        renamed.set(`${db}.${y}${k.slice(p.length)}`, g);
        grants.delete(k);
        break;
      }
    }
  }
  for (const [k, g] of renamed) grants.set(k, g);
}
