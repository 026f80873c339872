import { describe, it, expect } from 'vitest';
import { layeredLayout, longestPathRanks } from '../../src/docs/layered-layout.js';
import { layoutGraph, NODE_HEIGHT } from '../../src/docs/layout.js';
import { syntheticManifest } from '../../src/docs/synthetic.js';

/** Graph nodes and edges of a synthetic project, as generate builds them. */
function syntheticGraph(models: number) {
  const m = syntheticManifest(models);
  const ids = [...Object.keys(m.sources), ...Object.keys(m.nodes)].sort();
  const pos = new Map(ids.map((id, i) => [id, i]));
  const edges: [number, number][] = [];
  for (const id of ids) for (const p of m.parent_map[id]) edges.push([pos.get(p)!, pos.get(id)!]);
  return { ids, edges, widths: ids.map(() => 120) };
}

function overlaps(x: Float64Array, y: Float64Array, rank: Int32Array, gap: number): number {
  const byLayer = new Map<number, number[]>();
  rank.forEach((r, i) => (byLayer.get(r) ?? byLayer.set(r, []).get(r)!).push(i));
  let bad = 0;
  for (const layer of byLayer.values()) {
    const ys = layer.map((i) => y[i]).sort((a, b) => a - b);
    for (let k = 1; k < ys.length; k++) if (ys[k] - ys[k - 1] < NODE_HEIGHT + gap - 1e-6) bad++;
    if (new Set(layer.map((i) => x[i])).size !== 1) bad++;
  }
  return bad;
}

describe('layered layout', () => {
  it('ranks by longest path and puts every edge left to right', () => {
    // a -> b -> c, a -> c, d -> c: c is two layers right of a; root d sits just before c.
    const edges: [number, number][] = [[0, 1], [1, 2], [0, 2], [3, 2]];
    expect([...longestPathRanks(4, edges)]).toEqual([0, 1, 2, 0]);
    const r = layeredLayout({ widths: [50, 50, 50, 50], edges, nodeHeight: NODE_HEIGHT });
    expect([...r.rank]).toEqual([0, 1, 2, 1]);
    expect(r.x[0]).toBe(0);
    expect(r.x[1]).toBe(110);
    expect(r.x[2]).toBe(220);
    for (const [a, b] of edges) expect(r.x[a]).toBeLessThan(r.x[b]);
    expect(overlaps(r.x, r.y, r.rank, 10)).toBe(0);
  });

  it('keeps a chain level and a fan centred on its parent', () => {
    const r = layeredLayout({ widths: [40, 40, 40, 40, 40], edges: [[0, 1], [0, 2], [0, 3], [3, 4]], nodeHeight: 28, gap: 10 });
    const kids = [1, 2, 3].map((i) => r.y[i]).sort((a, b) => a - b);
    expect(kids[1] - kids[0]).toBe(38);
    expect(kids[2] - kids[1]).toBe(38);
    expect(r.y[0]).toBeCloseTo((kids[0] + kids[2]) / 2, 6);
    expect(Math.abs(r.y[4] - r.y[3])).toBeLessThan(5);
  });

  it('lays out 10,000 synthetic models without overlaps, every edge pointing right', async () => {
    const g = syntheticGraph(10_000);
    const r = await layoutGraph(g);
    expect(r.engine).toBe('layered');
    expect(g.ids.length).toBeGreaterThan(10_000);
    for (const [a, b] of g.edges) expect(r.x[a]).toBeLessThan(r.x[b]);
    expect(overlaps(r.x, r.y, r.rank, 10)).toBe(0);
    expect(r.y.reduce((a, b) => Math.min(a, b), Infinity)).toBe(0);
    // Parents sit near their children: the median vertical edge length is a few rows, not the whole height.
    const dy = g.edges.map(([a, b]) => Math.abs(r.y[a] - r.y[b])).sort((a, b) => a - b);
    expect(dy[dy.length >> 1]).toBeLessThan(r.height / 50);
  });

  it('uses ELK for small graphs', async () => {
    const g = syntheticGraph(80);
    const r = await layoutGraph(g);
    expect(r.engine).toBe('elk');
    for (const [a, b] of g.edges) expect(r.x[a]).toBeLessThan(r.x[b]);
  });
});
