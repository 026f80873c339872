import type { Connection, QueryResult, Statement, StatementKind } from './adapter.js';

/** The first line of a statement, as the purpose of one nobody described. */
const firstLine = (sql: string) => sql.trim().split('\n')[0].slice(0, 120);

export function statement(kind: StatementKind, sql: string, purpose = firstLine(sql), binds?: unknown[]): Statement {
  return binds ? { kind, sql, binds, purpose } : { kind, sql, purpose };
}

export const ddl = (sql: string, purpose?: string): Statement => statement('ddl', sql, purpose);
export const dml = (sql: string, purpose?: string, binds?: unknown[]): Statement => statement('dml', sql, purpose, binds);
export const query = (sql: string, purpose?: string): Statement => statement('query', sql, purpose);

/**
 * The kind of SQL text mflow did not plan (hooks, `run_query`, a contract's statements), from its
 * first keyword after comments. Planned statements carry their kind; only free text is read.
 */
export function kindOf(sql: string): StatementKind {
  const head = sql.replace(/^(\s+|--[^\n]*\n?|\/\*[\s\S]*?\*\/)*/, '').slice(0, 20).toLowerCase();
  const word = /^[a-z]+/.exec(head)?.[0] ?? '';
  if (word === 'begin' || (word === 'start' && /^start\s+transaction/.test(head))) return 'begin';
  if (word === 'commit') return 'commit';
  if (word === 'rollback') return 'rollback';
  if (['select', 'with', 'show', 'describe', 'desc', 'explain', 'values', 'table', 'from', 'pragma', 'summarize', 'list', 'ls', 'get'].includes(word)) return 'query';
  if (['insert', 'update', 'delete', 'merge', 'copy', 'put', 'remove', 'rm', 'truncate'].includes(word)) return 'dml';
  return 'ddl';
}

/** Free text as a statement: its kind read from its first keyword. */
export const sqlText = (sql: string, purpose?: string): Statement => statement(kindOf(sql), sql, purpose);

/** The same statements with the caller's description (for logs and `--dry-run`). */
export function described(purpose: string, list: Statement[]): Statement[] {
  return list.map((s) => ({ ...s, purpose }));
}

/** Runs each statement in order on one connection and returns the last result. */
export async function runEach(conn: Connection, list: Statement[]): Promise<QueryResult> {
  let last: QueryResult = { columns: [], rows: [] };
  for (const s of list) last = await conn.run(s);
  return last;
}
