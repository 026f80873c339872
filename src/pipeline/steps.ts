// The executors of every node type register themselves when the API module loads.
import '../api.js';
import { resolve } from 'node:path';
import type { SourceTable } from '../contracts/manifest.js';
import type { NodeResult } from '../contracts/results.js';
import { invoke, selectFor } from '../run/invoke.js';
import type { CommonOptions, Session } from '../run/session.js';
import { auditRaw, type AuditFinding } from './audit.js';
import type { PipelineConfig, StepConfig } from './config.js';
import type { History } from './history.js';
import { publish } from './publish.js';
import { checkSources } from './sources.js';

/** What one attempt of a step came to. */
export interface StepOutcome {
  status: 'success' | 'warn' | 'failed';
  rows: number | null;
  /** The first failing node, for the alert and its docs link. */
  node: string | null;
  error: string | null;
  warnings: string[];
}

export interface StepEnv {
  session(): Promise<Session>;
  closeSession(): Promise<void>;
  opts: CommonOptions;
  cfg: PipelineConfig;
  runId: string;
  history: <T>(f: (h: History) => Promise<T>) => Promise<T>;
  /** `--select` from the command line narrows the step's own selection (Airflow per-model tasks). */
  select?: string[];
}

const OK = new Set(['success', 'pass', 'warn']);

export async function runStep(step: StepConfig, env: StepEnv): Promise<StepOutcome> {
  switch (step.command) {
    case 'check_sources':
      return checkStep(step, env);
    case 'ingest':
      return ingestStep(step, env);
    case 'audit':
      return auditStep(step, env);
    case 'publish': {
      const s = await env.session();
      const r = await publish(s, env.cfg, env.runId);
      s.console.emit({ type: 'info', msg: r.tables.length ? `Published ${r.tables.join(', ')}${r.grants.length ? ` and applied ${r.grants.length} grant${r.grants.length === 1 ? '' : 's'}` : ''}` : 'Nothing to publish' });
      return { status: 'success', rows: r.tables.length, node: null, error: null, warnings: [] };
    }
    case 'freshness':
      return freshnessStep(step, env);
    default:
      return dagStep(step, env);
  }
}

function externalSources(s: Session, step: StepConfig, env: StepEnv): SourceTable[] {
  const sel = [...step.select, ...(env.select ?? [])];
  const ids = sel.length || step.exclude?.length ? new Set(selectFor(s, { ...env.opts, select: sel.length ? sel : ['resource_type:source'], exclude: step.exclude }, ['source'])) : null;
  return Object.values(s.manifest.sources).filter((x) => x.external && (!ids || ids.has(x.unique_id)));
}

async function checkStep(step: StepConfig, env: StepEnv): Promise<StepOutcome> {
  const s = await env.session();
  const checks = await checkSources(externalSources(s, step, env), s.project.root);
  const missing = checks.filter((c) => !c.ok && !c.optional);
  const warnings = checks.filter((c) => !c.ok && c.optional).map((c) => `optional source ${c.source} is not available: ${c.problem}`);
  for (const c of checks) s.console.emit({ type: c.ok ? 'info' : c.optional ? 'warn' : 'error', msg: `  ${c.ok ? 'OK' : c.optional ? 'MISSING (optional)' : 'MISSING'} ${c.source}: ${c.ok ? `${c.files.length || 1} location${c.files.length > 1 ? 's' : ''}` : c.problem}` });
  if (missing.length) return { status: 'failed', rows: null, node: `source.${s.project.name}.${missing[0].source}`, error: `required source${missing.length > 1 ? 's' : ''} not available: ${missing.map((m) => `${m.source} (${m.problem})`).join('; ')}`, warnings };
  return { status: warnings.length ? 'warn' : 'success', rows: checks.reduce((a, c) => a + c.files.length, 0), node: null, error: null, warnings };
}

async function ingestStep(step: StepConfig, env: StepEnv): Promise<StepOutcome> {
  const s = await env.session();
  // Optional sources without a file go to ingestion too: it creates their RAW table empty and
  // records them as absent, so every model downstream still builds (the check step warned).
  const sources = externalSources(s, step, env);
  const { ingestWith } = await import('./api.js');
  const report = await ingestWith(s, sources, { fullRefresh: step.fullRefresh || Boolean(env.opts.fullRefresh) });
  const failed = report.results.filter((r) => r.status === 'error');
  const warns = report.results.filter((r) => r.status === 'warn').map((r) => `${r.file}: ${r.message}`);
  const rows = report.results.reduce((a, r) => a + r.rows_loaded, 0);
  if (failed.length) return { status: 'failed', rows, node: failed[0].source, error: failed.map((f) => `${f.file}: ${f.message}`).join('; '), warnings: warns };
  return { status: warns.length ? 'warn' : 'success', rows, node: null, error: null, warnings: warns };
}

async function auditStep(step: StepConfig, env: StepEnv): Promise<StepOutcome> {
  const s = await env.session();
  const sources = externalSources(s, step, env);
  const baseline = await env.history((h) => h.lastSuccessfulAudit(env.runId));
  const adapter = await s.connect();
  const r = await auditRaw(adapter, sources, s.project.root, env.runId, baseline, env.cfg.audit);
  await env.history(async (h) => {
    await h.clearAudit(env.runId);
    await h.recordAudit(r.rows);
  });
  for (const x of r.rows) s.console.emit({ type: 'info', msg: `  ${x.source}: ${x.row_count} rows${baseline.get(x.source) ? ` (last successful load: ${baseline.get(x.source)!.row_count})` : ' (no earlier successful load to compare with)'}` });
  const fails = r.findings.filter((f: AuditFinding) => f.level === 'fail');
  const warns = r.findings.filter((f) => f.level === 'warn').map((f) => f.message);
  for (const f of r.findings) s.console.emit({ type: f.level === 'fail' ? 'error' : 'warn', msg: `  AUDIT ${f.level.toUpperCase()} ${f.message}` });
  const rows = r.rows.reduce((a, x) => a + Number(x.row_count), 0);
  if (fails.length) return { status: 'failed', rows, node: `source.${s.project.name}.${fails[0].source}`, error: fails.map((f) => f.message).join('; '), warnings: warns };
  return { status: warns.length ? 'warn' : 'success', rows, node: null, error: null, warnings: warns };
}

async function freshnessStep(step: StepConfig, env: StepEnv): Promise<StepOutcome> {
  // Source freshness opens its own session: close ours so one process holds the DuckDB file once.
  await env.closeSession();
  const cons = env.opts.console;
  const { sourceFreshness } = await import('../freshness/api.js');
  const r = await sourceFreshness({ ...env.opts, console: cons, select: [...step.select, ...(env.select ?? [])].length ? [...step.select, ...(env.select ?? [])] : undefined, exclude: step.exclude });
  const bad = r.results.filter((x) => x.status === 'error' || x.status === 'runtime error');
  const warns = r.results.filter((x) => x.status === 'warn').map((x) => `${x.unique_id} is stale (warn_after)`);
  if (bad.length) return { status: 'failed', rows: r.results.length, node: bad[0].unique_id, error: `source freshness: ${bad.map((b) => b.unique_id).join(', ')} past error_after`, warnings: warns };
  return { status: warns.length ? 'warn' : 'success', rows: r.results.length, node: null, error: null, warnings: warns };
}

async function dagStep(step: StepConfig, env: StepEnv): Promise<StepOutcome> {
  const s = await env.session();
  const types = step.command === 'seed' ? (['seed'] as const) : step.command === 'run' ? (['model'] as const) : step.command === 'test' ? (['test', 'unit_test'] as const) : (['seed', 'model', 'snapshot', 'test', 'unit_test'] as const);
  const select = [...step.select, ...(env.select ?? [])];
  // A task narrowed to one model (Airflow) keeps the step's folder: both must match.
  const sel = step.select.length && env.select?.length ? env.select : select;
  const o = { ...env.opts, select: sel.length ? sel : undefined, exclude: step.exclude.length ? step.exclude : undefined, fullRefresh: step.fullRefresh || env.opts.fullRefresh };
  const ids = selectFor(s, o, [...types]);
  // OpenLineage events go out as the nodes start and end, not after the step.
  let lineage: import('../lineage/openlineage.js').LineageEmitter | undefined;
  if (step.command !== 'test' && env.cfg.lineage.transport !== 'none') {
    const { LineageEmitter } = await import('../lineage/openlineage.js');
    const l = env.cfg.lineage;
    lineage = new LineageEmitter({ ...l, path: resolve(s.project.root, l.path) }, { manifest: s.manifest, target: s.target, parent: { namespace: l.namespace, name: env.cfg.dagId, runId: env.runId }, console: s.console, introspector: (await s.connect()).introspector });
  }
  let r: Awaited<ReturnType<typeof invoke>>;
  try {
    r = await invoke(s, o, ids, step.command === 'seed' ? 'seed' : step.command === 'run' ? 'run' : step.command === 'test' ? 'test' : 'build', {}, lineage);
  } finally {
    await lineage?.flush();
  }
  const bad = r.results.filter((x: NodeResult) => !OK.has(x.status) && x.status !== 'skipped');
  const rows = r.results.reduce((a, x) => a + (Number(x.adapter_response?.rows_affected ?? (x.failures && step.command === 'test' ? x.failures : 0)) || 0), 0);
  const warns = r.results.filter((x) => x.status === 'warn').map((x) => `${x.unique_id}: ${x.message ?? 'warn'}`);
  let out: StepOutcome = { status: warns.length ? 'warn' : 'success', rows, node: null, error: null, warnings: warns };
  if (!r.ok) {
    const first = bad[0] ?? r.results.find((x) => !OK.has(x.status));
    out = { status: 'failed', rows, node: first?.unique_id ?? null, error: `${bad.length} node${bad.length === 1 ? '' : 's'} failed${first ? `; ${first.unique_id}: ${first.message ?? first.status}` : ''}`, warnings: warns };
  }
  if (out.status !== 'failed' && step.freshness) {
    const f = await freshnessStep({ ...step, select: [], exclude: [] }, { ...env, select: undefined });
    return { ...f, rows, warnings: [...warns, ...f.warnings], status: f.status === 'failed' ? 'failed' : f.status === 'warn' || warns.length ? 'warn' : 'success' };
  }
  return out;
}
