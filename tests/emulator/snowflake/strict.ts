/**
 * Snowflake's rules that DuckDB does not enforce, checked before a statement runs:
 * - only Snowflake's functions exist (a DuckDB-only `regexp_extract` is "Unknown function");
 * - a quoted identifier is case-sensitive: `"raw"` is not the schema `RAW`, while DuckDB would
 *   find it (it resolves names case-insensitively).
 */
import { readFileSync } from 'node:fs';
import { SnowflakeError } from './errors.js';
import type { Token } from './sql-tokens.js';

const data = JSON.parse(readFileSync(new URL('./snowflake-functions.json', import.meta.url), 'utf8')) as { functions: string[] };
export const SNOWFLAKE_FUNCTIONS: ReadonlySet<string> = new Set(data.functions);

/** Words followed by `(` that are syntax or type names, not function calls. */
const NOT_CALLS = new Set([
  'AS', 'IN', 'VALUES', 'OVER', 'EXISTS', 'USING', 'ON', 'AND', 'OR', 'NOT', 'INTO', 'FROM', 'JOIN', 'WHERE', 'SELECT', 'WITH', 'WHEN',
  'THEN', 'ELSE', 'CASE', 'BY', 'FILTER', 'WITHIN', 'GROUP', 'PARTITION', 'ROWS', 'RANGE', 'BETWEEN', 'IS', 'ANY', 'ALL', 'SOME', 'UNION',
  'EXCEPT', 'MINUS', 'INTERSECT', 'KEY', 'PRIMARY', 'UNIQUE', 'REFERENCES', 'CHECK', 'DEFAULT', 'LATERAL', 'QUALIFY', 'HAVING', 'LIMIT',
  'FILES', 'FILE_FORMAT', 'NULL_IF', 'SET', 'RETURNS', 'CLUSTER', 'GROUPING', 'SETS', 'CUBE', 'ROLLUP', 'PIVOT', 'UNPIVOT', 'MATCH_RECOGNIZE',
  // types with a precision or length
  'NUMBER', 'DECIMAL', 'NUMERIC', 'INT', 'INTEGER', 'BIGINT', 'SMALLINT', 'TINYINT', 'BYTEINT', 'FLOAT', 'FLOAT4', 'FLOAT8', 'DOUBLE',
  'REAL', 'VARCHAR', 'CHARACTER', 'STRING', 'TEXT', 'BINARY', 'VARBINARY', 'TIMESTAMP', 'TIMESTAMP_NTZ', 'TIMESTAMP_LTZ', 'TIMESTAMP_TZ',
  'DATETIME', 'ARRAY', 'OBJECT', 'VECTOR', 'MAP', 'NCHAR', 'NVARCHAR', 'NVARCHAR2', 'CHAR',
]);

/** Statements whose first word names an object followed by a column list: `insert into t (a, b)`. */
function isObjectName(t: Token[], i: number): boolean {
  const prev = t[i - 1];
  if (!prev) return false;
  if (prev.kind === 'punct' && prev.text === '.') return true; // db.schema.fn() or a qualified table with columns
  // `... as t (id, name)`: a derived table's column aliases; `cast(x as decimal(14, 2))` is a type.
  return prev.kind === 'word' && ['INTO', 'TABLE', 'VIEW', 'EXISTS', 'STAGE', 'FUNCTION', 'PROCEDURE', 'AS'].includes(prev.value);
}

/** `SQL compilation error: Unknown function X` (002140) for every call of a function Snowflake lacks. */
export function checkFunctions(t: Token[]): void {
  for (let i = 0; i + 1 < t.length; i++) {
    const w = t[i];
    if (w.kind !== 'word' || t[i + 1].text !== '(') continue;
    if (NOT_CALLS.has(w.value) || isObjectName(t, i) || SNOWFLAKE_FUNCTIONS.has(w.value)) continue;
    throw new SnowflakeError('002140', '42601', `SQL compilation error:\nUnknown function ${w.value}`);
  }
}

export interface Catalog {
  /** Exact names of databases, schemas, relations and columns that exist. */
  names: Set<string>;
  /** The same, upper-cased → the exact spellings, and which of them are columns. */
  folded: Map<string, { spellings: string[]; column: boolean }>;
}

/**
 * A quoted identifier must match a stored name exactly. When it matches one only ignoring case,
 * Snowflake reports the object (002003) or column (000904) as missing; DuckDB would have found it.
 * Names the statement defines itself (aliases after AS, CTE names) are not checked.
 */
export function checkQuotedNames(t: Token[], catalog: Catalog): void {
  const defined = new Set<string>();
  for (let i = 1; i < t.length; i++) if (t[i].kind === 'qident' && t[i - 1].value === 'AS') defined.add(t[i].value);
  for (let i = 0; i < t.length; i++) {
    const q = t[i];
    if (q.kind !== 'qident' || defined.has(q.value) || catalog.names.has(q.value)) continue;
    if (t[i + 1]?.value === 'AS' && t[i + 2]?.text === '(') continue; // a CTE: "name" as (...)
    const near = catalog.folded.get(q.value.toUpperCase());
    if (!near) continue; // a new name (create) or an alias: nothing to confuse it with
    if (near.column) throw new SnowflakeError('000904', '42000', `SQL compilation error: error line 1 at position 0\ninvalid identifier '"${q.value}"'`);
    throw new SnowflakeError('002003', '42S02', `SQL compilation error:\nObject '"${q.value}"' does not exist or not authorized.`);
  }
}
