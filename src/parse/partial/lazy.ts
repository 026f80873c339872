import { closeSync, fstatSync, openSync, readFileSync, readSync, writeSync } from 'node:fs';
import { writeAtomicWith } from '../../artifacts/write.js';
import { join } from 'node:path';
import type { Manifest, ManifestNode } from '../../contracts/manifest.js';

/**
 * The reused manifest read lazily. target/partial_parse_manifest.json is 15 MB at 10,000 models;
 * parsing it whole (and collecting the garbage) was most of a compile after one model changed. So
 * whoever writes it also writes target/partial_parse_index.json: where each node's JSON lies in
 * the file (byte offsets) and the few fields that a partial parse, the selection of the whole
 * project and the compile loop ask of every node (a NodeBrief). A partial parse then parses the
 * text around `nodes` (metadata, maps, sources, macros, docs) and gives `nodes` one getter per
 * node that parses that node's slice on first access; everything that reads a node keeps
 * working, and the paths that need only a brief ask `briefOf` instead of touching the node.
 */
export interface NodeBrief {
  name: string;
  resource_type: string;
  package_name: string;
  original_file_path: string;
  materialized: string | null;
  enabled: boolean;
  attached_node: string | null;
  /** The node has compiled_code (a string) and a compiled_path. */
  compiled: boolean;
}

export interface ManifestIndex {
  format: number;
  /** Also kept in partial_parse.json (PartialCache.manifestIndex): an index of another manifest is not used. */
  token: string;
  /** Byte length of the manifest it describes. */
  size: number;
  /** Byte offsets of the `{` that opens `nodes` and just past the `}` that closes it. */
  nodesStart: number;
  nodesEnd: number;
  /** Other top-level values parsed when first used (the parent and child maps): key, byte range. */
  later: [key: string, start: number, end: number][];
  // One column per field, node i in each (arrays of numbers parse far faster than 10,000 arrays).
  ids: string[];
  starts: number[];
  lengths: number[];
  /** '' when the name is what follows `<resource_type>.<package_name>.` in the id. */
  names: string[];
  paths: string[];
  /** Distinct values of the columns below, which hold their positions here (-1: null). */
  words: (string | null)[];
  types: number[];
  packages: number[];
  materialized: number[];
  attached: number[];
  /** 1: enabled, 2: has compiled SQL and path. */
  flags: number[];
  /**
   * Where the same nodes lie in target/manifest.json (dbt's shape, written beside it), by position
   * in `ids` (-1: not there, as unit tests), so that a splice copies both files without reading them.
   */
  dbt: { size: number; nodesStart: number; starts: number[]; lengths: number[] } | null;
}

export const INDEX_FILE = 'partial_parse_index.json';
const INDEX_FORMAT = 2;
/** Top-level values of the manifest read only when used. */
const LATER = new Set(['parent_map', 'child_map']);

export function briefOfNode(n: ManifestNode): NodeBrief {
  const mat = n.config?.materialized;
  return {
    name: n.name,
    resource_type: n.resource_type,
    package_name: n.package_name,
    original_file_path: n.original_file_path,
    materialized: typeof mat === 'string' ? mat : null,
    enabled: n.config?.enabled !== false,
    attached_node: n.attached_node ?? null,
    compiled: typeof n.compiled_code === 'string' && Boolean(n.compiled_path),
  };
}

type Columns = Omit<ManifestIndex, 'format' | 'token' | 'size' | 'nodesStart' | 'nodesEnd' | 'later' | 'dbt'>;

/** Sets node i's brief columns from its object. */
function putBrief(c: Columns, i: number, id: string, n: ManifestNode, word: (w: string | null) => number): void {
  const b = briefOfNode(n);
  c.names[i] = id === `${b.resource_type}.${b.package_name}.${b.name}` ? '' : b.name;
  c.paths[i] = b.original_file_path;
  c.types[i] = word(b.resource_type);
  c.packages[i] = word(b.package_name);
  c.materialized[i] = word(b.materialized);
  c.attached[i] = word(b.attached_node);
  c.flags[i] = (b.enabled ? 1 : 0) | (b.compiled ? 2 : 0);
}

function wordsOf(words: (string | null)[]): (w: string | null) => number {
  const at = new Map(words.map((w, i) => [w, i]));
  return (w) => {
    if (w === null) return -1;
    let i = at.get(w);
    if (i === undefined) at.set(w, (i = words.push(w) - 1));
    return i;
  };
}

/** The nodes object of a lazily read manifest (a Proxy), its briefs and how many slices were parsed. */
export class LazyNodes {
  parsed = 0;
  private readonly briefCache: (NodeBrief | undefined)[] = [];
  constructor(
    /** The Proxy's target: a node's position in the index until it is read, then the node. */
    private readonly store: Record<string, unknown>,
    readonly nodes: Record<string, ManifestNode>,
    readonly index: ManifestIndex,
    /** The manifest file, open: what a splice copies the unchanged bytes from. */
    readonly source: Source,
  ) {}

  /** The nodes' ids, in order (Object.keys of the Proxy would ask it about each key). */
  ids(): string[] {
    return Object.keys(this.store);
  }

  /** Whether the manifest has the node (without the Proxy's `in`). */
  has(id: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.store, id);
  }

  /** Whether the node was read (or replaced): its object is then the truth, not the index. */
  loaded(id: string): boolean {
    return typeof this.store[id] !== 'number';
  }

  brief(id: string): NodeBrief | undefined {
    const v = this.store[id];
    if (typeof v !== 'number') return v && Object.prototype.hasOwnProperty.call(this.store, id) ? briefOfNode(v as ManifestNode) : undefined;
    let b = this.briefCache[v];
    if (!b) {
      const x = this.index;
      const w = x.words;
      const type = w[x.types[v]]!;
      const pkg = w[x.packages[v]]!;
      const at = x.attached[v];
      const mat = x.materialized[v];
      b = this.briefCache[v] = { name: x.names[v] || id.slice(type.length + pkg.length + 2), resource_type: type, package_name: pkg, original_file_path: x.paths[v], materialized: mat < 0 ? null : w[mat], enabled: (x.flags[v] & 1) === 1, attached_node: at < 0 ? null : w[at], compiled: (x.flags[v] & 2) === 2 };
    }
    return b;
  }
}

const lazies = new WeakMap<object, LazyNodes>();

export function lazyNodesOf(nodes: Record<string, ManifestNode>): LazyNodes | undefined {
  return lazies.get(nodes);
}

/** A node's brief without parsing it when the manifest was read lazily. */
export function briefOf(nodes: Record<string, ManifestNode>, id: string): NodeBrief | undefined {
  const lz = lazies.get(nodes);
  if (lz) return lz.brief(id);
  const n = nodes[id];
  return n ? briefOfNode(n) : undefined;
}

interface Layout {
  text: string;
  /** Each node's JSON, in `ids` order. */
  jsons: string[];
  size: number;
  ids: string[];
  starts: number[];
  lengths: number[];
  nodesStart: number;
  nodesEnd: number;
  later: [string, number, number][];
}

interface Parts {
  parts: string[];
  /** Part positions of each node's JSON, of `nodes`' braces (-1: none), of the values read later. */
  at: number[];
  ids: string[];
  nodesOpen: number;
  nodesClose: number;
  later: [string, number][];
}

/** JSON.stringify(m) in pieces: each node's JSON is one (reused from `jsonOf` when it has it). */
function layoutParts(m: Record<string, unknown>, jsonOf?: (id: string) => string | undefined): Parts {
  const parts: string[] = ['{'];
  // Part positions: of each node's JSON, of `nodes`' braces, of the values read later.
  const at: number[] = [];
  const ids: string[] = [];
  const later: [string, number][] = [];
  let nodesOpen = -1;
  let nodesClose = -1;
  let first = true;
  for (const k of Object.keys(m)) {
    const v = m[k];
    if (k === 'nodes' && v && typeof v === 'object' && !Array.isArray(v)) {
      parts.push(`${first ? '' : ','}${JSON.stringify(k)}:`);
      nodesOpen = parts.length;
      parts.push('{');
      let firstNode = true;
      for (const id of Object.keys(v)) {
        const json = jsonOf?.(id) ?? JSON.stringify((v as Record<string, unknown>)[id]);
        if (json === undefined) continue;
        parts.push(`${firstNode ? '' : ','}${JSON.stringify(id)}:`);
        at.push(parts.length);
        ids.push(id);
        parts.push(json);
        firstNode = false;
      }
      nodesClose = parts.length;
      parts.push('}');
      first = false;
      continue;
    }
    const json = JSON.stringify(v);
    if (json === undefined) continue;
    parts.push(`${first ? '' : ','}${JSON.stringify(k)}:`);
    if (LATER.has(k) && json.startsWith('{')) later.push([k, parts.length]);
    parts.push(json);
    first = false;
  }
  parts.push('}');
  return { parts, at, ids, nodesOpen, nodesClose, later };
}

/** Where the pieces lie, given each piece's byte length. */
function placed(l: Parts, len: (i: number) => number): Omit<Layout, 'text' | 'jsons'> {
  const starts: number[] = new Array(l.parts.length);
  let pos = 0;
  for (let i = 0; i < l.parts.length; i++) {
    starts[i] = pos;
    pos += len(i);
  }
  return { size: pos, ids: l.ids, starts: l.at.map((i) => starts[i]), lengths: l.at.map(len), nodesStart: starts[l.nodesOpen], nodesEnd: starts[l.nodesClose] + 1, later: l.later.map(([k, i]) => [k, starts[i], starts[i] + len(i)]) };
}

/** JSON.stringify(m), built node by node, and where each node lies in it (bytes); no size: no `nodes`. */
function layout(m: Record<string, unknown>, jsonOf?: (id: string) => string | undefined): Layout | { text: string; size?: undefined } {
  const l = layoutParts(m, jsonOf);
  const text = l.parts.join('');
  if (l.nodesOpen < 0) return { text };
  // Offsets in bytes: the characters' when the text is ASCII (one scan), else part by part.
  const ascii = Buffer.byteLength(text) === text.length;
  return { text, jsons: l.at.map((i) => l.parts[i]), ...placed(l, (i) => (ascii ? l.parts[i].length : Buffer.byteLength(l.parts[i]))) };
}

/**
 * Writes the pieces to `path` atomically (no redaction: the caller checked that no secret is
 * remembered) in batches of about 1 MB, never joined into one 15 MB string; the byte length of
 * each piece comes with the writing.
 */
function writePieces(path: string, parts: string[]): number[] {
  const bytes: number[] = new Array(parts.length);
  writeAtomicWith(path, (fd) => {
    for (let i = 0; i < parts.length; ) {
      let j = i;
      let chars = 0;
      while (j < parts.length && chars < 1 << 20) chars += parts[j++].length;
      const b = Buffer.from(j - i === 1 ? parts[i] : parts.slice(i, j).join(''));
      for (let off = 0; off < b.length; ) off += writeSync(fd, b, off, b.length - off);
      const ascii = b.length === chars;
      for (let k = i; k < j; k++) bytes[k] = ascii ? parts[k].length : Buffer.byteLength(parts[k]);
      i = j;
    }
  });
  return bytes;
}

function columnsOf(m: Manifest, p: Omit<Layout, 'text' | 'jsons'>): Omit<ManifestIndex, 'token'> {
  const c: Columns = { ids: p.ids, starts: p.starts, lengths: p.lengths, names: [], paths: [], words: [], types: [], packages: [], materialized: [], attached: [], flags: [] };
  const word = wordsOf(c.words);
  p.ids.forEach((id, i) => putBrief(c, i, id, m.nodes[id], word));
  return { format: INDEX_FORMAT, size: p.size, nodesStart: p.nodesStart, nodesEnd: p.nodesEnd, later: p.later, ...c, dbt: null };
}

function dbtPositions(index: Omit<ManifestIndex, 'token'>, d: Omit<Layout, 'text' | 'jsons'>): void {
  const pos = new Map(d.ids.map((id, i) => [id, i]));
  const starts = index.ids.map((id) => (pos.has(id) ? d.starts[pos.get(id)!] : -1));
  const lengths = index.ids.map((id) => (pos.has(id) ? d.lengths[pos.get(id)!] : -1));
  // Every node of manifest.json must be one of the index's (else no positions for it).
  if (pos.size === d.ids.length && starts.filter((x) => x >= 0).length === d.ids.length) index.dbt = { size: d.size, nodesStart: d.nodesStart, starts, lengths };
}

/**
 * Writes the internal manifest (`m`) and manifest.json (`dbt`, dbt's shape of the same nodes) as
 * JSON.stringify gives them, and returns the index of both (null: `m` has no nodes). A node whose
 * JSON is the same in both (`sameJson`) is serialised once.
 */
export function writeManifests(path: string, m: Manifest, dbtPath: string, dbt: Record<string, unknown>, sameJson: (id: string) => boolean): Omit<ManifestIndex, 'token'> | null {
  const l = layoutParts(m as unknown as Record<string, unknown>);
  const bytes = writePieces(path, l.parts);
  const jsons = new Map(l.ids.map((id, i) => [id, l.parts[l.at[i]]]));
  const d = layoutParts(dbt, (id) => (sameJson(id) ? jsons.get(id) : undefined));
  const dbtBytes = writePieces(dbtPath, d.parts);
  if (l.nodesOpen < 0) return null;
  const index = columnsOf(m, placed(l, (i) => bytes[i]));
  if (d.nodesOpen >= 0) dbtPositions(index, placed(d, (i) => dbtBytes[i]));
  return index;
}

/**
 * JSON.stringify(m) and JSON.stringify(dbt) (manifest.json, the same nodes in dbt's shape), with
 * the index of both: where each node lies (bytes) and its brief. The index is null when the texts
 * would be redacted on writing (offsets would move).
 */
export function manifestText(m: Manifest, indexable: boolean): { text: string; index: Omit<ManifestIndex, 'token'> | null; jsonOf: (id: string) => string | undefined } {
  const l = layout(m as unknown as Record<string, unknown>);
  const byId = l.size === undefined ? null : new Map(l.ids.map((id, i) => [id, l.jsons[i]]));
  const jsonOf = (id: string) => byId?.get(id);
  if (!indexable || l.size === undefined) return { text: l.text, index: null, jsonOf };
  return { text: l.text, index: columnsOf(m, l), jsonOf };
}

/**
 * JSON.stringify(dbt) (manifest.json: the same nodes in dbt's shape), built node by node, and
 * where they lie in it recorded in `index` (null: not indexed).
 */
export function dbtText(dbt: Record<string, unknown>, index: Omit<ManifestIndex, 'token'> | null, jsonOf?: (id: string) => string | undefined): string {
  const d = layout(dbt, jsonOf);
  if (index && d.size !== undefined) dbtPositions(index, d);
  return d.text;
}

export interface Cuts {
  /** Each replaced node: its old byte range and the byte length of its new JSON. */
  cuts: { id: string; start: number; end: number; length: number }[];
  /** New length of the metadata's JSON less the old one (bytes). */
  metaDelta: number;
  size: number;
}

/** Offsets of the old text moved to the new one: by the metadata's change and every cut before them. */
function shifted(starts: number[], c: Cuts): number[] {
  const sorted = [...c.cuts].sort((a, b) => a.start - b.start);
  const out = starts.slice();
  // The nodes are in text order in both files (-1: not in this one).
  let k = 0;
  let d = c.metaDelta;
  for (let i = 0; i < starts.length; i++) {
    const s = starts[i];
    if (s < 0) continue;
    while (k < sorted.length && sorted[k].end <= s) {
      d += sorted[k].length - (sorted[k].end - sorted[k].start);
      k++;
    }
    out[i] = s + d;
  }
  return out;
}

function shiftOf(pos: number, c: Cuts): number {
  let d = c.metaDelta;
  for (const x of c.cuts) if (x.end <= pos) d += x.length - (x.end - x.start);
  return d;
}

/**
 * The index after some nodes' slices were replaced in the manifest (and in manifest.json: `dbt`;
 * without it the new index has no positions there). The replaced nodes' briefs are taken from
 * their objects. Null when a cut is not where the index says (no index rather than a wrong one).
 */
export function splicedIndex(old: ManifestIndex, own: Cuts, nodes: Record<string, ManifestNode>, dbt?: Cuts): Omit<ManifestIndex, 'token'> | null {
  const c: Columns = { ids: old.ids, starts: shifted(old.starts, own), lengths: old.lengths.slice(), names: old.names.slice(), paths: old.paths.slice(), words: old.words.slice(), types: old.types.slice(), packages: old.packages.slice(), materialized: old.materialized.slice(), attached: old.attached.slice(), flags: old.flags.slice() };
  const word = wordsOf(c.words);
  for (const cut of own.cuts) {
    const i = old.ids.indexOf(cut.id);
    if (i < 0 || old.starts[i] !== cut.start || old.starts[i] + old.lengths[i] !== cut.end) return null;
    c.lengths[i] = cut.length;
    putBrief(c, i, cut.id, nodes[cut.id], word);
  }
  let dbtAt: ManifestIndex['dbt'] = null;
  if (old.dbt && dbt) {
    const lengths = old.dbt.lengths.slice();
    for (const cut of dbt.cuts) {
      const i = old.ids.indexOf(cut.id);
      if (i < 0 || old.dbt.starts[i] !== cut.start || old.dbt.starts[i] + old.dbt.lengths[i] !== cut.end) return null;
      lengths[i] = cut.length;
    }
    dbtAt = { size: dbt.size, nodesStart: old.dbt.nodesStart + dbt.metaDelta, starts: shifted(old.dbt.starts, dbt), lengths };
  }
  return { format: INDEX_FORMAT, size: own.size, nodesStart: old.nodesStart + own.metaDelta, nodesEnd: old.nodesEnd + shiftOf(old.nodesEnd - 1, own), later: old.later.map(([key, s, e]) => [key, s + shiftOf(s, own), e + shiftOf(s, own)]), ...c, dbt: dbtAt };
}

/** The index written beside the manifest, if it is the one `token` names and fits `size` bytes. */
export function readIndex(targetDir: string, token: string | null | undefined, size: number): ManifestIndex | null {
  if (!token) return null;
  try {
    const ix = JSON.parse(readFileSync(join(targetDir, INDEX_FILE), 'utf8')) as ManifestIndex;
    if (ix && ix.format === INDEX_FORMAT && ix.token === token && ix.size === size && Array.isArray(ix.ids) && Array.isArray(ix.later)) return ix;
  } catch {
    // unreadable: the manifest is parsed whole
  }
  return null;
}

/** Byte ranges in the manifest of the nodes named (from the index). */
export function rangesOf(ix: ManifestIndex, ids: Iterable<string>): Map<string, [number, number]> {
  const want = new Set(ids);
  const out = new Map<string, [number, number]>();
  for (let i = 0; i < ix.ids.length; i++) if (want.has(ix.ids[i])) out.set(ix.ids[i], [ix.starts[i], ix.starts[i] + ix.lengths[i]]);
  return out;
}

/**
 * A file read in pieces: its descriptor stays open while anything can still read from it (a lazy
 * node read after the file was replaced still reads the old text), closed once this object is
 * collected.
 */
export interface Source {
  fd: number;
  size: number;
}
const closer = new FinalizationRegistry<number>((fd) => {
  try {
    closeSync(fd);
  } catch {
    // closed already
  }
});

export function openSource(path: string): Source {
  const fd = openSync(path, 'r');
  const src = { fd, size: fstatSync(fd).size };
  closer.register(src, fd, src);
  return src;
}

/** Closes a source no longer read from (and that the collector then leaves alone). */
export function closeSource(src: Source): void {
  closer.unregister(src);
  closeSync(src.fd);
}

export function readRange(src: Source, start: number, end: number): Buffer {
  const b = Buffer.allocUnsafe(end - start);
  for (let off = 0; off < b.length; ) {
    const n = readSync(src.fd, b, off, b.length - off, start + off);
    if (n <= 0) throw new Error(`mflow: ${INDEX_FILE}: the manifest ends before byte ${start + off}`);
    off += n;
  }
  return b;
}

/**
 * The manifest from its file, read in pieces: everything but `nodes` and the maps parsed now, each
 * node and map when first used. Null when the text around them does not parse (the caller then
 * reads the file whole).
 */
export function readLazy(src: Source, ix: ManifestIndex): Manifest | null {
  if (ix.size !== src.size) return null;
  // The text with `{}` in place of the nodes and of each value read later.
  const holes: [number, number][] = [[ix.nodesStart, ix.nodesEnd] as [number, number], ...ix.later.map(([, s, e]): [number, number] => [s, e])].sort((a, b) => a[0] - b[0]);
  const pieces: string[] = [];
  let pos = 0;
  for (const [s, e] of holes) {
    if (s < pos) return null;
    const edge = readRange(src, s, s + 1)[0] === 0x7b && readRange(src, e - 1, e)[0] === 0x7d;
    if (!edge) return null;
    pieces.push(readRange(src, pos, s).toString('utf8'), '{}');
    pos = e;
  }
  pieces.push(readRange(src, pos, src.size).toString('utf8'));
  let m: Manifest;
  try {
    m = JSON.parse(pieces.join('')) as Manifest;
  } catch {
    return null;
  }
  if (!m || typeof m.nodes !== 'object') return null;
  const top = m as unknown as Record<string, unknown>;
  for (const [key, s, e] of ix.later) {
    Object.defineProperty(top, key, {
      enumerable: true,
      configurable: true,
      get() {
        const v: unknown = JSON.parse(readRange(src, s, e).toString('utf8'));
        Object.defineProperty(top, key, { value: v, writable: true, enumerable: true, configurable: true });
        return v;
      },
      set(v: unknown) {
        Object.defineProperty(top, key, { value: v, writable: true, enumerable: true, configurable: true });
      },
    });
  }
  // The Proxy's target holds each node's position in the index until the node is read.
  const store: Record<string, unknown> = {};
  for (let i = 0; i < ix.ids.length; i++) store[ix.ids[i]] = i;
  const read = (id: string, i: number): ManifestNode => {
    const n = JSON.parse(readRange(src, ix.starts[i], ix.starts[i] + ix.lengths[i]).toString('utf8')) as ManifestNode;
    if (n?.unique_id !== id) throw new Error(`mflow: ${INDEX_FILE} does not match the manifest at ${id}; delete target/ and compile again`);
    lz.parsed++;
    store[id] = n;
    return n;
  };
  const nodes = new Proxy(store, {
    get(t, k) {
      const v = Reflect.get(t, k);
      return typeof v === 'number' && typeof k === 'string' ? read(k, v) : v;
    },
    // An unread node looks like a getter: listing the keys (Object.keys) reads nothing.
    getOwnPropertyDescriptor(t, k) {
      const d = Reflect.getOwnPropertyDescriptor(t, k);
      if (!d || typeof d.value !== 'number' || typeof k !== 'string') return d;
      return { get: () => nodes[k], set: (v: ManifestNode) => void (t[k] = v), enumerable: true, configurable: true };
    },
  }) as Record<string, ManifestNode>;
  const lz = new LazyNodes(store, nodes, ix, src);
  m.nodes = nodes;
  lazies.set(nodes, lz);
  return m;
}

/**
 * `graph.nodes` of a lazily read manifest: every node but unit tests, each read when a template
 * reads it (a Proxy, so that making it costs nothing when no template looks at the graph). Like
 * the plain object it stands for, it is a copy: what a template sets or deletes stays in it.
 */
export function lazyGraphNodes(nodes: Record<string, ManifestNode>): Record<string, unknown> | null {
  const lz = lazies.get(nodes);
  if (!lz) return null;
  // The plain object graphOf makes otherwise, made on the first change (or key listing).
  let copy: Record<string, unknown> | null = null;
  const real = () => {
    if (!copy) {
      copy = {};
      for (const id of lz.ids()) if (lz.brief(id)?.resource_type !== 'unit_test') copy[id] = nodes[id];
    }
    return copy;
  };
  const inGraph = (k: string | symbol) => typeof k === 'string' && Object.prototype.hasOwnProperty.call(nodes, k) && lz.brief(k)?.resource_type !== 'unit_test';
  return new Proxy({} as Record<string, unknown>, {
    get(t, k) {
      if (copy) return Reflect.get(copy, k);
      return inGraph(k) ? nodes[k as string] : Reflect.get(t, k);
    },
    has(t, k) {
      return copy ? Reflect.has(copy, k) : inGraph(k) || Reflect.has(t, k);
    },
    ownKeys() {
      return Reflect.ownKeys(real());
    },
    getOwnPropertyDescriptor(_, k) {
      return Reflect.getOwnPropertyDescriptor(real(), k);
    },
    set(_, k, v) {
      return Reflect.set(real(), k, v);
    },
    deleteProperty(_, k) {
      return Reflect.deleteProperty(real(), k);
    },
    defineProperty(_, k, d) {
      return Reflect.defineProperty(real(), k, d);
    },
  });
}
