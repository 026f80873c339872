import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MflowError } from '../errors.js';

/**
 * Unit-test fixtures: `given` inputs and `expect` rows, written as a list of dicts, CSV text, SQL,
 * or a file under `<test-path>/fixtures/`, turned into rows of plain values (or a query) that
 * become temp tables in the in-memory DuckDB the test runs on.
 */
export interface FixtureSpec {
  rows?: Record<string, unknown>[] | string;
  format?: string;
  fixture?: string;
  line: number;
}

export type Fixture = { kind: 'rows'; columns: string[]; rows: Record<string, unknown>[] } | { kind: 'sql'; sql: string };

export interface FixtureWhere {
  file: string;
  what: string;
  projectRoot: string;
  testPaths: string[];
}

export function loadFixture(spec: FixtureSpec, w: FixtureWhere): Fixture {
  const format = String(spec.format ?? 'dict').toLowerCase();
  let body: unknown = spec.rows;
  if (spec.fixture) {
    const ext = format === 'sql' ? 'sql' : 'csv';
    const path = w.testPaths.map((t) => join(w.projectRoot, t, 'fixtures', `${spec.fixture}.${ext}`)).find((p) => existsSync(p));
    if (!path) throw new MflowError('CONFIG', `${w.what}: fixture file '${spec.fixture}.${ext}' was not found`, { file: w.file, line: spec.line, hint: `Put it under ${w.testPaths.map((t) => `${t}/fixtures/`).join(' or ')}.` });
    body = readFileSync(path, 'utf8');
  }
  if (format === 'sql') {
    if (typeof body !== 'string' || !body.trim()) throw new MflowError('CONFIG', `${w.what}: format sql needs a select statement in 'rows' (or a fixture file)`, { file: w.file, line: spec.line });
    return { kind: 'sql', sql: body.trim().replace(/;\s*$/, '') };
  }
  if (format === 'csv') {
    if (typeof body !== 'string') throw new MflowError('CONFIG', `${w.what}: format csv needs the rows as CSV text (header first)`, { file: w.file, line: spec.line, hint: 'rows: |\n  id,name\n  1,a' });
    const table = parseCsv(body);
    if (table.length === 0) throw new MflowError('CONFIG', `${w.what}: the CSV has no header line`, { file: w.file, line: spec.line });
    const [header, ...data] = table;
    const rows = data.map((cells) => Object.fromEntries(header.map((h, i) => [h.trim(), cells[i] === undefined || cells[i] === '' ? null : cells[i]])));
    return { kind: 'rows', columns: header.map((h) => h.trim()), rows };
  }
  if (format !== 'dict') throw new MflowError('CONFIG', `${w.what}: unknown fixture format '${format}'`, { file: w.file, line: spec.line, hint: 'Use dict (the default), csv or sql.' });
  const rows = body ?? [];
  if (!Array.isArray(rows) || rows.some((r) => !r || typeof r !== 'object' || Array.isArray(r))) {
    throw new MflowError('CONFIG', `${w.what}: rows must be a list of mappings ({column: value})`, { file: w.file, line: spec.line, hint: 'rows:\n  - {id: 1, name: a}' });
  }
  const columns: string[] = [];
  for (const r of rows as Record<string, unknown>[]) for (const k of Object.keys(r)) if (!columns.includes(k)) columns.push(k);
  return { kind: 'rows', columns, rows: rows as Record<string, unknown>[] };
}

/** RFC 4180: quoted fields, doubled quotes, CRLF; blank lines are skipped. */
export function parseCsv(text: string): string[][] {
  const out: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  let wasQuoted = false;
  const endRow = () => {
    row.push(cell);
    if (!(row.length === 1 && row[0] === '' && !wasQuoted)) out.push(row);
    row = [];
    cell = '';
    wasQuoted = false;
  };
  const t = text.replace(/^\s*\n/, '');
  for (let i = 0; i < t.length; i++) {
    const ch = t[i];
    if (quoted) {
      if (ch === '"' && t[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"' && cell.trim() === '') {
      quoted = true;
      wasQuoted = true;
      cell = '';
    } else if (ch === ',') {
      row.push(wasQuoted ? cell : cell.trim());
      cell = '';
      wasQuoted = false;
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && t[i + 1] === '\n') i++;
      cell = wasQuoted ? cell : cell.trim();
      endRow();
    } else cell += ch;
  }
  if (cell !== '' || row.length) {
    cell = wasQuoted ? cell : cell.trim();
    endRow();
  }
  return out;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;
const INT = /^-?\d+$/;
const NUM = /^-?(\d+\.\d*|\.\d+|\d+)([eE][-+]?\d+)?$/;

/** A column type from the values alone, when neither the warehouse nor the YAML says it. */
export function inferType(values: unknown[]): string {
  const vs = values.filter((v) => v !== null && v !== undefined);
  if (vs.length === 0) return 'VARCHAR';
  const all = (f: (v: unknown) => boolean) => vs.every(f);
  if (all((v) => typeof v === 'boolean' || (typeof v === 'string' && /^(true|false)$/i.test(v)))) return 'BOOLEAN';
  if (all((v) => (typeof v === 'number' && Number.isInteger(v)) || typeof v === 'bigint' || (typeof v === 'string' && INT.test(v)))) return 'BIGINT';
  if (all((v) => typeof v === 'number' || (typeof v === 'string' && NUM.test(v)))) return 'DOUBLE';
  if (all((v) => v instanceof Date || (typeof v === 'string' && DATE.test(v)))) return 'DATE';
  if (all((v) => v instanceof Date || (typeof v === 'string' && (TIMESTAMP.test(v) || DATE.test(v))))) return 'TIMESTAMP';
  return 'VARCHAR';
}

/** Warehouse type names DuckDB does not know (Snowflake's) mapped to ones it does. */
export function duckType(t: string): string {
  // `describe` on Snowflake answers with precisions: TIMESTAMP_NTZ(9), TIME(9), BINARY(8388608).
  const u = t.trim().toUpperCase().replace(/^(TIMESTAMP_NTZ|TIMESTAMP_LTZ|TIMESTAMP_TZ|TIMESTAMP|DATETIME|TIME)\s*\(\s*\d+\s*\)$/, '$1');
  if (/^(TEXT|STRING|CHARACTER VARYING|NVARCHAR|NCHAR)/.test(u)) return 'VARCHAR';
  if (/^NUMBER\s*\(\s*\d+\s*,\s*0\s*\)$/.test(u) || u === 'NUMBER') return 'BIGINT';
  if (u.startsWith('NUMBER')) return u.replace('NUMBER', 'DECIMAL');
  if (u === 'TIMESTAMP_NTZ' || u === 'DATETIME') return 'TIMESTAMP';
  if (u === 'TIMESTAMP_TZ' || u === 'TIMESTAMP_LTZ') return 'TIMESTAMPTZ';
  if (u === 'VARIANT' || u === 'OBJECT') return 'JSON';
  if (u === 'ARRAY') return 'JSON[]';
  if (u === 'TIME') return 'TIME';
  if (u === 'TIMESTAMP') return 'TIMESTAMP';
  if (/^(BINARY|VARBINARY)/.test(u)) return 'BLOB';
  if (u === 'BYTEINT') return 'TINYINT';
  if (u === 'FLOAT' || u === 'FLOAT4' || u === 'FLOAT8' || u === 'REAL') return 'DOUBLE';
  return t;
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function sqlLiteral(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  if (v instanceof Date) return `'${v.toISOString()}'`;
  if (typeof v === 'object') return `'${JSON.stringify(v).replace(/'/g, "''")}'`;
  return `'${String(v).replace(/'/g, "''")}'`;
}

/** `select cast(v as T) as c, ...` per row, unioned; no rows gives an empty table of those types. */
export function rowsSelect(columns: { name: string; type: string }[], rows: Record<string, unknown>[]): string {
  if (columns.length === 0) throw new MflowError('INTERNAL', 'a fixture needs at least one column');
  const sel = (row: Record<string, unknown> | null) => `select ${columns.map((c) => `cast(${row ? sqlLiteral(lookup(row, c.name)) : 'NULL'} as ${c.type}) as ${quoteIdent(c.name)}`).join(', ')}`;
  if (rows.length === 0) return `${sel(null)} where false`;
  return rows.map(sel).join('\nunion all\n');
}

/** Column names compare case-insensitively, as unquoted identifiers do in both warehouses. */
function lookup(row: Record<string, unknown>, name: string): unknown {
  if (name in row) return row[name];
  const k = Object.keys(row).find((x) => x.toLowerCase() === name.toLowerCase());
  return k === undefined ? null : row[k];
}
