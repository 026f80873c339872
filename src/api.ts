import { existsSync, rmSync } from 'node:fs';
import { recordEarlyFailure } from './run/early-failure.js';
import { dirname, join, resolve } from 'node:path';
import { GRAPH_RESOURCE_KEYS, type Manifest, type ResourceType } from './contracts/manifest.js';
import type { QueryResult } from './contracts/adapter.js';
import { compileNode, compileNodeTracked } from './compile/compiler.js';
import { canReuseRender, canReuseRenderOf, partialStateOf } from './parse/partial/index.js';
import { briefOf, lazyNodesOf } from './parse/partial/lazy.js';
import { saveCompile } from './parse/partial/commit.js';
import { sameStamp, stampOf, unmovedDirs } from './parse/partial/files.js';
import { RelationCache } from './compile/relation-cache.js';
import { artifactPath, compiledPath, readRunResults } from './artifacts/write.js';
import { BackgroundWriter } from './artifacts/background-writer.js';
import { MflowError } from './errors.js';
import { phase } from './util/timing.js';
import { sha256 } from './util/fs.js';
import { selectFor } from './run/select.js';
import type { InvokeResult } from './run/invoke.js';
import { Session, type CommonOptions } from './run/session.js';
import { compileIfUpToDate } from './parse/partial/up-to-date.js';
import { loadProject, maskTarget } from './project/load.js';
import { createAdapter } from './adapters/index.js';
import { lazyAdapter } from './adapters/lazy.js';
import { writeJunitXml } from './junit/report.js';

export type { CommonOptions } from './run/session.js';
export type { InvokeResult } from './run/invoke.js';

/** The runner (and the executors it registers), loaded by the commands that run nodes. */
async function invoke(...args: Parameters<typeof import('./run/invoke.js').invoke>): Promise<InvokeResult> {
  return (await import('./run/invoke.js')).invoke(...args);
}

async function withSession<T>(opts: CommonOptions, f: (s: Session) => Promise<T>, which?: string): Promise<T> {
  const t0 = Date.now();
  let s: Session;
  try {
    s = await Session.open(opts);
  } catch (e) {
    if (which && opts.writeArtifacts !== false && !opts.dryRun) recordEarlyFailure(opts, which, e, t0);
    throw e;
  }
  try {
    return await f(s);
  } catch (e) {
    // invoke writes run_results.json when nodes ran; an error that escapes it stopped them all.
    if (which && opts.writeArtifacts !== false && !opts.dryRun) recordEarlyFailure(opts, which, e, t0);
    throw e;
  } finally {
    await s.close();
  }
}

/** `mflow run`: builds the selected models. */
export function run(opts: CommonOptions = {}): Promise<InvokeResult> {
  return withSession(opts, (s) => invoke(s, opts, selectFor(s, opts, ['model']), 'run'), 'run');
}

/** `mflow test`: data tests and unit tests of the selection. */
export function test(opts: CommonOptions & { storeFailures?: boolean; junitXml?: string; fuseTests?: boolean } = {}): Promise<InvokeResult> {
  return withSession(opts, (s) => withJunit(s, opts, 'test', invoke(s, opts, selectFor(s, opts, ['test', 'unit_test']), 'test', { storeFailures: opts.storeFailures, fuseTests: opts.fuseTests })), 'test');
}

/** `mflow seed`. */
export function seed(opts: CommonOptions = {}): Promise<InvokeResult> {
  return withSession(opts, (s) => invoke(s, opts, selectFor(s, opts, ['seed']), 'seed'), 'seed');
}

/** `mflow snapshot`. */
export function snapshot(opts: CommonOptions = {}): Promise<InvokeResult> {
  return withSession(opts, (s) => invoke(s, opts, selectFor(s, opts, ['snapshot']), 'snapshot'), 'snapshot');
}

/** `mflow build`: seeds, models, snapshots and tests in DAG order; failing tests gate children. */
export function build(opts: CommonOptions & { storeFailures?: boolean; resourceTypes?: ResourceType[]; junitXml?: string; fuseTests?: boolean } = {}): Promise<InvokeResult> {
  return withSession(opts, (s) => withJunit(s, opts, 'build', invoke(s, opts, selectFor(s, opts, opts.resourceTypes ?? ['seed', 'model', 'snapshot', 'test', 'unit_test']), 'build', { storeFailures: opts.storeFailures, fuseTests: opts.fuseTests })), 'build');
}

/** `--junit-xml PATH` (relative to the working folder, as CI passes it): the report CI shows. */
async function withJunit(s: Session, opts: { junitXml?: string }, which: string, p: Promise<InvokeResult>): Promise<InvokeResult> {
  const r = await p;
  if (opts.junitXml) writeJunitXml(resolve(opts.junitXml), r.results, s.manifest, { which, elapsed: r.elapsed });
  return r;
}

/** `mflow retry`: re-runs what failed or was skipped in the last run_results.json. */
export async function retry(opts: CommonOptions = {}): Promise<InvokeResult> {
  return withSession(opts, async (s) => {
    const prev = readRunResults(s.targetDir);
    if (!prev) throw new MflowError('USAGE', `No run_results.json in ${s.targetDir} to retry`, { hint: 'Run a command first (mflow run / build / test).' });
    const which = String(prev.args.which ?? 'run');
    const ids = prev.results.filter((r) => !['success', 'pass', 'warn'].includes(r.status) && s.manifest.nodes[r.unique_id]).map((r) => r.unique_id);
    if (ids.length === 0) s.console.emit({ type: 'info', msg: 'Nothing to retry: the last run had no failures or skips.' });
    return invoke(s, { ...opts, fullRefresh: Boolean(prev.args.full_refresh) || opts.fullRefresh }, ids, which);
  });
}

export interface CompileResult {
  compiled: Record<string, string>;
  manifestPath: string;
  /** Nodes compiled (the keys of `compiled`, which is empty when the CLI asked only for this count). */
  count: number;
  /**
   * How the project was parsed: reusing target/partial_parse.json, or in full (and why); with a
   * reused manifest read lazily, how many of its nodes were read (parse/partial/lazy.ts).
   */
  parse?: { mode: 'full' | 'partial'; reason: string; nodesRead?: number };
}

/** `mflow compile`: renders every selected node to target/compiled; with `inline`, one query. */
export async function compile(opts: CommonOptions & { inline?: string; summaryOnly?: boolean } = {}): Promise<CompileResult> {
  // The CLI needs only the count: when nothing changed since the last compile, nothing is read.
  if (opts.summaryOnly && !('partialScan' in opts) && !opts.inline && !opts.select?.length && !opts.exclude?.length && !opts.selector && !opts.state && opts.partialParse !== false) {
    const r = await compileIfUpToDate(opts);
    if (r.up) return r.up;
    opts = { ...opts, partialScan: r.scan };
  }
  const fullSelection = !opts.select?.length && !opts.exclude?.length && !opts.selector;
  // Only the count wanted, of the whole project: a reused manifest's nodes are read when used,
  // and the reused renders are counted from the nodes' briefs without reading them.
  const lazyManifest = Boolean(opts.summaryOnly && !opts.inline && fullSelection && !opts.state);
  // The manifest is written once, at the end, with the compiled SQL in it.
  return withSession({ ...opts, writeArtifacts: false, lazyManifest }, async (s) => {
    const adapter = lazyAdapter(() => s.connect(), s.dialect, s.target);
    const relations = new RelationCache(adapter);
    // log() in a template prints during compile too, as in dbt.
    const ctx = { manifest: s.manifest, runtime: s.runtime, adapter, relations, fullRefresh: Boolean(opts.fullRefresh), log: (msg: string) => s.console.emit({ type: 'info', msg }) };
    const ids = selectFor(s, opts, ['model', 'test', 'snapshot', 'analysis', 'seed', 'unit_test']).filter((id) => {
      const t = briefOf(s.manifest.nodes, id)?.resource_type;
      return t === 'model' || t === 'test' || t === 'analysis' || t === 'snapshot';
    });
    // is_incremental() looks at the relation cache synchronously: list the schemas of incremental
    // models up front; everything else the warehouse is asked lazily, if at all.
    const schemas = new Set(ids.filter((id) => briefOf(s.manifest.nodes, id)?.materialized === 'incremental').map((id) => `${s.manifest.nodes[id].database ?? ''}\0${s.manifest.nodes[id].schema}`));
    await Promise.all([...schemas].map((k) => relations.load(k.split('\0')[0] || null, k.split('\0')[1])));
    phase('selection');
    const compiled: Record<string, string> = {};
    const errors: MflowError[] = [];
    // Partial parsing: renders of unchanged nodes are taken from the manifest, and a compiled file
    // whose text and stamp are what the cache recorded is not written again.
    const st = partialStateOf(s.manifest);
    const onDisk = st?.previous?.compiled ?? {};
    const unmoved = unmovedDirs(st?.previous?.compiledDirs);
    const rendered = new Set<string>();
    const volatile = new Set<string>();
    let codeChanged = false;
    // A lazily read manifest (parse/partial/lazy.ts): a reused render in an unmoved folder needs
    // nothing of its node, so the node is not read; `compiled` reads its SQL if asked for it.
    const lz = lazyManifest ? lazyNodesOf(s.manifest.nodes) : undefined;
    const unread: string[] = [];
    // Both cores: rendering is synchronous, writing files is not; keep a few nodes in flight.
    let next = 0;
    const writer = new BackgroundWriter();
    const work = async () => {
      while (next < ids.length) {
        const id = ids[next++];
        if (lz && !lz.loaded(id)) {
          const prev = onDisk[id];
          // The file recorded is still there (its folder's stamp, or its own, did not move).
          if (prev && canReuseRenderOf(st, id, lz.brief(id)!) && (unmoved.has(prev[2].slice(0, prev[2].lastIndexOf('/'))) || sameStamp(stampOf(prev[2]) ?? undefined, prev[1]))) {
            unread.push(id);
            continue;
          }
        }
        const n = s.manifest.nodes[id];
        try {
          const reuse = canReuseRender(st, n);
          const prev = onDisk[id];
          // A reused render keeps its file and compiled_path (a moved file is a full parse).
          const path = reuse && prev && n.compiled_path ? prev[2] : compiledPath(s.targetDir, 'compiled', n);
          let sql: string;
          if (reuse) sql = n.compiled_code!;
          else {
            const r = await compileNodeTracked(ctx, n);
            sql = r.sql;
            rendered.add(id);
            if (r.volatile) volatile.add(id);
            if (sql !== n.compiled_code) codeChanged = true;
          }
          compiled[id] = sql;
          n.compiled_code = sql;
          if (!(reuse && prev && n.compiled_path)) {
            n.compiled_path = artifactPath(s.project.root, path);
            st?.touched.add(id);
          }
          const text = sql.endsWith('\n') ? sql : sql + '\n';
          // A reused render in a folder nothing was added to or removed from is the file recorded.
          const same = prev && prev[2] === path && ((reuse && unmoved.has(dirname(path))) || sameStamp(stampOf(path) ?? undefined, prev[1])) && (reuse || prev[0] === sha256(text));
          if (!same) writer.write(path, text, st ? id : undefined);
        } catch (e) {
          if (e instanceof MflowError) errors.push(e);
          else throw e;
        }
      }
    };
    try {
      await Promise.all([work(), work(), work(), work()]);
      phase('render');
      if (errors.length) {
        const { MflowErrors } = await import('./errors.js');
        throw new MflowErrors(errors);
      }
      if (opts.inline) {
        const node = { ...Object.values(s.manifest.nodes).find((x) => x.resource_type === 'model') ?? ({} as never), unique_id: 'sql_operation.inline', name: 'inline', resource_type: 'model', raw_code: opts.inline, original_file_path: '<inline>', checksum: { name: 'sha256', checksum: String(Date.now()) }, config: { materialized: 'view', enabled: true, tags: [], meta: {}, pre_hook: [], post_hook: [] } } as never;
        compiled.inline = await compileNode(ctx, node);
      }
    } finally {
      await writer.close();
      phase('compiled files');
    }
    // After the compiled files, so the cache records their stamps; the manifest only if it changed.
    saveCompile(s.targetDir, s.manifest, { written: writer.written, rendered, volatile, codeChanged, ids, fullSelection });
    phase('manifest');
    if (lz) phase(`manifest: ${lz.parsed} of ${ids.length} nodes read`);
    return { compiled: unread.length ? withUnread(compiled, unread, s.manifest) : compiled, count: Object.keys(compiled).length + unread.length - (opts.inline ? 1 : 0), manifestPath: join(s.targetDir, 'manifest.json'), parse: st ? { mode: st.mode, reason: st.reason, ...(lz ? { nodesRead: lz.parsed } : {}) } : undefined };
  });
}


/** `compiled` plus the reused renders of nodes not read: each node's SQL is read when asked for. */
function withUnread(compiled: Record<string, string>, unread: string[], m: Manifest): Record<string, string> {
  const more = new Set(unread);
  const extra = (k: string | symbol): k is string => typeof k === 'string' && more.has(k) && !Object.prototype.hasOwnProperty.call(compiled, k);
  return new Proxy(compiled, {
    get: (t, k) => (extra(k) ? m.nodes[k].compiled_code : Reflect.get(t, k)),
    has: (t, k) => extra(k) || Reflect.has(t, k),
    ownKeys: (t) => [...Reflect.ownKeys(t), ...unread.filter((id) => !Object.prototype.hasOwnProperty.call(t, id))],
    getOwnPropertyDescriptor: (t, k) => (extra(k) ? { value: m.nodes[k].compiled_code, writable: true, enumerable: true, configurable: true } : Reflect.getOwnPropertyDescriptor(t, k)),
  });
}

export interface LsItem {
  unique_id: string;
  name: string;
  resource_type: string;
  fqn: string[];
  path: string;
  materialized: string;
  tags: string[];
}

/** `mflow ls`: what a selection picks, without touching the warehouse. */
export async function ls(opts: CommonOptions & { resourceTypes?: ResourceType[] } = {}): Promise<LsItem[]> {
  const s = await Session.open({ ...opts, writeArtifacts: opts.writeArtifacts ?? true });
  s.flushManifest();
  const types = opts.resourceTypes ?? ['model', 'seed', 'snapshot', 'test', 'unit_test', 'analysis', 'source', 'exposure', 'metric', 'semantic_model', 'saved_query'];
  const ids = selectFor(s, opts, types as ResourceType[]);
  const order = s.dag.topoSort(new Set(ids));
  return order.map((id) => {
    const n = s.manifest.nodes[id];
    if (n) return { unique_id: id, name: n.name, resource_type: n.resource_type, fqn: n.fqn, path: n.original_file_path, materialized: String(n.config.materialized), tags: n.tags };
    const src = s.manifest.sources[id];
    if (!src) {
      const r = GRAPH_RESOURCE_KEYS.map((k) => s.manifest[k]?.[id]).find(Boolean)!;
      return { unique_id: id, name: r.name, resource_type: r.resource_type, fqn: r.fqn ?? [], path: r.original_file_path, materialized: r.resource_type, tags: r.tags ?? [] };
    }
    return { unique_id: id, name: `${src.source_name}.${src.name}`, resource_type: 'source', fqn: src.fqn, path: src.original_file_path, materialized: 'source', tags: src.tags };
  });
}

/** `mflow show`: runs a node's compiled SQL (or an inline query) and returns a preview. */
export async function show(opts: CommonOptions & { inline?: string; limit?: number } = {}): Promise<QueryResult & { sql: string }> {
  return withSession(opts, async (s) => {
    const adapter = await s.connect();
    const relations = new RelationCache(adapter);
    const ctx = { manifest: s.manifest, runtime: s.runtime, adapter, relations, fullRefresh: false };
    let sql: string;
    if (opts.inline) {
      const base = Object.values(s.manifest.nodes)[0];
      const node = { ...(base ?? {}), unique_id: 'sql_operation.inline', name: 'inline', resource_type: 'model', raw_code: opts.inline, original_file_path: '<inline>', refs: [], checksum: { name: 'sha256', checksum: opts.inline }, config: { materialized: 'view', enabled: true, tags: [], meta: {}, pre_hook: [], post_hook: [] } } as never;
      sql = await compileNode(ctx, node);
    } else {
      let ids = selectFor(s, opts, ['model', 'seed', 'snapshot', 'analysis', 'test']);
      // `-s model` also picks the model's tests (indirect selection): preview the one node that is not a test.
      const nonTests = ids.filter((id) => s.manifest.nodes[id]?.resource_type !== 'test');
      if (ids.length > 1 && nonTests.length === 1) ids = nonTests;
      if (ids.length !== 1) throw new MflowError('USAGE', ids.length ? `show needs exactly one node; the selection matched ${ids.length}` : 'show: the selection matched no node', { hint: 'Use mflow show -s <model> or --inline "select ...".' });
      const n = s.manifest.nodes[ids[0]];
      sql = n.resource_type === 'seed' || n.resource_type === 'snapshot' ? `select * from ${n.relation_name}` : await compileNode(ctx, n);
    }
    const limit = opts.limit ?? 5;
    const c = await adapter.acquire();
    try {
      const r = await c.execute(limit >= 0 ? `select * from (\n${sql}\n) as mflow_show limit ${limit}` : sql);
      return { ...r, sql };
    } finally {
      adapter.release(c);
    }
  });
}

export interface DebugReport {
  projectFile: string;
  projectName: string;
  target: Record<string, unknown>;
  profileSource: string;
  connection: 'OK' | string;
  versions: Record<string, string>;
}

/** `mflow debug`: configuration and a connection test, with secrets masked. */
export async function debug(opts: CommonOptions = {}): Promise<DebugReport> {
  const { config, target } = loadProject({ projectDir: opts.projectDir, profilesDir: opts.profilesDir, target: opts.target, env: opts.env });
  let connection = 'OK';
  try {
    const a = await createAdapter(target, { progress: (msg) => opts.console?.emit({ type: 'info', msg }) });
    const c = await a.acquire();
    try {
      await c.execute('select 1 as ok');
    } finally {
      a.release(c);
      await a.close();
    }
  } catch (e) {
    const hint = (e as { hint?: string }).hint;
    connection = `FAILED: ${(e as Error).message}${hint ? ` (${hint})` : ''}`;
  }
  const { MFLOW_VERSION } = await import('./version.js');
  return { projectFile: join(config.root, config.file), projectName: config.name, target: maskTarget(target), profileSource: target.source, connection, versions: { mflow: MFLOW_VERSION, node: process.version } };
}

/** `mflow clean`: removes clean-targets (target/ by default). */
export function clean(opts: CommonOptions = {}): string[] {
  const { config } = loadProject({ projectDir: opts.projectDir, profilesDir: opts.profilesDir, target: opts.target, env: opts.env });
  const removed: string[] = [];
  for (const t of config.cleanTargets) {
    const p = resolve(config.root, t);
    if (!p.startsWith(config.root + '/') || p === config.root) throw new MflowError('CONFIG', `clean-targets entry '${t}' is outside the project folder`, { file: config.file });
    if (existsSync(p)) {
      rmSync(p, { recursive: true, force: true });
      removed.push(t);
    }
  }
  return removed;
}
