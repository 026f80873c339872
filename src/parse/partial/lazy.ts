import { readFileSync } from 'node:fs';
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

type Entry = [id: string, start: number, end: number, name: string, resourceType: string, packageName: string, path: string, materialized: string | null, enabled: 0 | 1, attachedNode: string | null, compiled: 0 | 1];

export interface ManifestIndex {
  format: number;
  /** Also kept in partial_parse.json (PartialCache.manifestIndex): an index of another manifest is not used. */
  token: string;
  /** Byte length of the manifest it describes. */
  size: number;
  /** Byte offsets of the `{` that opens `nodes` and just past the `}` that closes it. */
  nodesStart: number;
  nodesEnd: number;
  nodes: Entry[];
}

export const INDEX_FILE = 'partial_parse_index.json';
const INDEX_FORMAT = 1;

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

/** The nodes object of a lazily read manifest, its briefs and how many slices were parsed. */
export class LazyNodes {
  parsed = 0;
  /** Nodes parsed or replaced: their objects are then the truth, not the index. */
  readonly done = new Set<string>();
  constructor(
    readonly nodes: Record<string, ManifestNode>,
    private readonly briefs: Map<string, NodeBrief>,
    /** Byte ranges of the nodes in `bytes` (the manifest file as read). */
    readonly ranges: Map<string, [number, number]>,
    readonly bytes: Buffer,
  ) {}

  /** Whether the node was parsed (or replaced): its object is then the truth, not the index. */
  loaded(id: string): boolean {
    return this.done.has(id);
  }

  brief(id: string): NodeBrief | undefined {
    if (this.done.has(id)) {
      const n = this.nodes[id];
      return n ? briefOfNode(n) : undefined;
    }
    return id in this.nodes ? this.briefs.get(id) : undefined;
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

/**
 * JSON.stringify(m), and where each node lies in it (bytes) with its brief: the same text, built
 * node by node. The index is null when the text would be redacted on writing (offsets would move).
 */
export function manifestText(m: Manifest, indexable: boolean): { text: string; index: Omit<ManifestIndex, 'token'> | null } {
  const parts: string[] = ['{'];
  // [part index where the node's JSON is, id] and the part indexes around `nodes`' braces.
  const at: [number, string][] = [];
  let nodesOpen = -1;
  let nodesClose = -1;
  let first = true;
  for (const k of Object.keys(m)) {
    const v = (m as unknown as Record<string, unknown>)[k];
    if (k === 'nodes' && v && typeof v === 'object' && !Array.isArray(v)) {
      parts.push(`${first ? '' : ','}${JSON.stringify(k)}:`);
      nodesOpen = parts.length;
      parts.push('{');
      let firstNode = true;
      for (const id of Object.keys(v)) {
        const json = JSON.stringify((v as Record<string, unknown>)[id]);
        if (json === undefined) continue;
        parts.push(`${firstNode ? '' : ','}${JSON.stringify(id)}:`);
        at.push([parts.length, id]);
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
    parts.push(`${first ? '' : ','}${JSON.stringify(k)}:${json}`);
    first = false;
  }
  parts.push('}');
  const text = parts.join('');
  if (!indexable || nodesOpen < 0) return { text, index: null };
  // Offsets in bytes: the characters' when the text is ASCII (one scan), else part by part.
  const ascii = Buffer.byteLength(text) === text.length;
  const starts: number[] = new Array(parts.length);
  let pos = 0;
  for (let i = 0; i < parts.length; i++) {
    starts[i] = pos;
    pos += ascii ? parts[i].length : Buffer.byteLength(parts[i]);
  }
  const nodes = m.nodes;
  const entries: Entry[] = at.map(([i, id]) => {
    const b = briefOfNode(nodes[id]);
    return [id, starts[i], starts[i] + (ascii ? parts[i].length : Buffer.byteLength(parts[i])), b.name, b.resource_type, b.package_name, b.original_file_path, b.materialized, b.enabled ? 1 : 0, b.attached_node, b.compiled ? 1 : 0];
  });
  return { text, index: { format: INDEX_FORMAT, size: pos, nodesStart: starts[nodesOpen], nodesEnd: starts[nodesClose] + 1, nodes: entries } };
}

/**
 * The index of a manifest after some nodes' slices were replaced (artifacts/splice.ts): `cuts`
 * are the old byte ranges and the new byte lengths, in order; the replaced nodes' briefs are
 * taken from their objects.
 */
export function splicedIndex(old: ManifestIndex, cuts: { id: string; start: number; end: number; length: number }[], metaDelta: number, size: number, nodes: Record<string, ManifestNode>): Omit<ManifestIndex, 'token'> {
  const byId = new Map(cuts.map((c) => [c.id, c]));
  const sorted = [...cuts].sort((a, b) => a.start - b.start);
  let k = 0;
  let delta = metaDelta;
  const entries = old.nodes.map((e): Entry => {
    while (k < sorted.length && sorted[k].end <= e[1]) {
      delta += sorted[k].length - (sorted[k].end - sorted[k].start);
      k++;
    }
    const c = byId.get(e[0]);
    if (!c) return [e[0], e[1] + delta, e[2] + delta, e[3], e[4], e[5], e[6], e[7], e[8], e[9], e[10]];
    const b = briefOfNode(nodes[e[0]]);
    return [e[0], e[1] + delta, e[1] + delta + c.length, b.name, b.resource_type, b.package_name, b.original_file_path, b.materialized, b.enabled ? 1 : 0, b.attached_node, b.compiled ? 1 : 0];
  });
  let total = metaDelta;
  for (const c of sorted) total += c.length - (c.end - c.start);
  return { format: INDEX_FORMAT, size, nodesStart: old.nodesStart + metaDelta, nodesEnd: old.nodesEnd + total, nodes: entries };
}

/** The index written beside the manifest, if it is the one `token` names and fits `size` bytes. */
export function readIndex(targetDir: string, token: string | null | undefined, size: number): ManifestIndex | null {
  if (!token) return null;
  try {
    const ix = JSON.parse(readFileSync(join(targetDir, INDEX_FILE), 'utf8')) as ManifestIndex;
    if (ix && ix.format === INDEX_FORMAT && ix.token === token && ix.size === size && Array.isArray(ix.nodes)) return ix;
  } catch {
    // unreadable: the manifest is parsed whole
  }
  return null;
}

/**
 * The manifest from its bytes: everything but `nodes` parsed now, each node when first read.
 * Null when the text around the nodes does not parse (then the caller parses it whole).
 */
export function readLazy(bytes: Buffer, ix: ManifestIndex): Manifest | null {
  if (bytes[ix.nodesStart] !== 0x7b /* { */ || bytes[ix.nodesEnd - 1] !== 0x7d /* } */) return null;
  let m: Manifest;
  try {
    m = JSON.parse(`${bytes.toString('utf8', 0, ix.nodesStart)}{}${bytes.toString('utf8', ix.nodesEnd)}`) as Manifest;
  } catch {
    return null;
  }
  if (!m || typeof m.nodes !== 'object') return null;
  const nodes: Record<string, ManifestNode> = {};
  const briefs = new Map<string, NodeBrief>();
  const ranges = new Map<string, [number, number]>();
  const lz = new LazyNodes(nodes, briefs, ranges, bytes);
  const set = (id: string, v: ManifestNode) => {
    lz.done.add(id);
    Object.defineProperty(nodes, id, { value: v, writable: true, enumerable: true, configurable: true });
  };
  for (const e of ix.nodes) {
    const [id, start, end] = e;
    briefs.set(id, { name: e[3], resource_type: e[4], package_name: e[5], original_file_path: e[6], materialized: e[7], enabled: e[8] === 1, attached_node: e[9], compiled: e[10] === 1 });
    ranges.set(id, [start, end]);
    Object.defineProperty(nodes, id, {
      enumerable: true,
      configurable: true,
      get() {
        const n = JSON.parse(bytes.toString('utf8', start, end)) as ManifestNode;
        if (n?.unique_id !== id) throw new Error(`mflow: ${INDEX_FILE} does not match the manifest at ${id}; delete target/ and compile again`);
        lz.parsed++;
        set(id, n);
        return n;
      },
      set(v: ManifestNode) {
        set(id, v);
      },
    });
  }
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
      for (const id of Object.keys(nodes)) if (lz.brief(id)?.resource_type !== 'unit_test') copy[id] = nodes[id];
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
