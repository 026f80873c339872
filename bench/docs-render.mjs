// Time to first render of the docs site for a 10,000-model synthetic project in Chromium.
// Usage: npx tsc -p . && node bench/docs-render.mjs [models=10000]
// Prints: generate time, median of 3 (column lineage, layout), site size, and the index, whole-graph
// and overview first-render times (performance marks set by the site, from navigation start).
import { mkdtemp, rm, stat, readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { chromiumPath } from '../tests/browser/chromium-path.mjs';
import { generateDocsSite, serveDocs, syntheticManifest } from '../dist/docs/index.js';

const models = Number(process.argv[2] ?? 10000);
const manifest = syntheticManifest(models);
const tmp = await mkdtemp(path.join(os.tmpdir(), 'mflow-docs-bench-'));
// Generate three times (median), each from scratch: lineage, layout, every file written.
const gens = [];
for (let i = 0; i < 3; i++) {
  const cpu0 = process.cpuUsage();
  const g = await generateDocsSite({ targetDir: tmp, manifest });
  gens.push({ ...g, cpuMs: (process.cpuUsage(cpu0).user + process.cpuUsage(cpu0).system) / 1000 });
}
const byTime = [...gens].sort((a, b) => a.elapsedMs - b.elapsedMs);
const gen = byTime[1];
let bytes = 0;
for (const f of await readdir(gen.outDir, { recursive: true })) {
  const s = await stat(path.join(gen.outDir, f));
  if (s.isFile()) bytes += s.size;
}
const indexBytes = (await stat(path.join(gen.outDir, 'data', 'index.js'))).size;
console.log(`synthetic project: ${Object.keys(manifest.nodes).length} models, ${Object.keys(manifest.sources).length} sources`);
console.log(`docs generate: median ${gen.elapsedMs} ms wall, ${gen.cpuMs.toFixed(0)} ms CPU of this process (column lineage ${gen.lineageMs} ms, layout ${gen.layoutMs} ms), runs ${gens.map((g) => g.elapsedMs).join(', ')} ms; ${gen.files} files, ${(bytes / 1e6).toFixed(1)} MB (index ${(indexBytes / 1e6).toFixed(1)} MB)`);

const server = await serveDocs({ dir: gen.outDir, port: 0, open: false });
const browser = await chromium.launch({
  executablePath: await chromiumPath(),
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
const mark = async (hash, name) => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(server.url + hash);
  await page.waitForFunction((n) => performance.getEntriesByName(n).length > 0, name, { timeout: 60_000 });
  // One more frame so the figure includes the paint, not only our draw call.
  const paint = await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(() => r(performance.now()), 0))));
  const t = await page.evaluate((n) => performance.getEntriesByName(n)[0].startTime, name);
  const nodes = await page.evaluate(() => (window.MF?.graph?.visibleCount ? window.MF.graph.visibleCount() : window.MF.nodes.length));
  await page.close();
  return { t, paint, nodes };
};
const runs = { index: [], graph: [], overview: [] };
for (let i = 0; i < 3; i++) {
  runs.index.push(await mark('#/search', 'mflow:index-rendered'));
  runs.graph.push(await mark('#/graph', 'mflow:graph-rendered'));
  runs.overview.push(await mark('#/', 'mflow:overview-rendered'));
}
const med = (xs) => xs.map((x) => x).sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`index first render: median ${med(runs.index.map((r) => r.t)).toFixed(0)} ms (painted by ${med(runs.index.map((r) => r.paint)).toFixed(0)} ms) from navigation start, runs ${runs.index.map((r) => r.t.toFixed(0)).join(', ')} ms`);
console.log(`whole lineage graph first render (${runs.graph[0].nodes} nodes): median ${med(runs.graph.map((r) => r.t)).toFixed(0)} ms (painted by ${med(runs.graph.map((r) => r.paint)).toFixed(0)} ms), runs ${runs.graph.map((r) => r.t.toFixed(0)).join(', ')} ms`);
console.log(`overview (landing page) first render: median ${med(runs.overview.map((r) => r.t)).toFixed(0)} ms (painted by ${med(runs.overview.map((r) => r.paint)).toFixed(0)} ms), runs ${runs.overview.map((r) => r.t.toFixed(0)).join(', ')} ms`);
console.log(`target: whole graph under 500 ms -> ${med(runs.graph.map((r) => r.t)) < 500 ? 'met' : 'NOT met'}; under 2000 ms painted -> ${med(runs.graph.map((r) => r.paint)) < 2000 && med(runs.index.map((r) => r.paint)) < 2000 ? 'met' : 'NOT met'}`);
await browser.close();
await server.close();
await rm(tmp, { recursive: true, force: true });
