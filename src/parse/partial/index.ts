import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Manifest, ManifestNode } from '../../contracts/manifest.js';
import { parentChildMaps } from '../../graph/maps.js';
import { JinjaRuntime } from '../../jinja/context.js';
import type { ResolvedTarget } from '../../project/types.js';
import { sha256 } from '../../util/fs.js';
import { phase } from '../../util/timing.js';
import { MFLOW_VERSION } from '../../version.js';
import type { ParseOptions, ParseResult } from '../parse-context.js';
import { graphOf, parseHost } from '../parse-host.js';
import { pickVersion } from '../../graph/versions.js';
import { renderNodeOf } from '../../jinja/render-node.js';
import { CACHE_FORMAT, INTERNAL_MANIFEST, readCache, type PartialCache } from './cache.js';
import { parseRoots, sameStamp, stampFiles, stampOf, type FileStamp, type Scan } from './files.js';
import { envVarsRead, readsOwnConfig, volatileJinja } from './scan.js';
import { RACY_MS, inputKeyOf } from './key.js';
import { briefOfNode, closeSource, lazyNodesOf, openSource, readIndex, readLazy, readRange, type ManifestIndex, type NodeBrief, type Source } from './lazy.js';

/**
 * Partial parsing, as dbt has it: target/partial_parse.json records what the last parse saw (file
 * stamps, the inputs of every render, env vars read); when the files that changed are only the
 * bodies of models, analyses or singular tests, and their config(), refs and sources can be
 * re-read without touching anything else, the previous manifest is reused with those nodes
 * updated. Anything else — a macro, a properties file, a var, a target, an env var, a project
 * setting, a file added, removed or renamed, a cache that does not match — is a full parse.
 */
export interface PartialOptions extends ParseOptions {
  targetDir: string;
  /** false: --no-partial-parse (MFLOW_PARTIAL_PARSE=0 has the same effect). */
  enabled?: boolean;
  /** The files and cache as the same command's up-to-date check found them a moment ago. */
  scan?: Scan | null;
  /**
   * A reused manifest's nodes may be read lazily (lazy.ts): for a command whose hot paths ask only
   * briefs of most nodes (compile of the whole project). Others parse the manifest whole.
   */
  lazy?: boolean;
}

export interface PartialState {
  mode: 'full' | 'partial';
  /** Why the cache was not used (for MFLOW_TIMING and tests). */
  reason: string;
  /** The cache to write once the command's artifacts are written. */
  next: PartialCache;
  /** The cache read at the start (its compiled-file records describe what is on disk). */
  previous: PartialCache | null;
  /** Nodes re-parsed in a partial parse, and those whose render includes theirs (ephemeral). */
  dirty: Set<string>;
  /** Whether the manifest differs from target/manifest.json beyond its metadata. */
  manifestChanged: boolean;
  /** Whether any edge of the graph changed (a reused graph with the same edges has no new cycle). */
  graphChanged: boolean;
  /** Every macro's text is free of volatile Jinja (see scan.ts). */
  macrosStable: boolean;
  /** Nodes the previous compile found volatile. */
  volatile: Set<string>;
  targetDir: string;
  projectRoot: string;
  /**
   * The bytes of target/partial_parse_manifest.json as read whole (partial parse only; a lazy read keeps `source` instead), and the nodes
   * that may differ from it: a manifest whose graph did not change is written by replacing only
   * these nodes' slices of the old text (artifacts/splice.ts). Whoever changes a node of a reused
   * manifest adds it here, or the written manifest would keep its old text.
   */
  bytes: Buffer | null;
  /** The same file, open, when it was read lazily (lazy.ts): a splice copies from it. */
  source: Source | null;
  /** The index of `bytes`' nodes (partial_parse_index.json), when one matches; read when first asked for. */
  index: () => ManifestIndex | null;
  touched: Set<string>;
  /** Whether a node's render is stable (stableRender), known without reading it: by id, from the cache. */
  stable: (id: string) => boolean | undefined;
}

const states = new WeakMap<Manifest, PartialState>();

export function partialStateOf(m: Manifest): PartialState | undefined {
  return states.get(m);
}


export async function parseWithCache(o: PartialOptions): Promise<ParseResult> {
  const p = o.project;
  const env = o.env ?? process.env;
  const enabled = o.enabled !== false && env.MFLOW_PARTIAL_PARSE !== '0' && env.MFLOW_PARTIAL_PARSE !== 'false';
  const earlier = o.scan && o.scan.root === p.root && o.scan.targetDir === o.targetDir ? o.scan : null;
  const scannedAt = earlier?.scannedAt ?? Date.now();
  const stamps = earlier?.stamps ?? stampFiles(p.root, parseRoots(p));
  const key = inputKeyOf(o.project, o.target, o.dialect.type, o.vars ?? {});
  const previous = earlier ? (earlier.cache as PartialCache | null) : readCache(o.targetDir);
  phase('partial: stamps, cache');
  const loadWarnings = o.warnings.length;
  let reason = enabled ? (previous ? '' : 'no cache') : 'partial parsing is off';
  if (enabled && previous) {
    const r = await tryPartial(o, previous, key, stamps, scannedAt);
    phase('result' in r ? 'partial: reused' : `partial: full (${r.reason.slice(0, 60)})`);
    if ('result' in r) return r.result;
    reason = r.reason;
  } else phase(`partial: full (${reason})`);
  // The parser itself is loaded only for a full parse (a partial one needs none of its phases).
  const { parseProject } = await import('../build.js');
  const result = await parseProject(o);
  const envUse = envOfProject(o, result.manifest, stamps);
  const next: PartialCache = {
    format: CACHE_FORMAT,
    key,
    files: Object.fromEntries(stamps),
    scannedAt,
    env: envUse.dynamic ? {} : Object.fromEntries(envUse.names.map((k) => [k, env[k] ?? null])),
    dynamicEnv: envUse.dynamic,
    hashes: envUse.hashes,
    manifest: null,
    manifestBody: null,
    manifestIndex: null,
    dbtManifest: null,
    warnings: o.warnings.slice(loadWarnings),
    compiled: previous?.compiled ?? {},
    volatile: [],
  };
  states.set(result.manifest, { mode: 'full', reason, next, previous, dirty: new Set(), manifestChanged: true, graphChanged: true, macrosStable: macrosStable(result.manifest), volatile: new Set(), targetDir: o.targetDir, projectRoot: p.root, bytes: null, source: null, index: () => null, touched: new Set(), stable: () => undefined });
  return result;
}

type Attempt = { result: ParseResult } | { reason: string };

async function tryPartial(o: PartialOptions, old: PartialCache, key: string, stamps: Map<string, FileStamp>, scannedAt: number): Promise<Attempt> {
  const p = o.project;
  const env = o.env ?? process.env;
  const no = (reason: string): Attempt => ({ reason });
  if (old.key !== key) return no('project config, target, vars or mflow changed');
  if (old.dynamicEnv) return no('env_var() with a computed name');
  for (const [k, v] of Object.entries(old.env)) if ((env[k] ?? null) !== v) return no(`env var ${k} changed`);
  if (Object.keys(old.files).length !== stamps.size) return no('files added or removed');
  const touched: string[] = [];
  for (const [path, st] of stamps) {
    const prev = old.files[path];
    if (!prev) return no(`new file ${path}`);
    if (!sameStamp(prev, st) || prev[1] >= old.scannedAt - RACY_MS) touched.push(path);
  }
  const manifestPath = join(o.targetDir, INTERNAL_MANIFEST);
  if (!old.manifest || !sameStamp(stampOf(manifestPath) ?? undefined, old.manifest)) return no(`${INTERNAL_MANIFEST} is missing or was written by something else`);
  if (!old.dbtManifest || !sameStamp(stampOf(join(o.targetDir, 'manifest.json')) ?? undefined, old.dbtManifest)) return no('manifest.json is missing or was written by something else');
  let manifest: Manifest | null;
  let bytes: Buffer | null = null;
  let src: Source;
  // Read now for a lazy read; otherwise only if a splice asks for it (commit.ts).
  let index: ManifestIndex | null | undefined;
  const indexOf = () => (index === undefined ? (index = readIndex(o.targetDir, old.manifestIndex, src.size)) : index);
  try {
    src = openSource(manifestPath);
    manifest = o.lazy && indexOf() ? readLazy(src, index!) : null;
    if (!manifest) {
      bytes = readRange(src, 0, src.size);
      closeSource(src);
      manifest = JSON.parse(bytes.toString('utf8')) as Manifest;
    }
  } catch {
    return no('manifest.json cannot be read');
  }
  if (manifest.metadata?.mflow_version !== MFLOW_VERSION || manifest.metadata.project_name !== p.name) return no('manifest.json is of another project or version');

  phase('partial: manifest read');
  const invocationId = o.invocationId ?? randomUUID();
  // Built on first use: a compile with nothing to render never needs the macros compiled.
  // `graph` is filled once the parse is done (as after a full parse): a model that counts the graph's
  // nodes at execution must not see the empty graph of parse time.
  const rt: { made: JinjaRuntime | null; parsed: boolean } = { made: null, parsed: false };
  const runtime = lazy(() => {
    rt.made = runtimeFor(o, manifest, invocationId);
    if (rt.parsed) rt.made.setGraph(graphOf(manifest));
    return rt.made;
  });
  // Briefs of the nodes (lazy.ts): what is asked of every node here, without reading each one.
  const lz = lazyNodesOf(manifest.nodes);
  const nodeIds = lz ? lz.ids() : Object.keys(manifest.nodes);
  let made: [string, NodeBrief][] | null = null;
  const briefs = () => (made ??= lz ? nodeIds.map((id) => [id, lz.brief(id)!]) : nodeIds.map((id) => [id, briefOfNode(manifest.nodes[id])]));
  const briefOf = (id: string) => (lz ? lz.brief(id) : manifest.nodes[id] && briefOfNode(manifest.nodes[id]));
  // The nodes of a touched file: a scan of the briefs for a few files, a map for more.
  let byFile: Map<string, string[]> | null = null;
  const nodesOf = (path: string) => {
    if (touched.length <= 8) return briefs().filter(([, b]) => b.original_file_path === path).map(([id]) => manifest.nodes[id]);
    if (!byFile) {
      byFile = new Map();
      for (const [id, b] of briefs()) {
        const list = byFile.get(b.original_file_path);
        if (list) list.push(id);
        else byFile.set(b.original_file_path, [id]);
      }
    }
    return (byFile.get(path) ?? []).map((id) => manifest.nodes[id]);
  };
  const changed: ManifestNode[] = [];
  let graphChanged = false;
  const envNames: string[] = [];
  for (const path of touched) {
    // Another file (macro, properties, docs, snapshot, seed): reused only if its content is the same.
    if (old.hashes[path] !== undefined || path.endsWith('.csv')) {
      const here = nodesOf(path);
      let same = false;
      try {
        if (path.endsWith('.csv')) same = here.length === 1 && here[0].resource_type === 'seed' && here[0].checksum.checksum === sha256(readFileSync(join(p.root, path)));
        else same = old.hashes[path] === sha256(readFileSync(join(p.root, path), 'utf8'));
      } catch {
        same = false;
      }
      if (same) continue;
      return no(`${path} changed`);
    }
    const here = nodesOf(path);
    if (here.length !== 1) return no(`${path} changed`);
    const n = here[0];
    // Nodes of installed packages resolve refs and macros in their own package first: full parse.
    if (!['model', 'analysis', 'test'].includes(n.resource_type) || n.test_metadata || n.version != null || n.package_name !== p.name) return no(`${path} changed`);
    let text: string;
    try {
      text = readFileSync(join(p.root, path), 'utf8');
    } catch {
      return no(`${path} cannot be read`);
    }
    if (text === n.raw_code) continue; // touched, not changed
    if (briefs().some(([, u]) => u.resource_type === 'unit_test' && u.attached_node === n.unique_id)) return no(`${path} changed and has unit tests`);
    const use = envVarsRead(text);
    if (use.dynamic) return no(`${path} uses env_var() with a computed name`);
    envNames.push(...use.names);
    const edges = JSON.stringify(n.depends_on.nodes);
    const r = await reparse(o, runtime, manifest, n, text, briefs());
    if (typeof r === 'string') return no(`${path}: ${r}`);
    if (JSON.stringify(n.depends_on.nodes) !== edges) graphChanged = true;
    changed.push(n);
  }

  const dirty = new Set<string>();
  if (changed.length) {
    // The same edges give the same maps (10,000 nodes: about 0.1 s to build them again).
    if (graphChanged) {
      const maps = parentChildMaps(manifest.nodes, Object.keys(manifest.sources));
      manifest.parent_map = maps.parent_map;
      manifest.child_map = maps.child_map;
    }
    // A child of an ephemeral node renders the parent's SQL into its own: it is dirty too.
    const visit = (id: string) => {
      if (dirty.has(id)) return;
      dirty.add(id);
      if (briefOf(id)?.materialized === 'ephemeral') for (const c of manifest.child_map[id] ?? []) visit(c);
    };
    for (const n of changed) visit(n.unique_id);
    for (const id of dirty) {
      const n = manifest.nodes[id];
      if (!n) continue;
      delete n.compiled_code;
      delete n.compiled_path;
    }
  }
  manifest.metadata.generated_at = new Date().toISOString();
  manifest.metadata.invocation_id = invocationId;
  // Which renders are stable was found by the last compile; only a re-parsed node can differ.
  const un = old.unstable ? new Set(old.unstable) : null;
  const has = lz ? (id: string) => lz.has(id) : (id: string) => id in manifest.nodes;
  const stableIds = (id: string) => (un && !dirty.has(id) && has(id) ? !un.has(id) : undefined);
  o.warnings.push(...old.warnings);
  const next: PartialCache = {
    ...old,
    files: Object.fromEntries(stamps),
    scannedAt,
    env: { ...old.env, ...Object.fromEntries(envNames.map((k) => [k, env[k] ?? null])) },
    // The compiled files no longer match the nodes: until a compile writes them, none is up to date
    // (a `parse` or `run -s other` after an edit must not leave the next compile saying so).
    lastCompile: changed.length ? null : old.lastCompile,
    // Likewise the record of unstable renders (a compile makes it again, fixing the re-parsed nodes).
    unstable: changed.length ? null : old.unstable,
  };
  states.set(manifest, { mode: 'partial', reason: '', next, previous: old, dirty, manifestChanged: changed.length > 0, graphChanged, macrosStable: macrosStable(manifest), volatile: new Set(old.volatile), targetDir: o.targetDir, projectRoot: p.root, bytes, source: bytes ? null : src, index: indexOf, touched: new Set(dirty), stable: stableIds });
  rt.parsed = true;
  rt.made?.setGraph(graphOf(manifest));
  return { result: { manifest, runtime } };
}

/**
 * Re-reads one node's refs, sources and config() from its new text. The old text is rendered
 * again first: if that does not give what the manifest holds, the cache is not trusted. A config()
 * that changed is a full parse (it can move the node, or change its tests and children).
 */
async function reparse(o: PartialOptions, runtime: JinjaRuntime, m: Manifest, n: ManifestNode, text: string, briefs: [string, NodeBrief][]): Promise<string | null> {
  const p = o.project;
  if (readsOwnConfig(n.raw_code) || readsOwnConfig(text)) return 'reads its own config while parsing';
  const host = { ...parseHost(o.dialect), discardOutput: true };
  const render = async (body: string) => {
    try {
      return (await runtime.render(body, renderNodeOf(n, 1), host, `${n.original_file_path}\0partial\0${sha256(body)}`)).recorded;
    } catch {
      return null;
    }
  };
  const before = await render(n.raw_code);
  const after = await render(text);
  if (!before || !after) return 'does not parse';
  const macroIds = (names: Set<string>) => [...names].map((x) => `macro.${p.name}.${x}`).filter((x) => m.macros[x]).sort();
  for (const id of [...macroIds(before.macros), ...macroIds(after.macros)]) if (readsOwnConfig(m.macros[id].macro_sql)) return `calls ${id}, which reads the node's config`;
  if (JSON.stringify(before.refs) !== JSON.stringify(n.refs) || JSON.stringify(before.sources) !== JSON.stringify(n.sources) || JSON.stringify(macroIds(before.macros)) !== JSON.stringify(n.depends_on.macros)) return 'the cache does not match the manifest';
  if (JSON.stringify(before.config) !== JSON.stringify(after.config)) return 'config() changed';
  const deps = new Set<string>();
  for (const r of after.refs) {
    const cands = briefs.filter(([, x]) => x.name === r.name && x.resource_type !== 'test' && x.resource_type !== 'analysis' && x.resource_type !== 'unit_test').map(([id]) => m.nodes[id]);
    if (new Set(cands.map((x) => x.package_name)).size > 1 || r.package) return `ref('${r.name}') names a node of a package`;
    const picked = cands.length ? pickVersion(cands, r.version) : undefined;
    if (!picked) return `ref('${r.name}') is not a node`;
    deps.add(picked.unique_id);
  }
  for (const [src, tbl] of after.sources) {
    const id = `source.${p.name}.${src}.${tbl}`;
    if (!m.sources[id]) return `source('${src}', '${tbl}') is not declared`;
    deps.add(id);
  }
  n.raw_code = text;
  n.checksum = { name: 'sha256', checksum: sha256(text) };
  n.refs = after.refs;
  n.sources = after.sources;
  n.depends_on.nodes = [...deps].sort();
  n.depends_on.macros = macroIds(after.macros);
  return null;
}

function runtimeFor(o: PartialOptions, m: Manifest, invocationId: string): JinjaRuntime {
  const docs: Record<string, string> = {};
  for (const d of Object.values(m.docs)) docs[d.name] = d.block_contents;
  return new JinjaRuntime({
    projectName: o.project.name,
    dialect: o.dialect,
    target: maskedTarget(o.target),
    vars: { ...o.project.vars, ...(o.vars ?? {}) },
    env: o.env,
    macros: Object.values(m.macros),
    docs,
    invocationId,
  });
}

/** An object made on first access; every property and method goes to it. */
function lazy<T extends object>(make: () => T): T {
  let real: T | null = null;
  const get = () => (real ??= make());
  return new Proxy({} as T, {
    get(_, k) {
      const r = get();
      const v = Reflect.get(r, k, r);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(r) : v;
    },
    set(_, k, v) {
      return Reflect.set(get(), k, v);
    },
    has(_, k) {
      return Reflect.has(get(), k);
    },
  });
}

function maskedTarget(t: ResolvedTarget): ResolvedTarget {
  const out = { ...t } as Record<string, unknown>;
  for (const k of t.secretKeys) delete out[k];
  delete out.secretKeys;
  return out as unknown as ResolvedTarget;
}

/** The env vars any file of the project names in env_var() (project.yml and profiles are in the key). */
function envOfProject(o: PartialOptions, m: Manifest, stamps: Map<string, FileStamp>): { names: string[]; dynamic: boolean; hashes: Record<string, string> } {
  const names = new Set<string>();
  const hashes: Record<string, string> = {};
  let dynamic = false;
  const add = (text: string) => {
    const u = envVarsRead(text);
    dynamic ||= u.dynamic;
    for (const x of u.names) names.add(x);
  };
  // A model, analysis or singular test is its file's whole text: no need to read it again.
  const nodeText = new Map<string, string>();
  for (const n of Object.values(m.nodes)) if ((n.resource_type === 'model' || n.resource_type === 'analysis' || n.resource_type === 'test') && !n.test_metadata) nodeText.set(n.original_file_path, n.raw_code);
  for (const path of stamps.keys()) {
    if (path.endsWith('.csv')) continue;
    const known = nodeText.get(path);
    if (known !== undefined) add(known);
    else {
      try {
        const text = readFileSync(join(o.project.root, path), 'utf8');
        hashes[path] = sha256(text);
        add(text);
      } catch {
        dynamic = true;
      }
    }
  }
  return { names: [...names].sort(), dynamic, hashes };
}

function macrosStable(m: Manifest): boolean {
  return Object.values(m.macros).every((x) => !volatileJinja(x.macro_sql));
}

/** Whether a node's compiled SQL from the manifest can stand for a new render. */
export function canReuseRender(st: PartialState | undefined, n: ManifestNode): boolean {
  if (!st || st.mode !== 'partial' || typeof n.compiled_code !== 'string') return false;
  if (st.dirty.has(n.unique_id) || !st.macrosStable || !st.previous?.compiled[n.unique_id]) return false;
  return !st.volatile.has(n.unique_id) && (st.stable(n.unique_id) ?? stableRender(n));
}

/**
 * canReuseRender from a node's brief, without reading the node: true only when the answer is
 * known to be yes (the node has compiled SQL and the cache knows its render is stable).
 */
export function canReuseRenderOf(st: PartialState | undefined, id: string, b: NodeBrief): boolean {
  if (!st || st.mode !== 'partial' || !b.compiled) return false;
  if (st.dirty.has(id) || !st.macrosStable || !st.previous?.compiled[id]) return false;
  return !st.volatile.has(id) && st.stable(id) === true;
}

/** stableRender of the node `id` of `m`, from the cache's record when it has one (no node read). */
export function stableById(st: PartialState, m: Manifest, id: string): boolean {
  return st.stable(id) ?? stableRender(m.nodes[id]);
}

/** A render that only the node's files and the cache's key decide (no is_incremental(), no volatile Jinja). */
export function stableRender(n: ManifestNode): boolean {
  let v = stable.get(n);
  if (v === undefined) stable.set(n, (v = n.config.materialized !== 'incremental' && !volatileJinja(n.raw_code)));
  return v;
}
const stable = new WeakMap<ManifestNode, boolean>();
