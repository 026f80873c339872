// Data tests in one scan per relation against one query per test, on MediFlow.
// Usage: npx tsc -p . && node bench/test-fusion.mjs [--beneficiaries 100000] [--repeat 3] [--select stg_claims]
// Builds a generated sample once (generate, ingest, build), then runs `mflow test` on the selection
// with fused tests and with --no-fuse-tests, alternating, so each pair sees the same machine; prints
// wall time, the per-pair ratio and the peak RSS of each mode (the tests run in this process).
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, test, CaptureConsole } from '../dist/index.js';
import { ingest, generate } from '../dist/pipeline/api.js';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const arg = (n, d) => (process.argv.includes(`--${n}`) ? process.argv[process.argv.indexOf(`--${n}`) + 1] : d);
const N = Number(arg('beneficiaries', '100000'));
const REPEAT = Number(arg('repeat', '3'));
const SELECT = arg('select', 'stg_claims');

const dir = mkdtempSync(join(tmpdir(), 'mflow-fusion-'));
try {
  for (const p of ['project.yml', 'models', 'seeds', 'macros', 'tests/data']) cpSync(join(root, p), join(dir, p), { recursive: true });
  const quiet = new CaptureConsole();
  let t = performance.now();
  await generate({ beneficiaries: N, seed: 7, outDir: join(dir, 'data/synpuf') });
  await ingest({ projectDir: dir, console: quiet });
  const b = await build({ projectDir: dir, console: quiet });
  if (!b.ok) throw new Error('build failed');
  console.log(`MediFlow, ${N} beneficiaries: generated, ingested and built in ${((performance.now() - t) / 1000).toFixed(0)} s`);
  const times = { fused: [], alone: [] };
  for (let k = 0; k < REPEAT; k++) {
    for (const mode of ['fused', 'alone']) {
      t = performance.now();
      const r = await test({ projectDir: dir, console: quiet, select: [SELECT], fuseTests: mode === 'fused' });
      times[mode].push((performance.now() - t) / 1000);
      if (!r.ok) throw new Error(`${mode}: tests failed`);
      if (k === 0 && mode === 'fused') console.log(`${r.results.length} tests selected by '${SELECT}'`);
    }
  }
  const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const ratios = times.alone.map((a, i) => a / times.fused[i]);
  console.log(`one query per test (--no-fuse-tests): ${times.alone.map((x) => x.toFixed(1)).join(', ')} s (median ${med(times.alone).toFixed(1)} s)`);
  console.log(`fused, one scan per relation:         ${times.fused.map((x) => x.toFixed(1)).join(', ')} s (median ${med(times.fused).toFixed(1)} s)`);
  console.log(`speed-up per pair: ${ratios.map((x) => x.toFixed(2)).join(', ')} (median ${med(ratios).toFixed(2)}x); peak RSS of this process ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
