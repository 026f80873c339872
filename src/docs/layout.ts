/**
 * The lineage graph is laid out once, at generate time, left to right; the browser only draws.
 * Up to ELK_LIMIT nodes ELK's layered (Sugiyama) algorithm does it, with network-simplex layering
 * and Brandes-Koepf placement: the best-looking drawing, and quick at that size (MediFlow's ~50
 * nodes take well under a second). ELK's cost grows much faster than linearly (13 s at 2,000
 * nodes, ~100 s at 10,000 even with its cheapest strategies; d3-dag and dagre are slower still),
 * so bigger graphs go through our own linear-time layered layout (layered-layout.ts), which does
 * 10,000 nodes in well under a second.
 */
import { createRequire } from 'node:module';
import { layeredLayout, longestPathRanks } from './layered-layout.js';

export interface LayoutInput {
  ids: string[];
  widths: number[];
  edges: [number, number][];
}

export interface LayoutResult {
  x: Float64Array;
  y: Float64Array;
  width: number;
  height: number;
  /** Layer of each node (column), used to pack neighbourhood views in the browser. */
  rank: Int32Array;
  engine: 'elk' | 'layered';
  elapsedMs: number;
}

export const NODE_HEIGHT = 28;
/** Above this many nodes ELK is too slow for a command people wait on. */
export const ELK_LIMIT = 1000;

interface ElkNode {
  id: string;
  x?: number;
  y?: number;
  width?: number;
  height?: number;
  children?: ElkNode[];
}

export async function layoutGraph(input: LayoutInput): Promise<LayoutResult> {
  const started = performance.now();
  if (input.ids.length > ELK_LIMIT) {
    const r = layeredLayout({ widths: input.widths, edges: input.edges, nodeHeight: NODE_HEIGHT });
    return { ...r, engine: 'layered', elapsedMs: performance.now() - started };
  }
  const require = createRequire(import.meta.url);
  // The bundled build runs ELK in this thread; no worker file to locate at run time.
  const ELK = require('elkjs/lib/elk.bundled.js') as new () => { layout(g: unknown): Promise<ElkNode> };
  const graph = {
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'RIGHT',
      'elk.edgeRouting': 'POLYLINE',
      'elk.spacing.nodeNode': '10',
      'elk.layered.spacing.nodeNodeBetweenLayers': '60',
      'elk.layered.layering.strategy': 'NETWORK_SIMPLEX',
      'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
      'elk.separateConnectedComponents': 'true',
    },
    children: input.ids.map((id, i) => ({ id: String(i), width: input.widths[i], height: NODE_HEIGHT })),
    edges: input.edges.map(([s, t], i) => ({ id: `e${i}`, sources: [String(s)], targets: [String(t)] })),
  };
  const out = await new ELK().layout(graph);
  const x = new Float64Array(input.ids.length);
  const y = new Float64Array(input.ids.length);
  for (const c of out.children ?? []) {
    const i = Number(c.id);
    x[i] = c.x ?? 0;
    y[i] = c.y ?? 0;
  }
  return { x, y, rank: longestPathRanks(input.ids.length, input.edges), engine: 'elk', width: out.width ?? 0, height: out.height ?? 0, elapsedMs: performance.now() - started };
}
