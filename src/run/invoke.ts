import { randomUUID } from 'node:crypto';
import type { NodeResult, RunResults } from '../contracts/results.js';
import { RelationCache } from '../compile/relation-cache.js';
import { writeRunResults } from '../artifacts/write.js';
import { MflowError } from '../errors.js';
import { MFLOW_VERSION } from '../version.js';
import { renderNodeOf } from '../jinja/render-node.js';
import type { Problem } from '../console/console.js';
import type { ExecContext } from './executors.js';
import { Profiler } from './profile.js';
import { schedule } from './scheduler.js';
import { TestFusion } from './test-fusion.js';
import { assertTestColumnsExist } from './test-columns.js';
import type { CommonOptions, Session } from './session.js';
import { join } from 'node:path';
import { runEach } from '../contracts/statements.js';
// The executors of every resource type register themselves: whoever runs nodes loads them (a
// compile, which runs none, does not).
import './executors.js';
import '../unit-tests/executor.js';
import '../seeds/executor.js';
import '../snapshots/executor.js';
export { selectFor } from './select.js';

export interface InvokeResult {
  results: NodeResult[];
  ok: boolean;
  elapsed: number;
  runResults: RunResults;
}


/** Runs selected nodes: the engine behind run, test, seed, snapshot and build. */
export async function invoke(session: Session, opts: CommonOptions, ids: string[], which: string, flags: Record<string, unknown> = {}, observer?: ExecContext['observer']): Promise<InvokeResult> {
  const t0 = Date.now();
  (await import('../snapshots/config.js')).assertSnapshotsValid(session.manifest, session.project.root); // config errors before anything runs
  const adapter = await session.connect();
  const relations = new RelationCache(adapter);
  const m = session.manifest;
  const ctx: ExecContext = {
    session,
    relations,
    console: session.console,
    fullRefresh: Boolean(opts.fullRefresh),
    dryRun: Boolean(opts.dryRun),
    flags,
    compile: { manifest: m, runtime: session.runtime, adapter, relations, fullRefresh: Boolean(opts.fullRefresh), log: (msg) => session.console.emit({ type: 'info', msg }) },
    observer,
  };
  if (!opts.dryRun && flags.fuseTests !== false && process.env.MFLOW_FUSE_TESTS !== '0') ctx.fusion = new TestFusion(ctx, ids);
  (session.runtime.globals.flags as Record<string, unknown>).FULL_REFRESH = Boolean(opts.fullRefresh);
  (session.runtime.globals.flags as Record<string, unknown>).WHICH = which;
  // dbt's `selected_resources`: the unique ids this invocation runs.
  session.runtime.globals.selected_resources = [...ids];
  // One listing per schema, up front: is_incremental() and materializations then cost no query.
  const schemas = new Map<string, { db: string | null; schema: string }>();
  for (const id of ids) {
    const n = m.nodes[id];
    if (n && n.relation_name && n.resource_type !== 'test') schemas.set(`${n.database}.${n.schema}`, { db: n.database, schema: n.schema });
  }
  await Promise.all([...schemas.values()].map((s) => relations.load(s.db, s.schema)));
  await assertTestColumnsExist(m, ids, adapter, relations); // before anything runs
  if (!opts.dryRun) {
    const c = await adapter.acquire();
    try {
      const listed = new Map<string, Promise<string[]>>();
      // A schema whose listing found relations exists: schemas are listed (once per database) only for empty or new ones.
      for (const s of schemas.values()) if (!relations.hasAny(s.db, s.schema) && !(await schemaExists(adapter, s, listed))) await runEach(c, session.dialect.createSchema(s.db, s.schema));
    } finally {
      adapter.release(c);
    }
  }
  session.console.emit({ type: 'info', msg: `Running with mflow=${MFLOW_VERSION}, target ${session.target.name} (${session.target.type}), ${session.threads} thread${session.threads === 1 ? '' : 's'}` });
  const counts = summarize(m, ids);
  session.console.emit({ type: 'info', msg: `Found ${counts}` });
  await runHooks(session, ctx, 'on-run-start', session.project.onRunStart);
  // Ephemeral models are not built nodes (dbt neither runs nor counts them): their SQL lives in their children's CTEs.
  const built = ids.filter((id) => !(m.nodes[id]?.resource_type === 'model' && m.nodes[id].config.materialized === 'ephemeral'));
  const profiler = opts.profile && !opts.dryRun ? new Profiler(join(session.targetDir, 'profile'), session.console) : undefined;
  const results = built.length ? await schedule(ctx, session.dag, built, { threads: session.threads, failFast: Boolean(opts.failFast), testsGateChildren: which === 'build', profiler }) : [];
  profiler?.summary();
  await runHooks(session, ctx, 'on-run-end', session.project.onRunEnd, results);
  const elapsed = (Date.now() - t0) / 1000;
  const ok = results.every((r) => r.status === 'success' || r.status === 'pass' || r.status === 'warn');
  const c = { PASS: 0, WARN: 0, ERROR: 0, SKIP: 0, TOTAL: results.length };
  for (const r of results) {
    if (r.status === 'success' || r.status === 'pass') c.PASS++;
    else if (r.status === 'warn') c.WARN++;
    else if (r.status === 'skipped') c.SKIP++;
    else c.ERROR++;
  }
  const problems: Problem[] = [];
  for (const r of results) {
    const status = r.status === 'warn' ? 'WARN' : r.status === 'fail' ? 'FAIL' : r.status === 'error' || r.status === 'runtime error' ? 'ERROR' : null;
    const n = m.nodes[r.unique_id];
    if (status && n) problems.push({ status, uniqueId: r.unique_id, where: `${n.resource_type} ${n.name} (${n.original_file_path})`, message: r.message ?? '' });
  }
  session.console.emit({ type: 'summary', counts: c, seconds: elapsed, ok, problems });
  const runResults: RunResults = {
    metadata: { mflow_schema_version: 'https://mediflow.dev/schemas/mflow/run-results/v1.json', mflow_version: MFLOW_VERSION, generated_at: new Date().toISOString(), invocation_id: m.metadata.invocation_id ?? randomUUID() },
    results,
    elapsed_time: elapsed,
    args: { which, select: opts.select ?? [], exclude: opts.exclude ?? [], full_refresh: Boolean(opts.fullRefresh), target: session.target.name, threads: session.threads },
  };
  if (opts.writeArtifacts !== false && !opts.dryRun) writeRunResults(session.targetDir, runResults);
  return { results, ok, elapsed, runResults };
}

/** One schema listing per database, however many schemas the run builds in (a round trip each on Snowflake). */
async function schemaExists(adapter: import('../contracts/adapter.js').Adapter, s: { db: string | null; schema: string }, listed: Map<string, Promise<string[]>>): Promise<boolean> {
  const key = s.db ?? '';
  if (!listed.has(key)) listed.set(key, adapter.introspector.listSchemas(s.db));
  const list = await listed.get(key)!;
  return list.some((x) => x.toLowerCase() === s.schema.toLowerCase());
}

function summarize(m: Session['manifest'], ids: string[]): string {
  const by: Record<string, number> = {};
  for (const id of ids) {
    const t = m.nodes[id]?.resource_type ?? 'node';
    by[t] = (by[t] ?? 0) + 1;
  }
  const parts = Object.entries(by).map(([t, n]) => `${n} ${t === 'unit_test' ? 'unit test' : t}${n === 1 ? '' : 's'}`);
  return parts.length ? parts.join(', ') : 'nothing to run';
}

async function runHooks(session: Session, ctx: ExecContext, kind: string, hooks: string[], results?: NodeResult[]): Promise<void> {
  if (!hooks.length || ctx.dryRun) return;
  const adapter = session.adapter!;
  const c = await adapter.acquire();
  try {
    for (const h of hooks) {
      const node = { unique_id: `operation.${session.project.name}.${kind}`, name: kind, resource_type: 'operation', original_file_path: session.project.file, config: { materialized: 'operation', enabled: true, tags: [], meta: {}, pre_hook: [], post_hook: [] } } as never;
      const r = await session.runtime.render(h, { ...renderNodeOf(node), extra: { results: results ?? [] } }, {
        phase: 'execute',
        resolveRef: () => {
          throw new MflowError('COMPILER_ERROR', `ref() is not available in ${kind} hooks`, { file: session.project.file });
        },
        resolveSource: () => {
          throw new MflowError('COMPILER_ERROR', `source() is not available in ${kind} hooks`, { file: session.project.file });
        },
        isIncremental: () => false,
        query: (sql) => c.execute(sql),
        log: (msg) => session.console.emit({ type: 'info', msg }),
      }, `${kind}\0${h}`);
      if (r.sql.trim()) {
        session.console.emit({ type: 'info', msg: `Running ${kind} hook` });
        await c.execute(r.sql);
      }
    }
  } catch (e) {
    if (e instanceof MflowError) {
      e.file = e.file ?? session.project.file;
      throw e;
    }
    throw new MflowError('DATABASE', `${kind} hook failed: ${(e as Error).message}`, { file: session.project.file });
  } finally {
    adapter.release(c);
  }
}
