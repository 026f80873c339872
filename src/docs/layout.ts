/**
 * The lineage graph is laid out once, at generate time, by ELK's layered (Sugiyama) algorithm,
 * left to right; the browser only draws. Laying out 10,000 nodes in the browser is what makes
 * other docs sites freeze. dagre needed minutes for a few thousand nodes; ELK does 10,000 in
 * seconds with the cheaper layering and placement strategies, which we switch to for big graphs.
 */
import { createRequire } from 'node:module';

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
  elapsedMs: number;
}

export const NODE_HEIGHT = 28;
const BIG = 1500;

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
  const require = createRequire(import.meta.url);
  // The bundled build runs ELK in this thread; no worker file to locate at run time.
  const ELK = require('elkjs/lib/elk.bundled.js') as new () => { layout(g: unknown): Promise<ElkNode> };
  const big = input.ids.length > BIG;
  const graph = {
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'RIGHT',
      'elk.edgeRouting': 'POLYLINE',
      'elk.spacing.nodeNode': '10',
      'elk.layered.spacing.nodeNodeBetweenLayers': '60',
      'elk.layered.thoroughness': big ? '1' : '7',
      'elk.layered.layering.strategy': big ? 'LONGEST_PATH' : 'NETWORK_SIMPLEX',
      'elk.layered.nodePlacement.strategy': big ? 'SIMPLE' : 'BRANDES_KOEPF',
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
  return { x, y, width: out.width ?? 0, height: out.height ?? 0, elapsedMs: performance.now() - started };
}
