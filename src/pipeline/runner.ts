import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { docsLink, sendAlert, type Alert } from '../alerts/index.js';
import type { Console, ConsoleEvent } from '../console/console.js';
import { CaptureConsole } from '../console/console.js';
import { MflowError } from '../errors.js';
import { loadProject } from '../project/load.js';
import { cancelRunningQueries, parseVars, Session, type CommonOptions } from '../run/session.js';
import { backoffDelay, loadPipelineConfig, type PipelineConfig, type StepConfig } from './config.js';
import { History, type RunRow, type RunStatus, type StepRow, type StepStatus } from './history.js';
import { HEARTBEAT_MS, HOST, reapDeadRuns } from './liveness.js';
import { stageNodes } from './publish.js';
import { runStep, type StepEnv, type StepOutcome } from './steps.js';
import type { StepProgress } from './progress.js';

export interface PipelineOptions extends CommonOptions {
  /** Run id to use (Airflow passes its own); a new one otherwise. */
  runId?: string;
  /** Continue the given run (or the latest unfinished one) from its first step that did not succeed. */
  resume?: boolean;
  /** Only these steps (an Airflow task runs one). */
  steps?: string[];
  /** Narrows the selection of the steps run (Airflow per-model tasks). */
  stepSelect?: string[];
  /** Set by an orchestrator that retries itself: run one attempt, numbered so. */
  attempt?: number;
  maxAttempts?: number;
  /** Send alerts from this process (off when the orchestrator's callbacks send them). */
  alerts?: boolean;
  /** Generate a SynPUF sample when data/synpuf has none (what `npm start` needs on a fresh clone). */
  generateIfMissing?: boolean;
  beneficiaries?: number;
  seed?: number;
  trigger?: string;
  /** Ctrl-C / SIGTERM: the running step's queries are cancelled and the run is recorded as cancelled. */
  signal?: AbortSignal;
  /** Step transitions, for a live view (src/pipeline/progress.ts). */
  onStep?: (p: StepProgress) => void;
}

export interface StepRecord extends StepRow {
  warnings: string[];
}

export interface PipelineResult {
  ok: boolean;
  runId: string;
  status: RunStatus;
  steps: StepRecord[];
  /** target/pipeline_results.json */
  artifact: string;
}

class Cancelled extends Error {}
class TimedOut extends Error {}

/** Forwards to the real console and keeps the last lines, for the alert's log excerpt and the step log. */
class TeeConsole implements Console {
  lines: string[] = [];
  constructor(readonly inner: Console) {}
  emit(e: ConsoleEvent): void {
    this.inner.emit(e);
    const line = 'msg' in e ? `${e.type === 'info' ? '' : `${e.type.toUpperCase()}: `}${e.msg}` : e.type === 'node_result' ? `${e.status} ${e.description}${e.detail ? ` (${e.detail})` : ''}` : e.type === 'output' ? e.text : e.type === 'summary' ? `Done: ${JSON.stringify(e.counts)}` : '';
    if (line) this.lines.push(line);
    if (this.lines.length > 500) this.lines.splice(0, this.lines.length - 500);
  }
  take(): string[] {
    const l = this.lines;
    this.lines = [];
    return l;
  }
}

export const newRunId = () => `${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '')}-${randomBytes(3).toString('hex')}`;

/**
 * `mflow pipeline`: the steps of `pipeline:` in order, each with its retries, backoff and timeout,
 * recorded in the warehouse (pipeline_runs, pipeline_steps) and target/pipeline_results.json, with
 * alerts on the configured channels. The run stops at the first step that fails after its retries.
 */
export async function runPipeline(opts: PipelineOptions): Promise<PipelineResult> {
  const root = resolve(opts.projectDir ?? '.');
  const out = new TeeConsole(opts.console ?? new CaptureConsole());
  const { config: project, target } = loadProject({ projectDir: root, profilesDir: opts.profilesDir, target: opts.target, vars: parseVars(opts.vars), env: opts.env });
  const cfg = loadPipelineConfig(root, project.name, { env: opts.env, renderSecrets: opts.alerts !== false });
  const targetDir = resolve(root, opts.targetPath ?? project.targetPath);
  const only = opts.steps?.length ? opts.steps : null;
  for (const n of only ?? []) {
    if (!cfg.steps.some((s) => s.name === n)) throw new MflowError('USAGE', `No pipeline step '${n}'`, { file: cfg.file, line: cfg.lineOf(['steps']), hint: `Steps: ${cfg.steps.map((s) => s.name).join(', ')}.` });
  }
  if (opts.generateIfMissing) await generateIfMissing(root, opts, out);

  let session: Session | null = null;
  const staging = cfg.steps.some((s) => s.command === 'publish');
  const base: CommonOptions = { ...opts, projectDir: root, console: out };
  const getSession = async () => {
    if (!session) {
      session = await Session.open(base);
      if (staging) stageNodes(session, cfg);
    }
    return session;
  };
  // The heartbeat of the run this process owns (liveness.ts); it writes only while a session is
  // open (the freshness step closes ours) and is awaited before the session closes.
  let owned: string | null = null;
  let beating: Promise<void> = Promise.resolve();
  const heartbeat = setInterval(() => {
    // Only through a warehouse connection that is already open: calling Session.connect() here,
    // concurrently with the runner's first connect of a new session, would open the DuckDB file
    // a second time in this process (two instances, lost writes).
    const adapter = session?.adapter;
    if (!owned || !adapter) return;
    const runId = owned;
    beating = beating.then(() => new History(adapter, cfg.historySchema, (target.database as string | null | undefined) ?? null).beat(runId, process.pid, HOST, new Date().toISOString())).catch(() => undefined);
  }, HEARTBEAT_MS);
  heartbeat.unref();
  const closeSession = async () => {
    // A beat queued while waiting is waited for too.
    for (let b = beating; ; b = beating) {
      await b;
      if (b === beating) break;
    }
    const s = session;
    session = null;
    await s?.close();
  };
  let ensured = false;
  const history = async <T>(f: (h: History) => Promise<T>): Promise<T> => {
    const s = await getSession();
    const h = new History(await s.connect(), cfg.historySchema, (target.database as string | null | undefined) ?? null);
    if (!ensured) {
      await h.ensure();
      ensured = true;
      // Runs whose process was killed are still recorded as running: mark them first.
      await reapDeadRuns(h, out);
    }
    return f(h);
  };
  // Set once this run is recorded as running, cleared when its end is recorded.
  let open: string | null = null;

  try {
    // Which run, and where in it.
    let runId = opts.runId ?? newRunId();
    let done = new Set<string>();
    // On resume, attempts continue the numbering of the run's earlier ones.
    const earlier = new Map<string, number>();
    if (opts.resume) {
      // A run another live process owns is not resumable (dead owners were just marked).
      const owners = await history(async (h) => new Map((await h.runningOwners()).map((o) => [o.run_id, o])));
      const prev = await history(async (h) => (opts.runId ? h.getRun(opts.runId) : ((await h.lastRuns(20)).find((r) => r.status !== 'success' && !owners.has(r.run_id)) ?? null)));
      if (!prev) throw new MflowError('USAGE', opts.runId ? `No pipeline run '${opts.runId}' to resume` : 'No failed, cancelled or killed pipeline run to resume', { hint: 'mflow pipeline status lists the runs.' });
      if (prev.status === 'success') throw new MflowError('USAGE', `Run ${prev.run_id} succeeded; there is nothing to resume`, { hint: 'Start a new run with mflow pipeline.' });
      const owner = owners.get(prev.run_id);
      if (owner) throw new MflowError('USAGE', `Run ${prev.run_id} is still running (pid ${owner.pid} on ${owner.host}, last heartbeat ${owner.heartbeat_at})`, { hint: 'Wait for it, or stop it (Ctrl-C / SIGTERM); a killed run is marked killed by the next mflow pipeline and can then be resumed.' });
      runId = prev.run_id;
      const rows = await history((h) => h.steps(runId));
      done = completedSteps(rows);
      for (const r of rows) earlier.set(r.step, Math.max(earlier.get(r.step) ?? 0, Number(r.attempt)));
      out.emit({ type: 'info', msg: `Resuming run ${runId}${done.size ? `; already done: ${[...done].join(', ')}` : ''}` });
    }
    const existing = await history((h) => h.getRun(runId));
    if (!existing) await history((h) => h.startRun({ run_id: runId, status: 'running', started_at: new Date().toISOString(), finished_at: null, trigger: opts.trigger ?? 'cli', error: null }));
    else await history((h) => h.setStatus(runId, 'running'));
    open = runId;
    const now = new Date().toISOString();
    await history((h) => h.claim({ run_id: runId, pid: process.pid, host: HOST, started_at: now, heartbeat_at: now }));
    owned = runId;

    const todo = cfg.steps.filter((s) => (!only || only.includes(s.name)) && !done.has(s.name));
    out.emit({ type: 'info', msg: `Pipeline ${cfg.dagId} run ${runId}: ${todo.map((s) => s.name).join(' -> ') || 'nothing to do'}` });
    const records: StepRecord[] = [];
    let status: RunStatus = 'success';
    let runError: string | null = null;
    const alert = async (a: Omit<Alert, 'project' | 'runId' | 'at' | 'docsLink'>) => {
      if (opts.alerts === false) return;
      await sendAlert(cfg.alerts, { ...a, project: project.name, runId, at: new Date().toISOString(), docsLink: docsLink(cfg.alerts.docsUrl, a.node) }, out);
    };

    for (const step of todo) {
      const index = cfg.steps.indexOf(step) + 1;
      const offset = earlier.get(step.name) ?? 0;
      const maxAttempts = opts.maxAttempts ?? offset + step.retries + 1;
      const firstAttempt = opts.attempt ?? offset + 1;
      const lastAttempt = opts.attempt ?? maxAttempts;
      let outcome: StepOutcome | null = null;
      for (let attempt = firstAttempt; attempt <= lastAttempt; attempt++) {
        if (opts.signal?.aborted) break;
        const started = new Date();
        out.emit({ type: 'info', msg: `[${index}/${cfg.steps.length}] ${step.name} (${step.command}${step.select.length ? ` ${step.select.join(' ')}` : ''}) START, attempt ${attempt} of ${maxAttempts}` });
        const row: StepRow = { run_id: runId, step: step.name, attempt, max_attempts: maxAttempts, status: 'running', started_at: started.toISOString(), finished_at: null, rows: null, node: null, error: null };
        await history((h) => h.recordStep(row));
        opts.onStep?.({ index, total: cfg.steps.length, step: step.name, status: 'running', attempt, maxAttempts });
        out.take();
        outcome = await attemptStep(step, { session: getSession, closeSession, opts: base, cfg, runId, history, select: opts.stepSelect }, opts.signal);
        const log = out.take();
        const secs = (Date.now() - started.getTime()) / 1000;
        const st: StepStatus = outcome.status === 'failed' ? (opts.signal?.aborted ? 'cancelled' : 'failed') : outcome.status;
        const rec: StepRecord = { ...row, status: st, finished_at: new Date().toISOString(), rows: outcome.rows, node: outcome.node, error: outcome.error, warnings: outcome.warnings };
        records.push(rec);
        writeStepLog(targetDir, runId, step.name, attempt, log);
        // The session may hold a half-finished state after a failure: the next attempt starts afresh.
        if (st !== 'success' && st !== 'warn') await closeSession();
        await history((h) => h.recordStep(rec));
        opts.onStep?.({ index, total: cfg.steps.length, step: step.name, status: st === 'failed' && attempt < lastAttempt ? 'retrying' : (st as StepProgress['status']), attempt, maxAttempts, seconds: secs, rows: outcome.rows });
        const label = st === 'success' ? 'OK' : st.toUpperCase();
        out.emit({ type: st === 'failed' || st === 'cancelled' ? 'error' : 'info', msg: `[${index}/${cfg.steps.length}] ${step.name} ${label} in ${secs.toFixed(1)}s${outcome.rows !== null ? `, ${outcome.rows} rows` : ''}${outcome.error ? `: ${outcome.error}` : ''}` });
        const excerpt = log.slice(-15).join('\n');
        if (st === 'warn') await alert({ event: 'audit_warning', step: step.name, node: outcome.node, error: outcome.warnings.join('; '), logExcerpt: excerpt, attempt, maxAttempts });
        if (st === 'success' || st === 'warn' || st === 'cancelled') break;
        if (attempt < lastAttempt) {
          const pause = backoffDelay(step.backoff, attempt);
          await alert({ event: 'retry', step: step.name, node: outcome.node, error: outcome.error, logExcerpt: excerpt, attempt, maxAttempts });
          out.emit({ type: 'warn', msg: `${step.name} failed (attempt ${attempt} of ${maxAttempts}); retrying in ${pause.toFixed(1)}s` });
          await sleep(pause * 1000, opts.signal);
        } else if (attempt === maxAttempts || opts.attempt !== undefined) {
          // The last attempt (or one attempt of an orchestrator that alerts through its callbacks).
          await alert({ event: 'failure', step: step.name, node: outcome.node, error: outcome.error, logExcerpt: excerpt, attempt, maxAttempts });
        }
      }
      if (opts.signal?.aborted) {
        status = 'cancelled';
        runError = `cancelled during step ${step.name}`;
        if (!records.some((r) => r.step === step.name && r.status === 'cancelled')) {
          const now = new Date().toISOString();
          const rec: StepRecord = { run_id: runId, step: step.name, attempt: outcome ? firstAttempt : firstAttempt, max_attempts: maxAttempts, status: 'cancelled', started_at: now, finished_at: now, rows: null, node: null, error: 'cancelled', warnings: [] };
          records.push(rec);
          await history((h) => h.recordStep(rec));
        }
        break;
      }
      if (!outcome || outcome.status === 'failed') {
        status = 'failed';
        runError = `step ${step.name} failed: ${outcome?.error ?? 'not run'}`;
        break;
      }
    }
    // A run is finished when its last step succeeded (an Airflow task runs one step of it).
    const last = cfg.steps[cfg.steps.length - 1].name;
    const finished = status !== 'success' || todo.some((s) => s.name === last) || todo.length === 0;
    if (finished) await history((h) => h.finishRun(runId, status, runError));
    open = null;
    out.emit({ type: status === 'success' ? 'info' : 'error', msg: `Pipeline run ${runId} ${status === 'success' ? (finished ? 'SUCCEEDED' : 'steps done') : status.toUpperCase()}${runError ? `: ${runError}` : ''}` });
    if (status === 'success' && finished && todo.length) await alert({ event: 'success', step: null, node: null, error: null, logExcerpt: '', attempt: 1, maxAttempts: 1 });
    const all = await history((h) => h.steps(runId));
    const run = await history((h) => h.getRun(runId));
    const artifact = writeResults(targetDir, run, all, records);
    return { ok: status === 'success', runId, status, steps: records, artifact };
  } catch (e) {
    // An error of mflow itself (not a failed step) must not leave the run recorded as running.
    const id = open;
    if (id) await history((h) => h.finishRun(id, 'failed', `mflow error: ${(e as Error).message}`)).catch(() => undefined);
    throw e;
  } finally {
    clearInterval(heartbeat);
    const id = owned;
    owned = null;
    // This process is done with the run: finished, or one orchestrator task of it ended.
    if (id) await beating.then(() => history((h) => h.release(id, process.pid, HOST))).catch(() => undefined);
    await closeSession();
  }
}

/** One attempt, bounded by the step's timeout and the cancel signal; queries are cancelled on either. */
async function attemptStep(step: StepConfig, env: StepEnv, signal?: AbortSignal): Promise<StepOutcome> {
  const p = runStep(step, env);
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const stop = new Promise<never>((_, rej) => {
    timer = setTimeout(() => rej(new TimedOut(`timed out after ${step.timeout}s; its queries were cancelled`)), step.timeout * 1000);
    onAbort = () => rej(new Cancelled('cancelled (Ctrl-C or SIGTERM); its queries were cancelled'));
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([p, stop]);
  } catch (e) {
    if (e instanceof TimedOut || e instanceof Cancelled) {
      // Let the step unwind (its transaction rolls back) before anything else touches the
      // warehouse. A query the step starts after the signal (the signal came between two nodes,
      // or before the first one began) is cancelled too: cancel again until the step settles.
      let settled = false;
      const done = p.then(
        () => (settled = true),
        () => (settled = true),
      );
      const until = Date.now() + 30_000;
      while (!settled && Date.now() < until) {
        await cancelRunningQueries();
        await Promise.race([done, sleep(200)]);
      }
    }
    const err = e as Error & { format?: () => string };
    return { status: 'failed', rows: null, node: (e as { node?: string }).node ?? null, error: err.format ? err.format() : err.message, warnings: [] };
  } finally {
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener('abort', onAbort);
  }
}

function completedSteps(rows: StepRow[]): Set<string> {
  const latest = new Map<string, StepRow>();
  for (const r of rows) if (!latest.has(r.step) || latest.get(r.step)!.attempt <= r.attempt) latest.set(r.step, r);
  return new Set([...latest.values()].filter((r) => r.status === 'success' || r.status === 'warn').map((r) => r.step));
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((res) => {
    if (signal?.aborted) return res();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      res();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

export const STEP_LOGS = 'pipeline_logs';

function writeStepLog(targetDir: string, runId: string, step: string, attempt: number, lines: string[]): void {
  const dir = join(targetDir, STEP_LOGS, runId);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${step}.${attempt}.log`), lines.join('\n') + '\n');
}

export function readStepLog(targetDir: string, runId: string, step: string, attempt: number): string {
  const f = join(targetDir, STEP_LOGS, runId, `${step}.${attempt}.log`);
  return existsSync(f) ? readFileSync(f, 'utf8') : '';
}

function writeResults(targetDir: string, run: RunRow | null, steps: StepRow[], records: StepRecord[]): string {
  mkdirSync(targetDir, { recursive: true });
  const path = join(targetDir, 'pipeline_results.json');
  const warnings = new Map(records.map((r) => [`${r.step}\0${r.attempt}`, r.warnings]));
  writeFileSync(path, JSON.stringify({ metadata: { generated_at: new Date().toISOString() }, run, steps: steps.map((s) => ({ ...s, warnings: warnings.get(`${s.step}\0${s.attempt}`) ?? [] })) }, null, 2));
  return path;
}

async function generateIfMissing(root: string, opts: PipelineOptions, cons: Console): Promise<void> {
  const data = join(root, 'data/synpuf');
  if (existsSync(data) && readdirSync(data).some((f) => f.endsWith('.csv'))) return;
  const { generate } = await import('./api.js');
  await generate({ beneficiaries: opts.beneficiaries ?? 3000, seed: opts.seed ?? 20260101, outDir: data, nppesDir: join(root, 'data/nppes'), console: cons });
}

/** `mflow pipeline status`: the last runs and their steps. */
export async function pipelineStatus(opts: CommonOptions & { limit?: number; runId?: string }): Promise<{ runs: RunRow[]; steps: Record<string, StepRow[]> }> {
  const root = resolve(opts.projectDir ?? '.');
  const { config: project, target } = loadProject({ projectDir: root, profilesDir: opts.profilesDir, target: opts.target, env: opts.env });
  const cfg = loadPipelineConfig(root, project.name, { renderSecrets: false });
  const { createAdapter } = await import('../adapters/index.js');
  const adapter = await createAdapter(target);
  try {
    const h = new History(adapter, cfg.historySchema, (target.database as string | null | undefined) ?? null);
    await h.ensure();
    await reapDeadRuns(h, opts.console);
    const runs = opts.runId ? [await h.getRun(opts.runId)].filter((r): r is RunRow => !!r) : await h.lastRuns(opts.limit ?? 10);
    const steps: Record<string, StepRow[]> = {};
    for (const r of runs) steps[r.run_id] = await h.steps(r.run_id);
    return { runs, steps };
  } finally {
    await adapter.close();
  }
}

/** `mflow pipeline alert`: what an orchestrator's callback calls, so its alerts are the ones mflow sends. */
export async function alertFromHistory(opts: CommonOptions & { runId: string; step: string; event: Alert['event']; attempt?: number; maxAttempts?: number; error?: string }): Promise<{ sent: number; failed: number }> {
  const root = resolve(opts.projectDir ?? '.');
  const { config: project, target } = loadProject({ projectDir: root, profilesDir: opts.profilesDir, target: opts.target, env: opts.env });
  const cfg = loadPipelineConfig(root, project.name, { env: opts.env });
  const { createAdapter } = await import('../adapters/index.js');
  const adapter = await createAdapter(target);
  let row: StepRow | undefined;
  try {
    const h = new History(adapter, cfg.historySchema, (target.database as string | null | undefined) ?? null);
    await h.ensure();
    const rows = (await h.steps(opts.runId)).filter((r) => r.step === opts.step && (opts.attempt === undefined || Number(r.attempt) === opts.attempt));
    row = rows[rows.length - 1];
  } finally {
    await adapter.close();
  }
  const attempt = opts.attempt ?? Number(row?.attempt ?? 1);
  const targetDir = resolve(root, opts.targetPath ?? project.targetPath);
  const log = readStepLog(targetDir, opts.runId, opts.step, attempt).trim().split('\n').slice(-15).join('\n');
  const results = await sendAlert(cfg.alerts, {
    event: opts.event,
    project: project.name,
    runId: opts.runId,
    step: opts.step,
    node: row?.node ?? null,
    error: row?.error ?? opts.error ?? null,
    logExcerpt: log,
    attempt,
    maxAttempts: opts.maxAttempts ?? Number(row?.max_attempts ?? 1),
    docsLink: docsLink(cfg.alerts.docsUrl, row?.node ?? null),
    at: new Date().toISOString(),
  }, opts.console);
  return { sent: results.filter((r) => r.ok).length, failed: results.filter((r) => !r.ok).length };
}

export type { PipelineConfig };
