import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { SourceTable } from '../contracts/manifest.js';
import { MflowError } from '../errors.js';
import { Session, type CommonOptions } from '../run/session.js';
import { generateSynpuf, type GenerateSummary } from '../synpuf/generate.js';
import { ingestSources } from '../ingest/ingest.js';
import { downloadNppes, downloadNppesDeactivated, downloadNppesWeekly, downloadSynpuf } from '../ingest/cms-download.js';
import type { IngestReport } from '../ingest/types.js';
import { build } from '../api.js';
import { selectFor } from '../run/invoke.js';
import { DuckDBAdapter, type DuckDBConnectionWrapper } from '../adapters/duckdb/adapter.js';

export interface GenerateCliOptions {
  beneficiaries: number;
  seed: number;
  outDir: string;
  /** Where the NPPES extract goes (MediFlow: data/nppes, next to a downloaded NPPES file). */
  nppesDir?: string;
  sample?: number;
  console?: CommonOptions['console'];
}

/** `mflow generate synpuf`: a DE-SynPUF-format sample, since there is no internet here. */
export async function generate(o: GenerateCliOptions): Promise<GenerateSummary> {
  o.console?.emit({ type: 'info', msg: `Generating a SynPUF-format sample of ${o.beneficiaries} beneficiaries (seed ${o.seed}) into ${o.outDir}` });
  const s = await generateSynpuf({ beneficiaries: o.beneficiaries, seed: o.seed, outDir: o.outDir, nppesDir: o.nppesDir, sample: o.sample });
  for (const f of s.files) o.console?.emit({ type: 'info', msg: `  ${f.path.split('/').pop()}: ${f.rows} rows, ${(f.bytes / 1e6).toFixed(1)} MB` });
  o.console?.emit({ type: 'info', msg: `Generated in ${(s.elapsedMs / 1000).toFixed(1)}s` });
  return s;
}

export interface IngestCliOptions extends CommonOptions {
  download?: 'synpuf' | 'nppes' | 'nppes-weekly' | 'nppes-deactivated';
  sample?: number;
  /** First day (Monday) of the NPPES weekly bundle for `download: 'nppes-weekly'`. */
  week?: Date;
  /** Publication day of the Deactivated NPI Report for `download: 'nppes-deactivated'`. */
  reportDate?: Date;
  baseUrl?: string;
}

/** `mflow ingest`: loads the sources that declare an `external:` location into RAW, with audits. */
export async function ingest(opts: IngestCliOptions): Promise<IngestReport> {
  const s = await Session.open(opts);
  try {
    if (opts.download === 'synpuf') {
      await downloadSynpuf({ sample: opts.sample ?? 1, outDir: join(s.project.root, 'data/synpuf'), baseUrl: opts.baseUrl, onProgress: undefined } as never);
    } else if (opts.download === 'nppes') {
      await downloadNppes({ outDir: join(s.project.root, 'data/nppes'), baseUrl: opts.baseUrl } as never);
    } else if (opts.download === 'nppes-weekly') {
      if (!opts.week || Number.isNaN(opts.week.getTime())) throw new MflowError('USAGE', '--download nppes-weekly needs --week YYYY-MM-DD (the Monday the weekly file starts)');
      await downloadNppesWeekly({ outDir: join(s.project.root, 'data/nppes/weekly'), baseUrl: opts.baseUrl, weekStart: opts.week });
    } else if (opts.download === 'nppes-deactivated') {
      if (!opts.reportDate || Number.isNaN(opts.reportDate.getTime())) {
        throw new MflowError('USAGE', '--download nppes-deactivated needs --report-date YYYY-MM-DD (the day CMS published the report, as in NPPES_Deactivated_NPI_Report_<MMDDYY>.zip)');
      }
      await downloadNppesDeactivated({ outDir: join(s.project.root, 'data/nppes/deactivated'), baseUrl: opts.baseUrl, reportDate: opts.reportDate });
    }
    const selected = opts.select?.length ? new Set(selectFor(s, opts, ['source'])) : null;
    const sources = Object.values(s.manifest.sources).filter((x: SourceTable) => x.external && (!selected || selected.has(x.unique_id)));
    if (sources.length === 0) throw new MflowError('USAGE', 'No source declares an external location to ingest', { hint: 'Add `external: { location: data/x.csv }` to a source table in a properties file.' });
    return await ingestWith(s, sources, { fullRefresh: opts.fullRefresh });
  } finally {
    await s.close();
  }
}

/** Loads `sources` into RAW on the session's warehouse (the pipeline's load step uses it too). */
export async function ingestWith(s: Session, sources: SourceTable[], opts: { fullRefresh?: boolean }): Promise<IngestReport> {
  const cons = s.console;
  const adapter = await s.connect();
  // On a warehouse target, files are loaded and audited in a local DuckDB first, then shipped
  // with PUT + COPY INTO: the audits are the same on every target.
  const remote = !adapter.dialect.capabilities.localEngine;
  const local = remote ? await DuckDBAdapter.local('ingest', join(s.targetDir, 'ingest_stage.duckdb'), 2) : adapter;
  const conn = (await local.acquire()) as DuckDBConnectionWrapper;
  try {
    // Locally the RAW tables live in the DuckDB file's own catalog, whatever the warehouse database is.
    const report = await ingestSources(conn.raw, remote ? sources.map((x) => ({ ...x, database: null })) : sources, {
      projectDir: s.project.root,
      targetDir: s.targetDir,
      fullRefresh: opts.fullRefresh,
      connect: () => (local as DuckDBAdapter).connectRaw(),
      onEvent: (e) => {
        if (e.type === 'source_start') cons.emit({ type: 'info', msg: `Ingesting ${e.source} into ${e.relation} (${e.files} file${e.files === 1 ? '' : 's'})` });
        else if (e.type === 'progress') cons.emit({ type: 'info', msg: `  loading ${e.file}: ${e.percent.toFixed(0)}%${e.bytes ? ` of ${(e.bytes / 1e6).toFixed(0)} MB, ${((e.bytes * e.percent) / 100 / 1e6 / Math.max(e.elapsed_s, 0.001)).toFixed(1)} MB/s` : ''} after ${e.elapsed_s.toFixed(0)}s` });
        else if (e.type === 'warn') cons.emit({ type: 'warn', msg: `${e.source}${e.file ? ` ${e.file}` : ''}: ${e.message}` });
        else if (e.type === 'file_done') {
          const r = e.result;
          const what = r.status === 'skipped' ? 'already loaded (same content hash), skipped' : r.status === 'absent' ? (r.message ?? 'absent') : `${r.rows_loaded} rows loaded, ${r.rows_rejected} rejected${r.replaced ? ` (the file changed: replaced ${r.replaced.rows} rows of its earlier version)` : ''}`;
          cons.emit({ type: r.status === 'error' ? 'error' : 'info', msg: `  ${r.status.toUpperCase()} ${r.file}: ${r.status === 'error' ? r.message : what} in ${r.elapsed_s.toFixed(2)}s` });
        }
      },
    });
    cons.emit({ type: 'info', msg: `Ingestion ${report.success ? 'finished' : 'FAILED'} in ${report.elapsed_s.toFixed(1)}s; audit in ${report.artifact}` });
    if (remote && report.success) {
      const tables = sources.map((x) => ({ schema: x.schema, identifier: x.identifier || x.name }));
      if (!adapter.shipRaw) throw new MflowError('CONFIG', `RAW cannot be copied to a ${adapter.type} target`, { hint: 'Ingest into the DuckDB target instead.' });
      const shipped = await adapter.shipRaw(conn, tables, { database: (s.target.database as string | null) ?? null });
      for (const t of shipped) cons.emit({ type: 'info', msg: `  shipped ${t.table} to ${adapter.type}: ${t.rows} rows (PUT + COPY INTO)` });
    }
    return report;
  } finally {
    local.release(conn);
    if (remote) await local.close();
  }
}

export { runPipeline, type PipelineOptions, type PipelineResult } from './runner.js';
