import { GRAPH_RESOURCE_KEYS, type Manifest, type ManifestNode, type ResourceType, type SourceTable } from '../contracts/manifest.js';

/** What every selector method needs to know about one node, source or unit test. */
export interface IndexEntry {
  id: string;
  resourceType: ResourceType;
  name: string;
  packageName: string;
  fqn: string[];
  /** Project-relative file (original_file_path), `/`-separated. */
  file: string;
  /** The properties (yml) file that patched this node, when known. */
  patchFile?: string;
  tags: string[];
  config: Record<string, unknown>;
  /** Generic tests: the test's macro name (unique, not_null, relationships, ...). */
  testName?: string;
  sourceName?: string;
  version?: string | number | null;
  latestVersion?: string | number | null;
  /** fqn split on dots too (dots in names are namespace separators in dbt). */
  flatFqn: string[];
  /** How many leading flatFqn parts are the package name. */
  packageParts: number;
  /** Only manifest.nodes (and unit tests) take part in fqn matching, as in dbt; sources do not. */
  inFqnSearch: boolean;
  raw: ManifestNode | SourceTable | UnitTestLike;
}

export interface UnitTestLike {
  unique_id: string;
  resource_type?: string;
  name?: string;
  package_name?: string;
  fqn?: string[];
  original_file_path?: string;
  tags?: string[];
  config?: Record<string, unknown>;
  depends_on?: { nodes?: string[]; macros?: string[] };
  [key: string]: unknown;
}

/**
 * Lookup tables built once per manifest so that each selector term costs a map lookup (or a scan
 * of distinct keys for wildcards), never a scan of every node per term.
 */
export class NodeIndex {
  readonly entries = new Map<string, IndexEntry>();
  /** Enabled entries only: disabled nodes are never selected. */
  readonly enabled: string[] = [];
  readonly byType = new Map<string, string[]>();
  readonly byTag = new Map<string, string[]>();
  readonly byPackage = new Map<string, string[]>();
  readonly byTestName = new Map<string, string[]>();
  readonly sources: string[] = [];
  // Name and file lookups are the costly ones (several keys per node), so each family is built on
  // first use: `tag:x` never pays for fqn prefixes.
  private fqn?: { byLeaf: Map<string, string[]>; byFqnPrefix: Map<string, string[]>; fqnNodes: string[] };
  private files?: { byFile: Map<string, string[]>; byDir: Map<string, string[]>; byBaseName: Map<string, string[]>; byStem: Map<string, string[]> };

  constructor(readonly manifest: Manifest) {
    for (const [id, s] of Object.entries(manifest.sources)) this.add(fromSource(id, s));
    for (const [id, n] of Object.entries(manifest.nodes)) this.add(fromNode(id, n));
    for (const [id, u] of Object.entries(manifest.unit_tests ?? {})) {
      if (!this.entries.has(id) && u && typeof u === 'object') this.add(fromUnitTest(id, u as UnitTestLike));
    }
    for (const key of GRAPH_RESOURCE_KEYS) for (const [id, r] of Object.entries(manifest[key] ?? {})) this.add({ ...fromUnitTest(id, r as UnitTestLike), resourceType: r.resource_type as ResourceType, inFqnSearch: false });
  }

  private add(e: IndexEntry): void {
    this.entries.set(e.id, e);
    if (e.config.enabled === false) return;
    const id = e.id;
    this.enabled.push(id);
    push(this.byType, e.resourceType, id);
    push(this.byPackage, e.packageName, id);
    for (let i = 0; i < e.tags.length; i++) if (e.tags.indexOf(e.tags[i]) === i) push(this.byTag, e.tags[i], id);
    if (e.testName) push(this.byTestName, e.testName, id);
    if (e.resourceType === 'source') this.sources.push(id);
  }

  get byLeaf(): Map<string, string[]> {
    return (this.fqn ??= this.buildFqn()).byLeaf;
  }

  get byFqnPrefix(): Map<string, string[]> {
    return (this.fqn ??= this.buildFqn()).byFqnPrefix;
  }

  /** Nodes that take part in fqn matching (manifest.nodes and unit tests, not sources, as in dbt). */
  get fqnNodes(): string[] {
    return (this.fqn ??= this.buildFqn()).fqnNodes;
  }

  get byFile(): Map<string, string[]> {
    return (this.files ??= this.buildFiles()).byFile;
  }

  get byDir(): Map<string, string[]> {
    return (this.files ??= this.buildFiles()).byDir;
  }

  get byBaseName(): Map<string, string[]> {
    return (this.files ??= this.buildFiles()).byBaseName;
  }

  get byStem(): Map<string, string[]> {
    return (this.files ??= this.buildFiles()).byStem;
  }

  private buildFqn() {
    const out = { byLeaf: new Map<string, string[]>(), byFqnPrefix: new Map<string, string[]>(), fqnNodes: [] as string[] };
    for (const id of this.enabled) {
      const e = this.entries.get(id)!;
      if (!e.inFqnSearch || e.fqn.length === 0) continue;
      out.fqnNodes.push(id);
      for (const leaf of leafNames(e)) pushOnce(out.byLeaf, leaf, id);
      // Prefixes of the fqn with and without its package: `mediflow.staging` and `staging` both
      // select the staging folder, `staging.stg_claims` the model, as dbt allows.
      const flat = e.flatFqn;
      for (let from = 0; from <= e.packageParts; from += e.packageParts || 1) {
        let key = '';
        for (let i = from; i < flat.length; i++) {
          key = i === from ? flat[i] : `${key}.${flat[i]}`;
          pushOnce(out.byFqnPrefix, key, id);
        }
        if (e.packageParts === 0) break;
      }
    }
    return out;
  }

  private buildFiles() {
    const out = { byFile: new Map<string, string[]>(), byDir: new Map<string, string[]>(), byBaseName: new Map<string, string[]>(), byStem: new Map<string, string[]>() };
    for (const id of this.enabled) {
      const e = this.entries.get(id)!;
      const files = e.patchFile && e.patchFile !== e.file ? [e.file, e.patchFile] : [e.file];
      for (const f of files) {
        if (!f) continue;
        push(out.byFile, f, id);
        const base = f.slice(f.lastIndexOf('/') + 1);
        push(out.byBaseName, base, id);
        const dot = base.lastIndexOf('.');
        if (dot > 0) push(out.byStem, base.slice(0, dot), id);
        for (let i = f.indexOf('/'); i !== -1; i = f.indexOf('/', i + 1)) pushOnce(out.byDir, f.slice(0, i), id);
      }
    }
    return out;
  }

  get(id: string): IndexEntry | undefined {
    return this.entries.get(id);
  }

  isEnabled(id: string): boolean {
    const e = this.entries.get(id);
    return e !== undefined && e.config.enabled !== false;
  }
}

/** The index is pure data derived from the manifest, so it is cached per manifest object. */
const cache = new WeakMap<Manifest, NodeIndex>();
export function indexFor(m: Manifest): NodeIndex {
  let ix = cache.get(m);
  if (!ix) {
    ix = new NodeIndex(m);
    cache.set(m, ix);
  }
  return ix;
}

function flatten(fqn: string[]): { flatFqn: string[]; packageParts: number } {
  // Names rarely contain dots; skip the split-and-copy when none does.
  if (!fqn.some((p) => p.includes('.'))) return { flatFqn: fqn, packageParts: fqn.length ? 1 : 0 };
  return { flatFqn: fqn.flatMap((p) => p.split('.')), packageParts: fqn.length ? fqn[0].split('.').length : 0 };
}

function leafNames(e: IndexEntry): string[] {
  const fqn = e.fqn;
  if (e.version !== undefined && e.version !== null && fqn.length >= 2) {
    // Versioned models: fqn ends in [name, 'v2']; `name`, `name_v2` and `name.v2` all select it.
    return [fqn[fqn.length - 2], `${fqn[fqn.length - 2]}_${fqn[fqn.length - 1]}`, `${fqn[fqn.length - 2]}.${fqn[fqn.length - 1]}`];
  }
  return [fqn[fqn.length - 1]];
}

function push(map: Map<string, string[]>, key: string, id: string): void {
  const list = map.get(key);
  if (list) list.push(id);
  else map.set(key, [id]);
}

/** Same id may reach one key twice (scoped and unscoped fqn); keep lists free of repeats. */
function pushOnce(map: Map<string, string[]>, key: string, id: string): void {
  const list = map.get(key);
  if (!list) map.set(key, [id]);
  else if (list[list.length - 1] !== id) list.push(id);
}

function normPath(p: string | null | undefined): string | undefined {
  if (!p) return undefined;
  // dbt writes patch paths as `package://models/x.yml`.
  const noScheme = p.includes('://') ? p.slice(p.indexOf('://') + 3) : p;
  return noScheme.replace(/\\/g, '/').replace(/^\.\//, '');
}

function tagsOf(tags: unknown, configTags: unknown): string[] {
  const out: string[] = [];
  for (const t of [tags, configTags]) {
    if (Array.isArray(t)) {
      for (const x of t) if (typeof x === 'string') out.push(x);
    } else if (typeof t === 'string') {
      out.push(t);
    }
  }
  return out;
}

function fromNode(id: string, n: ManifestNode): IndexEntry {
  return {
    id,
    resourceType: n.resource_type,
    name: n.name,
    packageName: n.package_name,
    fqn: n.fqn ?? [],
    file: normPath(n.original_file_path) ?? '',
    patchFile: normPath(n.patch_path),
    tags: tagsOf(n.tags, n.config?.tags),
    config: (n.config ?? {}) as Record<string, unknown>,
    testName: n.resource_type === 'test' ? (n.test_metadata?.name ?? undefined) : undefined,
    version: n.version,
    latestVersion: n.latest_version,
    ...flatten(n.fqn ?? []),
    inFqnSearch: true,
    raw: n,
  };
}

function fromSource(id: string, s: SourceTable): IndexEntry {
  return {
    id,
    resourceType: 'source',
    name: s.name,
    packageName: s.package_name,
    fqn: s.fqn ?? [],
    file: normPath(s.original_file_path) ?? '',
    tags: tagsOf(s.tags, s.config?.tags),
    config: (s.config ?? { enabled: true }) as Record<string, unknown>,
    sourceName: s.source_name,
    ...flatten(s.fqn ?? []),
    inFqnSearch: false,
    raw: s,
  };
}

function fromUnitTest(id: string, u: UnitTestLike): IndexEntry {
  return {
    id,
    resourceType: 'unit_test',
    name: u.name ?? id.split('.').pop()!,
    packageName: u.package_name ?? id.split('.')[1] ?? '',
    fqn: u.fqn ?? [],
    file: normPath(u.original_file_path) ?? '',
    tags: tagsOf(u.tags, u.config?.tags),
    config: u.config ?? { enabled: true },
    ...flatten(u.fqn ?? []),
    inFqnSearch: true,
    raw: u,
  };
}
