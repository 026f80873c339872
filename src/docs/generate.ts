/**
 * `mflow docs generate`: a static site under `target/docs` built from the artifacts only
 * (manifest, catalog, run results). Data files are scripts that set globals rather than JSON to
 * fetch, so the site also opens from file:// where browsers refuse fetch().
 */
import { mkdir, rename, rm, writeFile as writeRaw } from 'node:fs/promises';
import { redact } from '../project/secrets.js';

/** Every file of the site passes the secret mask: compiled code may have inlined an env_var(). */
const writeFile = (p: string, text: string) => writeRaw(p, redact(text));
import path from 'node:path';
import type { Manifest } from '../contracts/manifest.js';
import type { RunResults, NodeResult } from '../contracts/results.js';
import { MflowError } from '../errors.js';
import type { Catalog } from './catalog.js';
import { computeColumnLineage, type ColumnLineage } from './column-lineage.js';
import { layoutGraph } from './layout.js';
import { loadSiteAssets } from './assets.js';
import { SHARD_SIZE, buildDetail, indexEntry, orderedIds, testsByAttachedNode } from './site-data.js';
import { compactIndex } from './site-index.js';
import { overviewData, type FreshnessArtifact } from './overview.js';
import { semanticNode } from './semantic.js';

export interface GenerateDocsOptions {
  targetDir: string;
  /** Defaults to `<targetDir>/docs`. */
  outDir?: string;
  manifest: Manifest;
  catalog?: Catalog;
  runResults?: RunResults;
  /** Precomputed lineage (e.g. by a pipeline that already has it); computed when absent. */
  lineage?: ColumnLineage;
  /** `target/sources.json` of the last `source freshness`, shown on the overview. */
  freshness?: FreshnessArtifact;
  /** The project's README.md, the overview's text when there is no `__overview__` doc block. */
  readme?: string;
}

const TEST_RANK: Record<string, number> = { pass: 1, success: 1, warn: 2, fail: 3, error: 3, 'runtime error': 3 };

export interface GenerateDocsResult {
  outDir: string;
  files: number;
  elapsedMs: number;
  layoutMs: number;
  lineageMs: number;
  nodes: number;
}

/**
 * Assigned to a global. A big object literal parses several times slower in V8 than the same
 * data handed to JSON.parse as a string, so the data goes in as a string; `<` is escaped so a
 * description cannot close a script tag.
 */
function asScript(global: string, value: unknown): string {
  return `${global}=JSON.parse(${jsonString(value)});\n`;
}

function jsonString(value: unknown): string {
  return JSON.stringify(JSON.stringify(value)).replace(/</g, '\\u003c');
}

function checkManifest(m: Manifest): void {
  if (!m || typeof m !== 'object' || typeof m.nodes !== 'object' || typeof m.sources !== 'object') {
    throw new MflowError('USAGE', 'the manifest given to docs generate has no nodes/sources', {
      file: 'target/manifest.json',
      hint: 'run `mflow compile` (or `mflow build`) first so target/manifest.json is complete',
    });
  }
}

/** A node's column names, space-separated, for search ("readmitted_30d" finds fact_admission). */
function columnNames(id: string, manifest: Manifest, catalog: Catalog | undefined, lineage: ColumnLineage): string {
  const names = new Set<string>();
  const node = manifest.nodes[id] ?? manifest.sources[id];
  for (const c of Object.values(node?.columns ?? {})) names.add(c.name);
  const table = catalog?.nodes[id] ?? catalog?.sources[id];
  for (const c of Object.values(table?.columns ?? {})) names.add(c.name);
  for (const c of lineage.nodes[id]?.columns ?? []) names.add(c.column);
  const lower = new Set<string>();
  return [...names].filter((n) => !lower.has(n.toLowerCase()) && lower.add(n.toLowerCase())).join(' ');
}

export async function generateDocsSite(opts: GenerateDocsOptions): Promise<GenerateDocsResult> {
  const started = performance.now();
  const { manifest, catalog, runResults } = opts;
  checkManifest(manifest);
  const outDir = path.resolve(opts.outDir ?? path.join(opts.targetDir, 'docs'));
  const lineage = opts.lineage ?? (await computeColumnLineage(manifest, { catalog }));

  const { graph, other } = orderedIds(manifest);
  const ids = [...graph, ...other];
  const pos = new Map(ids.map((id, i) => [id, i]));
  const resultById = new Map<string, NodeResult>((runResults?.results ?? []).map((r) => [r.unique_id, r]));
  const entries = ids.map((id, i) => indexEntry(id, Math.floor(i / SHARD_SIZE), manifest, resultById.get(id)?.status));

  const edges: [number, number][] = [];
  const extraChildren = new Map<string, string[]>();
  for (const child of graph) {
    const sem = semanticNode(manifest, child);
    const parents = sem ? (sem.depends_on?.nodes ?? []) : (manifest.parent_map?.[child] ?? manifest.nodes[child]?.depends_on?.nodes ?? []);
    for (const p of new Set(parents)) {
      const pi = pos.get(p);
      if (pi !== undefined && pi < graph.length) edges.push([pi, pos.get(child)!]);
      if (sem) extraChildren.set(p, [...(extraChildren.get(p) ?? []), child]);
    }
  }
  // On graph nodes: row counts from the catalog, and the worst last result of the node's tests.
  const testsByNode = testsByAttachedNode(manifest);
  const rows: Record<number, number> = {};
  const testStatus: number[] = graph.map((id, i) => {
    const n = (catalog?.nodes[id] ?? catalog?.sources[id])?.stats?.row_count?.value;
    if (typeof n === 'number') rows[i] = n;
    const tests = testsByNode.get(id) ?? [];
    if (!tests.length) return 0;
    return Math.max(...tests.map((t) => TEST_RANK[resultById.get(t.unique_id)?.status ?? ''] ?? 4));
  });
  // Width follows the label so names are readable at full zoom; capped to keep layers compact.
  const widths = graph.map((_, i) => Math.min(260, 36 + entries[i].n.length * 7));
  const layout = await layoutGraph({ ids: graph, widths, edges });
  graph.forEach((_, i) => {
    entries[i].r = layout.rank[i];
    entries[i].x = Math.round(layout.x[i]);
    entries[i].y = Math.round(layout.y[i]);
    entries[i].w = widths[i];
  });

  const shards = Math.ceil(ids.length / SHARD_SIZE);
  let fileCount = 0;
  const index = compactIndex({
    project: manifest.metadata?.project_name ?? 'project',
    generatedAt: manifest.metadata?.generated_at ?? new Date().toISOString(),
    adapter: manifest.metadata?.adapter_type ?? '',
    shardSize: SHARD_SIZE,
    entries,
    graphCount: graph.length,
    edges: edges.flat(),
    stats: { layoutMs: Math.round(layout.elapsedMs), lineageMs: Math.round(lineage.elapsedMs) },
    rows,
    testStatus,
  });

  // Written beside the site and swapped in at the end: a failure half-way leaves the previous site whole.
  const finalDir = outDir;
  const building = `${finalDir}.building-${process.pid}`;
  await rm(building, { recursive: true, force: true });
  await mkdir(path.join(building, 'data', 'nodes'), { recursive: true });
  await mkdir(path.join(building, 'assets'), { recursive: true });
  try {
    await writeSite(building);
  } catch (e) {
    await rm(building, { recursive: true, force: true });
    throw e;
  }
  await rm(finalDir, { recursive: true, force: true });
  await rename(building, finalDir);
  return {
    outDir: finalDir,
    files: fileCount,
    elapsedMs: Math.round(performance.now() - started),
    layoutMs: Math.round(layout.elapsedMs),
    lineageMs: Math.round(lineage.elapsedMs),
    nodes: ids.length,
  };

  async function writeSite(outDir: string): Promise<void> {
    const assets = await loadSiteAssets();
    const writes: Promise<void>[] = [
      writeFile(path.join(outDir, 'index.html'), assets.html.replace(/__PROJECT__/g, index.project.replace(/[<&"]/g, ''))),
      writeFile(path.join(outDir, 'assets', 'app.js'), assets.appJs),
      writeFile(path.join(outDir, 'assets', 'style.css'), assets.css),
      writeFile(path.join(outDir, 'data', 'index.js'), asScript('window.MFLOW_INDEX', index)),
      // Descriptions and column names only feed search and result lines: loaded after the first render.
      writeFile(path.join(outDir, 'data', 'search.js'), `window.MF_DESC(JSON.parse(${jsonString(entries.map((e) => e.d))}),JSON.parse(${jsonString(ids.map((id) => columnNames(id, manifest, catalog, lineage)))}));\n`),
      writeFile(path.join(outDir, 'data', 'overview.js'), `window.MF_OVERVIEW(JSON.parse(${jsonString(overviewData({ manifest, runResults, freshness: opts.freshness, readme: opts.readme }))}));\n`),
    ];
    for (let k = 0; k < shards; k++) {
      const shard: Record<string, unknown> = {};
      for (const id of ids.slice(k * SHARD_SIZE, (k + 1) * SHARD_SIZE)) shard[id] = buildDetail(id, { manifest, catalog, runResults, lineage, extraChildren }, resultById, testsByNode);
      writes.push(writeFile(path.join(outDir, 'data', 'nodes', `${k}.js`), `window.MF_SHARD(${k},JSON.parse(${jsonString(shard)}));\n`));
    }
    // Every write settles before the caller removes the folder.
    const failed = (await Promise.allSettled(writes)).find((r) => r.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    fileCount = writes.length;
  }
}
