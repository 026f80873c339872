import type { DuckDBConnection } from '@duckdb/node-api';
import { MflowError } from '../errors.js';
import type { FileScan } from './scan.js';
import { qi, ql, tsLiteral } from './sql.js';
import { auditRelation, relationOf, type RawTarget } from './tables.js';
import type { ExternalSpec } from './types.js';

export interface FileLoad {
  target: RawTarget;
  sourceId: string;
  columns: string[];
  spec: ExternalSpec;
  /** Path DuckDB reads (an extracted temp file for ZIPs). */
  readPath: string;
  /** Path recorded in lineage and audits (relative to the project). */
  displayPath: string;
  scan: FileScan;
  loadId: string;
  loadedAt: Date;
  /** Lines of the original file above the loaded text (an Excel sheet's skipped title rows): added
   * to row numbers so `_row_number` is the sheet's row. */
  lineOffset?: number;
  /** Called every few seconds with DuckDB's progress of the load (percent of the file read). */
  onProgress?: (percent: number) => void;
}

/** How often a running load reports its progress (MFLOW_PROGRESS_SECONDS, default 5). */
const progressMs = () => Number(process.env.MFLOW_PROGRESS_SECONDS ?? 5) * 1000;

/** Runs `fn` while polling the connection's query progress; DuckDB answers -1 before it knows. */
async function withProgress<T>(conn: DuckDBConnection, report: ((percent: number) => void) | undefined, fn: () => Promise<T>): Promise<T> {
  const every = progressMs();
  if (!report || !(every > 0)) return fn();
  // DuckDB tracks a query's progress only with its progress bar on; printing it stays off.
  await conn.run('SET enable_progress_bar = true');
  await conn.run('SET enable_progress_bar_print = false');
  await conn.run('SET progress_bar_time = 0');
  const timer = setInterval(() => {
    const p = conn.progress.percentage;
    if (p >= 0) report(Math.min(100, p));
  }, every);
  try {
    return await fn();
  } finally {
    clearInterval(timer);
  }
}

export interface LoadCounts {
  rowsInFile: number;
  loaded: number;
  rejected: number;
}

const REJ = '_mflow_rejects_scan_errors';
const REJ_SCAN = '_mflow_rejects_scan';

/** DuckDB's strict reader stopped on a malformed row: the load is retried keeping rejects. */
export function isCsvParseError(e: unknown): boolean {
  return /CSV Error/i.test(String((e as Error)?.message ?? e));
}

/**
 * Inserts one CSV file into its RAW table with DuckDB's own parallel reader, keeps malformed rows
 * in the rejects table and reconciles the counts. Clean files (the common case) take
 * the fast path without `store_rejects`; a parse error there makes the caller roll back and call
 * again with keepRejects. Must run inside the caller's transaction: any
 * throw leaves the table as it was once the caller rolls back.
 */
export async function loadCsv(conn: DuckDBConnection, f: FileLoad, keepRejects: boolean): Promise<LoadCounts> {
  const headerLines = f.spec.header ? 1 : 0;
  const offset = f.lineOffset ?? 0;
  const colSpec = '{' + f.columns.map((c) => `${ql(c)}: 'VARCHAR'`).join(', ') + '}';
  const select = f.columns.map(qi).join(', ');
  if (keepRejects) {
    await conn.run(`DROP TABLE IF EXISTS temp.${REJ}`);
    await conn.run(`DROP TABLE IF EXISTS temp.${REJ_SCAN}`);
  }
  const rejectOpts = keepRejects ? `, store_rejects = true, rejects_table = '${REJ}', rejects_scan = '${REJ_SCAN}'` : '';
  const reader = `read_csv(${ql(f.readPath)}, columns = ${colSpec}, header = ${f.spec.header}, auto_detect = false,
      delim = ${ql(f.spec.delimiter)}, quote = ${ql(f.spec.quote)}, escape = ${ql(f.spec.escape)},
      strict_mode = true${rejectOpts})`;
  // row_number() over () is a streaming window in DuckDB and keeps file order (insertion order is
  // preserved), so it is the line number as long as no line was skipped; skipped lines are fixed below.
  const ins = await withProgress(conn, f.onProgress, () =>
    conn.run(`INSERT INTO ${relationOf(f.target)} SELECT ${select}, ${ql(f.displayPath)}, row_number() OVER () + ${headerLines + offset}, ${ql(f.loadId)}, ${tsLiteral(f.loadedAt)} FROM ${reader}`),
  );
  const loaded = Number(ins.rowsChanged);
  const rejectedLines = keepRejects ? (await conn.runAndReadAll(`SELECT DISTINCT line FROM temp.${REJ} ORDER BY line`)).getRows().map((r) => Number(r[0])) : [];
  const rejected = rejectedLines.length;
  if (rejected > 0) {
    await conn.run(`INSERT INTO ${auditRelation(f.target, '_mflow_rejects')}
      SELECT ${ql(f.loadId)}, ${ql(f.sourceId)}, ${ql(f.displayPath)}, line + ${offset}, string_agg(DISTINCT column_name, ', '),
             string_agg(DISTINCT error_type, ', '), string_agg(DISTINCT error_type || ': ' || error_message, '; '),
             regexp_replace(first(csv_line), '^[\\r\\n]+', '')
      FROM temp.${REJ} GROUP BY line ORDER BY 4`);
  }
  const blanks = f.scan.blankLines.filter((l) => l > headerLines);
  const rowsInFile = Math.max(0, f.scan.records - headerLines - blanks.length);
  if (rowsInFile !== loaded + rejected) {
    throw new MflowError(
      'INGEST',
      `row-count audit failed for ${f.displayPath}: the file has ${rowsInFile} data rows but ${loaded} were loaded and ${rejected} rejected; nothing from this file was kept`,
      { file: f.displayPath, node: f.sourceId, hint: 'the file may use quoted line breaks or another delimiter; check external.delimiter/quote for this source' },
    );
  }
  const gaps = [...new Set([...rejectedLines, ...blanks])].sort((a, b) => a - b);
  if (gaps.length > 0) await fixRowNumbers(conn, f, gaps, headerLines, offset);
  if (keepRejects) {
    await conn.run(`DROP TABLE IF EXISTS temp.${REJ}`);
    await conn.run(`DROP TABLE IF EXISTS temp.${REJ_SCAN}`);
  }
  return { rowsInFile, loaded, rejected };
}

/**
 * Good row k (1-based) was numbered k + header; every skipped line g_j before it pushes it one
 * further. Gap j lies after exactly g_j - header - j good rows, so row k shifts by the number of
 * gaps with that count below k.
 */
async function fixRowNumbers(conn: DuckDBConnection, f: FileLoad, gaps: number[], headerLines: number, offset: number): Promise<void> {
  const values = gaps.map((g, i) => `(${i + 1}, ${g - headerLines - (i + 1)})`).join(', ');
  await conn.run(`CREATE OR REPLACE TEMP TABLE _mflow_gaps AS SELECT * FROM (VALUES ${values}) v(j, t)`);
  await conn.run(`UPDATE ${relationOf(f.target)} AS r
    SET _row_number = r._row_number + coalesce((SELECT max(j) FROM temp._mflow_gaps g WHERE g.t < r._row_number - ${headerLines + offset}), 0)
    WHERE r._load_id = ${ql(f.loadId)}`);
  await conn.run(`DROP TABLE temp._mflow_gaps`);
}

export async function parquetColumns(conn: DuckDBConnection, path: string): Promise<string[]> {
  const r = await conn.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${ql(path)})`);
  return r.getRows().map((row) => String(row[0]));
}

/** Parquet carries its own row count and row numbers, so there is nothing to reject. */
export async function loadParquet(conn: DuckDBConnection, f: FileLoad, fileColumns: string[]): Promise<LoadCounts> {
  const byLower = new Map(fileColumns.map((c) => [c.toLowerCase(), c]));
  const select = f.columns.map((c) => `CAST(${qi(byLower.get(c.toLowerCase()) ?? c)} AS VARCHAR)`).join(', ');
  const ins = await conn.run(
    `INSERT INTO ${relationOf(f.target)} SELECT ${select}, ${ql(f.displayPath)}, file_row_number + 1, ${ql(f.loadId)}, ${tsLiteral(f.loadedAt)} FROM read_parquet(${ql(f.readPath)}, file_row_number = true)`,
  );
  const meta = await conn.runAndReadAll(`SELECT coalesce(sum(num_rows), 0) FROM parquet_file_metadata(${ql(f.readPath)})`);
  const rowsInFile = Number(meta.getRows()[0][0]);
  const loaded = Number(ins.rowsChanged);
  if (rowsInFile !== loaded) {
    throw new MflowError('INGEST', `row-count audit failed for ${f.displayPath}: the Parquet metadata says ${rowsInFile} rows but ${loaded} were loaded`, {
      file: f.displayPath,
      node: f.sourceId,
    });
  }
  return { rowsInFile, loaded, rejected: 0 };
}
