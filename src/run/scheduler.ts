import type { Connection } from '../contracts/adapter.js';
import type { ManifestNode } from '../contracts/manifest.js';
import type { NodeResult } from '../contracts/results.js';
import { artifactPath } from '../artifacts/write.js';
import { MflowError } from '../errors.js';
import type { Dag } from '../graph/dag.js';
import { executors, type ExecContext, type NodeOutcome } from './executors.js';
import type { Profiler } from './profile.js';

export interface ScheduleOptions {
  threads: number;
  failFast: boolean;
  /** Run tests of a node right after it and skip its descendants when a test fails (build). */
  testsGateChildren: boolean;
  /** `--query-profile`: each node's statements run with the warehouse's profiler on. */
  profiler?: Profiler;
}

/**
 * N workers over the DAG of the selected nodes. A failed node skips its descendants and the rest
 * go on; with --fail-fast the first failure cancels what runs and skips what is left.
 */
export async function schedule(ctx: ExecContext, dag: Dag, selected: string[], o: ScheduleOptions): Promise<NodeResult[]> {
  const m = ctx.session.manifest;
  const sel = new Set(selected);
  const order = dag.topoSort(sel);
  const position = new Map(order.map((id, i) => [id, i]));
  // Dependencies inside the selection; tests in build also wait for every parent.
  const deps = new Map<string, Set<string>>();
  const dependents = new Map<string, Set<string>>();
  for (const id of order) {
    deps.set(id, new Set());
    dependents.set(id, new Set());
  }
  const ancestorsInSel = (id: string): string[] => {
    // Selected nodes may depend on each other through unselected ones: walk up until selected ones.
    const out = new Set<string>();
    const stack = [...dag.parents(id)];
    const seen = new Set<string>();
    while (stack.length) {
      const p = stack.pop()!;
      if (seen.has(p)) continue;
      seen.add(p);
      if (sel.has(p)) out.add(p);
      else stack.push(...dag.parents(p));
    }
    return [...out];
  };
  for (const id of order) {
    for (const p of ancestorsInSel(id)) {
      deps.get(id)!.add(p);
      dependents.get(p)!.add(id);
    }
  }
  if (o.testsGateChildren) {
    // In build, a model's children wait for its tests: a failing test stops bad data spreading.
    // As in dbt, a test gates a child only when all of the test's parents are upstream of that
    // child; otherwise a test on two models (relationships) could deadlock the graph.
    const ancestorsCache = new Map<string, Set<string>>();
    const ancestorsOf = (id: string) => {
      let a = ancestorsCache.get(id);
      if (!a) ancestorsCache.set(id, (a = dag.ancestors(id)));
      return a;
    };
    for (const id of order) {
      const n = m.nodes[id];
      if (n?.resource_type !== 'test') continue;
      const testParents = dag.parents(id);
      for (const parent of deps.get(id)!) {
        for (const child of dependents.get(parent)!) {
          if (child === id) continue;
          const cn = m.nodes[child];
          if (!cn || cn.resource_type === 'test' || cn.resource_type === 'unit_test') continue;
          const up = ancestorsOf(child);
          if (!testParents.every((q) => up.has(q))) continue;
          deps.get(child)!.add(id);
          dependents.get(id)!.add(child);
        }
      }
    }
    // Unit tests run before their model.
    for (const id of order) {
      const n = m.nodes[id];
      if (n?.resource_type !== 'unit_test' || !n.attached_node || !sel.has(n.attached_node)) continue;
      deps.get(n.attached_node)!.add(id);
      dependents.get(id)!.add(n.attached_node);
      deps.get(id)!.delete(n.attached_node);
      dependents.get(n.attached_node)!.delete(id);
    }
  }
  const remaining = new Map([...deps].map(([k, v]) => [k, v.size]));
  const ready: string[] = order.filter((id) => remaining.get(id) === 0);
  const results = new Map<string, NodeResult>();
  const total = order.length;
  let started = 0;
  let stop = false;
  const running = new Set<Connection>();
  const adapter = ctx.session.adapter!;

  const skip = (id: string, because: string) => {
    const stack = [...dependents.get(id)!];
    while (stack.length) {
      const c = stack.pop()!;
      if (results.has(c)) continue;
      const r = skipped(c, `skipped because ${because} failed`);
      results.set(c, r);
      const n = m.nodes[c];
      ctx.console.emit({ type: 'node_result', index: ++started, total, status: 'SKIP', description: describe(n), uniqueId: c, seconds: 0 });
      stack.push(...dependents.get(c)!);
    }
  };

  const finish = (id: string) => {
    for (const c of dependents.get(id)!) {
      const left = remaining.get(c)! - 1;
      remaining.set(c, left);
      if (left === 0 && !results.has(c)) insertSorted(ready, c, position);
    }
  };

  const runOne = async (id: string): Promise<void> => {
    const conn = await adapter.acquire();
    running.add(conn);
    const n = m.nodes[id];
    const index = ++started;
    ctx.console.emit({ type: 'node_start', index, total, description: describe(n), uniqueId: id });
    const t0 = Date.now();
    const startedAt = new Date().toISOString();
    observe(ctx, (o) => o.start(id, startedAt));
    let outcome: NodeOutcome;
    try {
      const ex = executors[n.resource_type];
      if (!ex) throw new MflowError('INTERNAL', `no executor for ${n.resource_type} nodes`);
      outcome = o.profiler ? await o.profiler.around(n, conn, () => ex(ctx, n, conn)) : await ex(ctx, n, conn);
    } catch (e) {
      const err = e instanceof MflowError ? e : new MflowError('INTERNAL', (e as Error).message, { cause: e });
      outcome = { status: n.resource_type === 'test' ? 'runtime error' : 'error', message: formatNodeError(err, n) };
    } finally {
      running.delete(conn);
      adapter.release(conn);
    }
    const secs = (Date.now() - t0) / 1000;
    results.set(id, {
      unique_id: id,
      status: outcome.status,
      timing: [{ name: 'execute', started_at: startedAt, completed_at: new Date().toISOString() }],
      execution_time: secs,
      message: outcome.message,
      failures: outcome.failures ?? null,
      adapter_response: { rows_affected: outcome.rowsAffected },
      relation_name: n.relation_name,
      compiled_code: outcome.compiledCode,
      compiled_path: outcome.compiledPath ? artifactPath(ctx.session.project.root, outcome.compiledPath) : null,
    });
    observe(ctx, (o) => o.end(results.get(id)!));
    const status = consoleStatus(outcome.status);
    ctx.console.emit({ type: 'node_result', index, total, status, description: describe(n), uniqueId: id, seconds: secs, detail: outcome.detail });
    if (status === 'ERROR' || status === 'FAIL') {
      ctx.console.emit({ type: 'error', msg: `  ${outcome.message}` });
      if (o.failFast) {
        stop = true;
        for (const c of running) void c.cancel();
      }
      skip(id, `${n.resource_type} '${n.name}'`);
    }
    finish(id);
  };

  const inFlight = new Map<string, Promise<void>>();
  const threads = Math.max(1, o.threads);
  for (;;) {
    while (!stop && ready.length > 0 && inFlight.size < threads) {
      const id = ready.shift()!;
      if (results.has(id)) continue;
      inFlight.set(id, runOne(id).finally(() => inFlight.delete(id)));
    }
    if (inFlight.size === 0) break;
    await Promise.race(inFlight.values());
  }
  for (const id of order) {
    if (results.has(id)) continue;
    if (!stop) throw new MflowError('INTERNAL', `scheduler finished with ${id} never ready (a dependency cycle between tests and models?)`);
    results.set(id, skipped(id, 'skipped by --fail-fast'));
  }
  return order.map((id) => results.get(id)!);
}

/** An observer's error is reported, never the run's. */
function observe(ctx: ExecContext, f: (o: NonNullable<ExecContext['observer']>) => void): void {
  if (!ctx.observer) return;
  try {
    f(ctx.observer);
  } catch (e) {
    ctx.console.emit({ type: 'warn', msg: `node observer failed: ${(e as Error).message}` });
  }
}

function isAncestor(dag: Dag, maybeAncestor: string, of: string): boolean {
  return dag.ancestors(of).has(maybeAncestor);
}

function insertSorted(arr: string[], id: string, pos: Map<string, number>): void {
  const p = pos.get(id)!;
  let i = arr.length;
  while (i > 0 && pos.get(arr[i - 1])! > p) i--;
  arr.splice(i, 0, id);
}

function skipped(id: string, message: string): NodeResult {
  const t = new Date().toISOString();
  return { unique_id: id, status: 'skipped', timing: [{ name: 'execute', started_at: t, completed_at: t }], execution_time: 0, message, failures: null, adapter_response: {} };
}

function consoleStatus(s: NodeResult['status']): 'OK' | 'PASS' | 'WARN' | 'ERROR' | 'FAIL' | 'SKIP' {
  switch (s) {
    case 'success':
      return 'OK';
    case 'pass':
      return 'PASS';
    case 'warn':
      return 'WARN';
    case 'fail':
      return 'FAIL';
    case 'skipped':
      return 'SKIP';
    default:
      return 'ERROR';
  }
}

export function describe(n: ManifestNode): string {
  const rel = n.relation_name ? `${n.schema}.${n.alias}` : n.name;
  switch (n.resource_type) {
    case 'model':
      return `sql ${n.config.materialized} model ${rel}`;
    case 'seed':
      return `seed file ${rel}`;
    case 'snapshot':
      return `snapshot ${rel}`;
    case 'test':
      return `test ${n.name}`;
    case 'unit_test':
      return `unit_test ${n.attached_node?.split('.').pop()}::${n.name}`;
    default:
      return `${n.resource_type} ${n.name}`;
  }
}

/** A database error with the node, the compiled file and the line of the compiled SQL. */
export function formatNodeError(e: MflowError, n: ManifestNode): string {
  let msg = e.format();
  if (e.code === 'DATABASE') {
    const mapped = (e as MflowError & { compiledLine?: number }).compiledLine;
    const m = /LINE (\d+):/.exec(e.message);
    const line = mapped ?? (m ? Number(m[1]) : undefined);
    const where = line ? ` (compiled SQL line ${line})` : '';
    const text = mapped !== undefined && m ? e.message.replace(`LINE ${m[1]}:`, `LINE ${mapped}:`) : e.message;
    msg = `Database error in ${n.resource_type} ${n.name} (${n.original_file_path})${where}\n  ${text.split('\n').join('\n  ')}`;
  }
  return msg;
}
