/**
 * The index the site loads before its first render, column by column: repeated strings (types,
 * folders, schemas, tags, packages, statuses) become numbers into small tables, unique ids are
 * left out when they are `<type>.<package>.<name>` (all but tests), the shard of a node is its
 * position divided by the shard size, and descriptions go to a separate file (data/search.js)
 * loaded after the first render. At 10,000 models this is ~0.8 MB instead of 2.5 MB of objects,
 * and the browser parses it in a few milliseconds. `core.js` rebuilds the per-node objects.
 */
import type { IndexEntry } from './site-data.js';

export interface CompactIndex {
  v: 2;
  project: string;
  generatedAt: string;
  adapter: string;
  shardSize: number;
  shards: number;
  stats: { layoutMs: number; lineageMs: number };
  /** node count, and how many of them (the first ones) are drawn in the graph */
  count: number;
  graphCount: number;
  tables: { t: string[]; f: string[]; s: string[]; g: string[]; p: string[]; st: string[] };
  n: string[];
  t: number[];
  f: number[];
  s: number[];
  p: number[];
  /** tag indexes per node; 0 = no tags, a number = one tag + 1, an array = several */
  g: (number | number[])[];
  /** status index + 1, 0 = not run */
  st: number[];
  /** unique ids that are not `<type>.<package>.<name>`, by node position */
  ids: Record<number, string>;
  x: number[];
  y: number[];
  w: number[];
  r: number[];
  /** flattened [parent, child, ...] positions */
  e: number[];
  /** row counts by graph position, where the catalog has one */
  rows: Record<number, number>;
  /** worst last test result by graph position: 0 no tests, 1 pass, 2 warn, 3 fail/error, 4 not run */
  ts: number[];
}

class Table {
  readonly list: string[] = [];
  private readonly pos = new Map<string, number>();
  of(v: string): number {
    let i = this.pos.get(v);
    if (i === undefined) {
      i = this.list.length;
      this.list.push(v);
      this.pos.set(v, i);
    }
    return i;
  }
}

export interface CompactIndexInput {
  project: string;
  generatedAt: string;
  adapter: string;
  shardSize: number;
  entries: (IndexEntry & { p: string })[];
  graphCount: number;
  edges: number[];
  stats: { layoutMs: number; lineageMs: number };
  rows?: Record<number, number>;
  testStatus?: number[];
}

export function compactIndex(input: CompactIndexInput): CompactIndex {
  const T = { t: new Table(), f: new Table(), s: new Table(), g: new Table(), p: new Table(), st: new Table() };
  const out: CompactIndex = {
    v: 2, project: input.project, generatedAt: input.generatedAt, adapter: input.adapter, shardSize: input.shardSize,
    shards: Math.ceil(input.entries.length / input.shardSize), stats: input.stats,
    count: input.entries.length, graphCount: input.graphCount,
    tables: { t: T.t.list, f: T.f.list, s: T.s.list, g: T.g.list, p: T.p.list, st: T.st.list },
    n: [], t: [], f: [], s: [], p: [], g: [], st: [], ids: {}, x: [], y: [], w: [], r: [], e: input.edges,
    rows: input.rows ?? {}, ts: input.testStatus ?? [],
  };
  input.entries.forEach((e, i) => {
    out.n.push(e.n);
    out.t.push(T.t.of(e.t));
    out.f.push(T.f.of(e.f));
    out.s.push(T.s.of(e.s));
    out.p.push(T.p.of(e.p));
    const tags = e.g.map((g) => T.g.of(g));
    out.g.push(tags.length === 0 ? 0 : tags.length === 1 ? tags[0] + 1 : tags);
    out.st.push(e.st ? T.st.of(e.st) + 1 : 0);
    if (e.id !== `${e.t}.${e.p}.${e.n}`) out.ids[i] = e.id;
    if (i < input.graphCount) {
      out.x.push(e.x ?? 0);
      out.y.push(e.y ?? 0);
      out.w.push(e.w ?? 0);
      out.r.push(e.r ?? 0);
    }
  });
  return out;
}
