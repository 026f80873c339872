import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, isAbsolute, join, relative, resolve } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { SourceTable } from '../contracts/manifest.js';
import { MflowError, isMflowError } from '../errors.js';
import { redact } from '../project/secrets.js';
import { downloadFile } from './download.js';
import { declaredColumns, readExternal } from './external.js';
import { expandGlob, globBase, isGlob } from './glob.js';
import { describeDiff, diffHeader, parseHeader } from './header.js';
import { isCsvParseError, loadCsv, loadParquet, parquetColumns } from './load-file.js';
import { scanFile, type FileScan } from './scan.js';
import { ql, tsLiteral } from './sql.js';
import { auditRelation, ensureAuditTables, ensureRawTable, relationOf, type RawTarget } from './tables.js';
import type { ExternalSpec, FileResult, IngestOptions, IngestReport, Replaced } from './types.js';
import { extractCsvFromZip } from './zip.js';
import { xlsxToCsv } from './xlsx.js';

export const INGEST_ARTIFACT = 'ingest_results.json';

interface SourceCtx {
  source: SourceTable;
  spec: ExternalSpec;
  columns: string[];
  target: RawTarget;
  relation: string;
}

/**
 * Loads each selected source's files into its RAW table. Every file is one transaction (rows,
 * rejects and its audit row together); with fullRefresh a whole source is one transaction. A file
 * whose content hash was loaded before is skipped. Failures are reported per file and never stop
 * other sources; `report.success` is false when any file failed.
 */
/**
 * Loads run with DuckDB's preserve_insertion_order off: the INSERT then skips the order-preserving
 * batch insert, which took 42 % of the load at 1,000,000 beneficiaries (load_raw 340.8 s against
 * 198.4 s, bench/mediflow-start.mjs). `_row_number` does not depend on it: row_number() OVER () is
 * DuckDB's streaming window, whose operator demands its input in order whatever the setting
 * (tests/ingest/row-order.test.ts checks the numbering with the setting off). The setting is
 * global to the database, so the user's value is put back when ingestion ends.
 */
async function unorderedInserts(conn: DuckDBConnection): Promise<() => Promise<void>> {
  const before = (await conn.runAndReadAll(`SELECT current_setting('preserve_insertion_order')`)).getRows()[0]?.[0];
  if (before === false) return async () => undefined;
  await conn.run('SET GLOBAL preserve_insertion_order = false');
  return async () => {
    await conn.run('SET GLOBAL preserve_insertion_order = true').catch(() => undefined);
  };
}

export async function ingestSources(conn: DuckDBConnection, sources: SourceTable[], opts: IngestOptions): Promise<IngestReport> {
  const t0 = Date.now();
  const results: FileResult[] = [];
  const tmp = mkdtempSync(join(tmpdir(), 'mflow-ingest-'));
  const selected = sources.filter((s) => !opts.select || opts.select(s));
  const extra: DuckDBConnection[] = [];
  const restoreOrder = await unorderedInserts(conn);
  try {
    const width = opts.connect ? Math.max(1, Math.min(opts.concurrency ?? 2, selected.length)) : 1;
    if (width === 1) {
      for (const source of selected) results.push(...(await ingestSource(conn, source, opts, tmp)));
    } else {
      // Schemas, audit tables and RAW tables first, on one connection: concurrent CREATEs conflict.
      for (const s of selected) {
        const t = { database: s.database ?? null, schema: s.schema, identifier: s.identifier || s.name };
        await ensureAuditTables(conn, t).catch(() => undefined);
        if (!opts.fullRefresh) await ensureRawTable(conn, t, declaredColumns(s), s.unique_id).catch(() => undefined);
      }
      for (let i = 1; i < width; i++) extra.push(await opts.connect!());
      // Jobs: one per local file (files of one source append to its table in their own
      // transactions), or one per source for a full refresh or a URL. Largest first.
      const jobs = selected.flatMap((s, i) => splitFiles(s, opts).map((part, j) => ({ s: part.source, key: i * 1e6 + j, bytes: part.bytes })));
      jobs.sort((a, b) => b.bytes - a.bytes || a.key - b.key);
      const byJob = new Map<number, FileResult[]>();
      let next = 0;
      const worker = async (c: DuckDBConnection) => {
        while (next < jobs.length) {
          const job = jobs[next++];
          byJob.set(job.key, await ingestSource(c, job.s, opts, tmp));
        }
      };
      await Promise.all([conn, ...extra].map(worker));
      for (const k of [...byJob.keys()].sort((a, b) => a - b)) results.push(...byJob.get(k)!);
    }
  } finally {
    for (const c of extra) c.closeSync();
    rmSync(tmp, { recursive: true, force: true });
    await restoreOrder();
  }
  const report: IngestReport = {
    generated_at: new Date().toISOString(),
    elapsed_s: (Date.now() - t0) / 1000,
    success: results.every((r) => r.status !== 'error'),
    results,
    artifact: join(opts.targetDir, INGEST_ARTIFACT),
  };
  mkdirSync(opts.targetDir, { recursive: true });
  writeFileSync(report.artifact, redact(JSON.stringify({ metadata: { generated_at: report.generated_at, elapsed_s: report.elapsed_s }, success: report.success, results }, null, 2)));
  return report;
}

/** A source as one job per local file it matches (with its size, for ordering). */
function splitFiles(source: SourceTable, opts: IngestOptions): { source: SourceTable; bytes: number }[] {
  try {
    const loc = String(source.external?.location ?? '');
    if (/^https?:/i.test(loc)) return [{ source, bytes: 0 }];
    const abs = isAbsolute(loc) ? loc : join(opts.projectDir, loc);
    const files = isGlob(abs) ? expandGlob(abs, opts.projectDir) : [abs];
    if (opts.fullRefresh || files.length < 2) return [{ source, bytes: files.reduce((a, f) => a + statSync(f).size, 0) }];
    return files.map((f) => ({ source: { ...source, external: { ...source.external, location: f } }, bytes: statSync(f).size }));
  } catch {
    return [{ source, bytes: 0 }];
  }
}

async function ingestSource(conn: DuckDBConnection, source: SourceTable, opts: IngestOptions, tmp: string): Promise<FileResult[]> {
  const started = new Date();
  let ctx: SourceCtx;
  let files: string[];
  try {
    const spec = readExternal(source);
    const target: RawTarget = { database: source.database ?? null, schema: source.schema, identifier: source.identifier || source.name };
    ctx = { source, spec, columns: declaredColumns(source), target, relation: relationOf(target) };
    files = await resolveLocation(spec, opts.projectDir, source);
    await ensureAuditTables(conn, target);
  } catch (e) {
    return [failure(source, source.external?.location ? String(source.external.location) : '(no location)', started, e, opts)];
  }
  opts.onEvent?.({ type: 'source_start', source: source.unique_id, relation: ctx.relation, files: files.length });
  if (files.length === 0) return absent(conn, ctx, started, opts);
  if (opts.fullRefresh) return fullRefresh(conn, ctx, files, opts, tmp);
  const out: FileResult[] = [];
  try {
    await ensureRawTable(conn, ctx.target, ctx.columns, source.unique_id);
  } catch (e) {
    return [failure(source, ctx.spec.location, started, e, opts)];
  }
  // The next file is hashed and counted while DuckDB loads the current one.
  let nextScan: Promise<FileScan> | undefined;
  for (let i = 0; i < files.length; i++) {
    const file = files[i];
    const scanP = nextScan ?? scanFile(file, ctx.spec.quote);
    nextScan = i + 1 < files.length ? scanFile(files[i + 1], ctx.spec.quote) : undefined;
    nextScan?.catch(() => undefined);
    const fStarted = new Date();
    opts.onEvent?.({ type: 'file_start', source: source.unique_id, file: display(file, opts.projectDir) });
    let prepared: Prepared | null = null;
    try {
      prepared = await prepare(conn, ctx, file, opts, tmp, false, scanP);
      if (prepared.result) {
        const res = prepared.result;
        if (res.status !== 'skipped') await recordAudit(conn, ctx, res);
        else {
          // Changed to content already loaded from another path: that copy stays, this path's old rows go.
          const gone = await inTransaction(conn, () => replacePrevious(conn, ctx, res.file, res.load_id, res.sha256));
          if (gone) {
            res.replaced = gone;
            res.message = `${res.message}; ${describeReplaced(gone)}`;
          }
        }
        out.push(emit(res, opts));
        continue;
      }
      let r: FileResult;
      try {
        r = await inTransaction(conn, () => loadPrepared(conn, ctx, prepared as Prepared, opts, fStarted, false));
      } catch (e) {
        if (!isCsvParseError(e)) throw e;
        r = await inTransaction(conn, () => loadPrepared(conn, ctx, prepared as Prepared, opts, fStarted, true));
      }
      out.push(emit(r, opts));
    } catch (e) {
      const r = failure(source, display(file, opts.projectDir), fStarted, e, opts, prepared?.scan?.sha256 ?? null);
      await recordAudit(conn, ctx, r).catch(() => undefined);
      out.push(r);
    } finally {
      prepared?.cleanup();
    }
  }
  return out;
}

/** Rebuilds one source from scratch inside one transaction, so a failure keeps the old table. */
async function fullRefresh(conn: DuckDBConnection, ctx: SourceCtx, files: string[], opts: IngestOptions, tmp: string): Promise<FileResult[]> {
  const out: FileResult[] = [];
  const started = new Date();
  await conn.run('BEGIN TRANSACTION');
  let current = ctx.spec.location;
  let sha: string | null = null;
  try {
    await conn.run(`DROP TABLE IF EXISTS ${ctx.relation}`);
    await conn.run(`DELETE FROM ${auditRelation(ctx.target, '_mflow_loads')} WHERE source = ${ql(ctx.source.unique_id)}`);
    await conn.run(`DELETE FROM ${auditRelation(ctx.target, '_mflow_rejects')} WHERE source = ${ql(ctx.source.unique_id)}`);
    await ensureRawTable(conn, ctx.target, ctx.columns, ctx.source.unique_id);
    for (const file of files) {
      current = display(file, opts.projectDir);
      sha = null;
      opts.onEvent?.({ type: 'file_start', source: ctx.source.unique_id, file: current });
      const fStarted = new Date();
      const prepared = await prepare(conn, ctx, file, opts, tmp, true);
      sha = prepared.scan?.sha256 ?? null;
      try {
        if (prepared.result) {
          if (prepared.result.status === 'error') throw new MflowError('INGEST', prepared.result.message ?? 'load failed', { file: current });
          await recordAudit(conn, ctx, prepared.result);
          out.push(prepared.result);
          continue;
        }
        out.push(await loadPrepared(conn, ctx, prepared, opts, fStarted, true));
      } finally {
        prepared.cleanup();
      }
    }
    await conn.run('COMMIT');
  } catch (e) {
    await conn.run('ROLLBACK');
    const r = failure(ctx.source, current, started, e, opts, sha);
    r.message = `${r.message} (full refresh of ${ctx.relation} rolled back; the table is unchanged)`;
    await recordAudit(conn, ctx, r).catch(() => undefined);
    return [r];
  }
  for (const r of out) emit(r, opts);
  return out;
}

/**
 * An optional source with no file: its RAW table exists and is empty (a full refresh empties it),
 * and the audit says `absent`, so downstream models can tell "not delivered" from "no rows".
 */
async function absent(conn: DuckDBConnection, ctx: SourceCtx, started: Date, opts: IngestOptions): Promise<FileResult[]> {
  const kept = opts.fullRefresh ? 'is empty' : 'keeps what was loaded before (if anything)';
  const msg = `optional source: no file matches external.location '${ctx.spec.location}'; ${ctx.relation} ${kept} and the source is recorded as absent`;
  const r = result(ctx, ctx.spec.location, null, 'absent', started, { rowsInFile: null, loaded: 0, rejected: 0 }, msg);
  try {
    await inTransaction(conn, async () => {
      if (opts.fullRefresh) {
        await conn.run(`DROP TABLE IF EXISTS ${ctx.relation}`);
        await conn.run(`DELETE FROM ${auditRelation(ctx.target, '_mflow_loads')} WHERE source = ${ql(ctx.source.unique_id)}`);
        await conn.run(`DELETE FROM ${auditRelation(ctx.target, '_mflow_rejects')} WHERE source = ${ql(ctx.source.unique_id)}`);
      }
      await ensureRawTable(conn, ctx.target, ctx.columns, ctx.source.unique_id);
      await recordAudit(conn, ctx, r);
    });
  } catch (e) {
    return [failure(ctx.source, ctx.spec.location, started, e, opts)];
  }
  return [emit(r, opts)];
}

interface Prepared {
  file: string;
  displayPath: string;
  readPath: string;
  scan: FileScan | null;
  parquetCols?: string[];
  /** Said in the load audit's message (e.g. older header spellings that were mapped). */
  note?: string;
  /** Set when the file needs no load: already loaded, or refused by the schema audit. */
  result?: FileResult;
  cleanup(): void;
}

async function prepare(conn: DuckDBConnection, ctx: SourceCtx, file: string, opts: IngestOptions, tmp: string, refreshing: boolean, scanP?: Promise<FileScan>): Promise<Prepared> {
  const started = new Date();
  const displayPath = display(file, opts.projectDir);
  const isZip = /\.zip$/i.test(file);
  let scan = await (scanP ?? scanFile(file, ctx.spec.quote));
  const p: Prepared = { file, displayPath, readPath: file, scan, cleanup: () => undefined };
  if (!refreshing) {
    const seen = await conn.runAndReadAll(
      `SELECT file FROM ${auditRelation(ctx.target, '_mflow_loads')} WHERE source = ${ql(ctx.source.unique_id)} AND sha256 = ${ql(scan.sha256)} AND status IN ('success') LIMIT 1`,
    );
    if (seen.getRows().length > 0) {
      const prev = String(seen.getRows()[0][0]);
      p.result = result(ctx, displayPath, scan.sha256, 'skipped', started, { rowsInFile: null, loaded: 0, rejected: 0 }, `already loaded (same content as ${prev})`);
      return p;
    }
  }
  if (ctx.spec.format === 'xlsx') {
    // The workbook (or the one inside a ZIP, as CMS ships it) becomes a CSV of its sheet.
    const dir = mkdtempSync(join(tmp, 'xlsx-'));
    p.cleanup = () => rmSync(dir, { recursive: true, force: true });
    let book = file;
    if (isZip) {
      const x = await extractCsvFromZip(file, join(dir, 'book.xlsx'), (n) => /\.xlsx$/i.test(n), '.xlsx workbook');
      book = x.path;
      p.displayPath = `${displayPath}/${x.innerName}`;
    }
    await xlsxToCsv(book, join(dir, 'sheet.csv'), { sheet: ctx.spec.sheet, skipRows: ctx.spec.skipRows }, p.displayPath);
    p.readPath = join(dir, 'sheet.csv');
    // The workbook's hash identifies the file; header and line counts come from the sheet.
    scan = { ...(await scanFile(p.readPath, ctx.spec.quote)), sha256: scan.sha256, bytes: scan.bytes };
    p.scan = scan;
  } else if (isZip) {
    const dir = mkdtempSync(join(tmp, 'zip-'));
    const x = await extractCsvFromZip(file, join(dir, 'data.csv'));
    p.readPath = x.path;
    p.displayPath = `${displayPath}/${x.innerName}`;
    p.cleanup = () => rmSync(dir, { recursive: true, force: true });
    // The ZIP's hash identifies the file; the line counts come from the CSV inside.
    scan = { ...x.scan, sha256: scan.sha256, bytes: scan.bytes };
    p.scan = scan;
  }
  let found: string[];
  if (ctx.spec.format === 'parquet') {
    found = await parquetColumns(conn, p.readPath);
    p.parquetCols = found;
  } else if (ctx.spec.header) {
    found = scan.lines === 0 ? [] : parseHeader(scan.headerLine, ctx.spec.delimiter, ctx.spec.quote);
  } else found = ctx.columns;
  // Older spellings of a header (external.column_aliases) name the declared column.
  const aliased = found.filter((c) => ctx.spec.columnAliases[c.toLowerCase()] !== undefined);
  found = found.map((c) => ctx.spec.columnAliases[c.toLowerCase()] ?? c);
  if (aliased.length) p.note = `older header spelling${aliased.length > 1 ? 's' : ''} read as declared: ${aliased.map((c) => `${c} -> ${ctx.spec.columnAliases[c.toLowerCase()]}`).join(', ')}`;
  const diff = diffHeader(ctx.columns, found);
  if (diff) {
    const status = ctx.spec.onSchemaMismatch === 'warn' ? 'warn' : 'error';
    const what = scan.lines === 0 && ctx.spec.format === 'csv' ? 'the file is empty (no header line)' : describeDiff(diff);
    const msg = `schema audit failed for ${p.displayPath}: ${what}; nothing was loaded from this file`;
    if (status === 'warn') opts.onEvent?.({ type: 'warn', source: ctx.source.unique_id, file: p.displayPath, message: msg });
    p.result = result(ctx, p.displayPath, scan.sha256, status, started, { rowsInFile: null, loaded: 0, rejected: 0 }, msg);
  }
  return p;
}

async function inTransaction<T>(conn: DuckDBConnection, fn: () => Promise<T>): Promise<T> {
  await conn.run('BEGIN TRANSACTION');
  try {
    const r = await fn();
    await conn.run('COMMIT');
    return r;
  } catch (e) {
    await conn.run('ROLLBACK');
    throw e;
  }
}

async function loadPrepared(conn: DuckDBConnection, ctx: SourceCtx, p: Prepared, opts: IngestOptions, started: Date, keepRejects: boolean): Promise<FileResult> {
  const loadId = randomUUID();
  const loadedAt = new Date();
  const onProgress = opts.onEvent && ((percent: number) => opts.onEvent!({ type: 'progress', source: ctx.source.unique_id, file: p.displayPath, percent, bytes: p.scan?.bytes ?? null, elapsed_s: (Date.now() - started.getTime()) / 1000 }));
  const f = { target: ctx.target, sourceId: ctx.source.unique_id, columns: ctx.columns, spec: ctx.spec, readPath: p.readPath, displayPath: p.displayPath, scan: p.scan as FileScan, loadId, loadedAt, onProgress,
    lineOffset: ctx.spec.format === 'xlsx' ? ctx.spec.skipRows : 0 };
  const replaced = await replacePrevious(conn, ctx, p.displayPath, loadId, f.scan.sha256);
  const counts = ctx.spec.format === 'parquet' ? await loadParquet(conn, f, p.parquetCols ?? []) : await loadCsv(conn, f, keepRejects);
  const notes = [p.note ?? '', counts.rejected ? `${counts.rejected} malformed row(s) kept in ${auditRelation(ctx.target, '_mflow_rejects')}` : '', replaced ? describeReplaced(replaced) : ''].filter(Boolean);
  const r = result(ctx, p.displayPath, f.scan.sha256, 'success', started, counts, notes.length ? notes.join('; ') : null, loadId);
  if (replaced) r.replaced = replaced;
  await recordAudit(conn, ctx, r, f.scan.bytes);
  await opts.beforeCommit?.({ source: ctx.source, file: p.displayPath });
  return r;
}

/**
 * A file whose content changed at the same path replaces what its earlier versions loaded: their
 * rows and rejects are deleted inside the caller's transaction and their audit rows marked
 * `replaced`, so RAW never holds two versions of one file (and the old content, should it come
 * back, loads again rather than being skipped as seen).
 */
async function replacePrevious(conn: DuckDBConnection, ctx: SourceCtx, file: string, loadId: string, sha: string | null): Promise<Replaced | null> {
  const loads = auditRelation(ctx.target, '_mflow_loads');
  const other = sha ? ` AND sha256 IS DISTINCT FROM ${ql(sha)}` : '';
  const prev = (await conn.runAndReadAll(`SELECT load_id, sha256 FROM ${loads} WHERE source = ${ql(ctx.source.unique_id)} AND file = ${ql(file)} AND status IN ('success', 'warn')${other} ORDER BY started_at`)).getRows();
  if (prev.length === 0) return null;
  const ids = prev.map((r) => String(r[0]));
  const inList = ids.map(ql).join(', ');
  const rows = Number((await conn.run(`DELETE FROM ${ctx.relation} WHERE _load_id IN (${inList})`)).rowsChanged);
  const rejects = Number((await conn.run(`DELETE FROM ${auditRelation(ctx.target, '_mflow_rejects')} WHERE load_id IN (${inList})`)).rowsChanged);
  await conn.run(`UPDATE ${loads} SET status = 'replaced', message = ${ql(`replaced by load ${loadId} (the file changed)`)} WHERE load_id IN (${inList})`);
  return { load_ids: ids, sha256: [...new Set(prev.map((r) => String(r[1])))], rows, rejects };
}

function describeReplaced(r: Replaced): string {
  return `the file changed since it was loaded: replaced ${r.rows} row(s) and ${r.rejects} reject(s) of the earlier version (sha256 ${r.sha256.map((h) => h.slice(0, 12)).join(', ')})`;
}

async function recordAudit(conn: DuckDBConnection, ctx: SourceCtx, r: FileResult, bytes: number | null = null): Promise<void> {
  const n = (x: number | null): string => (x === null ? 'NULL' : String(x));
  await conn.run(`INSERT INTO ${auditRelation(ctx.target, '_mflow_loads')} VALUES (${ql(r.load_id)}, ${ql(r.source)}, ${ql(r.relation)}, ${ql(r.file)},
    ${r.sha256 ? ql(r.sha256) : 'NULL'}, ${n(bytes)}, ${n(r.rows_in_file)}, ${r.rows_loaded}, ${r.rows_rejected}, ${ql(r.status)},
    ${r.message ? ql(r.message) : 'NULL'}, ${tsLiteral(new Date(r.started_at))}, ${tsLiteral(new Date(r.finished_at))})`);
}

function result(ctx: SourceCtx, file: string, sha: string | null, status: FileResult['status'], started: Date, c: { rowsInFile: number | null; loaded: number; rejected: number }, message: string | null, loadId = randomUUID()): FileResult {
  const finished = new Date();
  return {
    source: ctx.source.unique_id,
    relation: ctx.relation,
    file,
    sha256: sha,
    status,
    load_id: loadId,
    rows_in_file: c.rowsInFile,
    rows_loaded: c.loaded,
    rows_rejected: c.rejected,
    message,
    started_at: started.toISOString(),
    finished_at: finished.toISOString(),
    elapsed_s: (finished.getTime() - started.getTime()) / 1000,
  };
}

function failure(source: SourceTable, file: string, started: Date, e: unknown, opts: IngestOptions, sha: string | null = null): FileResult {
  const finished = new Date();
  const msg = isMflowError(e) ? e.format() : `${(e as Error)?.message ?? e}`;
  const r: FileResult = {
    source: source.unique_id,
    relation: source.relation_name,
    file,
    sha256: sha,
    status: 'error',
    load_id: randomUUID(),
    rows_in_file: null,
    rows_loaded: 0,
    rows_rejected: 0,
    message: msg,
    started_at: started.toISOString(),
    finished_at: finished.toISOString(),
    elapsed_s: (finished.getTime() - started.getTime()) / 1000,
  };
  return emit(r, opts);
}

function emit(r: FileResult, opts: IngestOptions): FileResult {
  opts.onEvent?.({ type: 'file_done', result: r });
  return r;
}

function display(file: string, projectDir: string): string {
  const rel = relative(projectDir, file);
  return rel.startsWith('..') || isAbsolute(rel) ? file : rel.split('\\').join('/');
}

/** Turns a location (path, glob, ZIP or URL) into the local files to load. */
async function resolveLocation(spec: ExternalSpec, projectDir: string, source: SourceTable): Promise<string[]> {
  const where = { file: source.declared_at?.file ?? source.original_file_path, line: source.declared_at?.line, node: source.unique_id };
  if (/^https?:\/\//i.test(spec.location)) {
    const name = basename(new URL(spec.location).pathname) || `${source.name}.download`;
    const dest = join(projectDir, 'data', 'downloads', name.replace(/\.csv\.zip$/i, '.zip'));
    const r = await downloadFile(spec.location, dest);
    return [r.path];
  }
  let files = expandGlob(spec.location, projectDir);
  if (files.length === 0 && spec.downloadUrl) {
    // A glob gets the file under its own name in the glob's folder; a plain path gets that path.
    const name = basename(new URL(spec.downloadUrl).pathname).replace(/\.csv\.zip$/i, '.zip');
    const dest = isGlob(spec.location) ? join(globBase(spec.location, projectDir), name) : resolve(projectDir, spec.location);
    await downloadFile(spec.downloadUrl, dest);
    files = expandGlob(spec.location, projectDir);
  }
  if (files.length === 0 && spec.optional) return [];
  if (files.length === 0) {
    throw new MflowError('INGEST', `no file matches external.location '${spec.location}' of source ${source.source_name}.${source.name}`, {
      ...where,
      hint: 'generate data with mflow generate synpuf, download it with mflow ingest --download synpuf, or fix the location (relative to the project folder)',
    });
  }
  return files.filter((f) => !f.endsWith('.part'));
}
