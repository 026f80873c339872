// Per-node overhead of `mflow run` on DuckDB against executing the same SQL directly through
// @duckdb/node-api. Usage: npx tsc -p . && node bench/run-overhead.mjs [--beneficiaries 3000] [--repeat 15]
// Both sides run one thread, in the same order, on the same MediFlow database. Each repetition runs
// mflow and then the same statements directly, and the overhead is the median of the per-repetition
// ratios: neighbours in time see the same machine, which a ratio of two medians does not ensure.
// One warm-up repetition is not counted.
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { run, seed, CaptureConsole } from '../dist/index.js';
import { ingest, generate } from '../dist/pipeline/api.js';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const arg = (n, d) => (process.argv.includes(`--${n}`) ? process.argv[process.argv.indexOf(`--${n}`) + 1] : d);
const N = Number(arg('beneficiaries', '3000'));
const REPEAT = Number(arg('repeat', '15'));

const dir = mkdtempSync(join(tmpdir(), 'mflow-overhead-'));
for (const p of ['project.yml', 'models', 'seeds', 'macros', 'tests/data']) cpSync(join(root, p), join(dir, p), { recursive: true });
const console_ = new CaptureConsole();
await generate({ beneficiaries: N, seed: 11, outDir: join(dir, 'data/synpuf'), nppesDir: join(dir, 'data/nppes') });
await ingest({ projectDir: dir, console: console_ });
await seed({ projectDir: dir, console: console_ });

const mflowTimes = [];
const nodeTimes = [];
const directTimes = [];
let nodes = 0;
for (let k = -1; k < REPEAT; k++) {
  const t0 = performance.now();
  const r = await run({ projectDir: dir, console: console_, threads: 1, fullRefresh: true });
  mflowTimes.push(performance.now() - t0);
  if (!r.ok) throw new Error('mflow run failed: ' + r.results.filter((x) => x.status === 'error').map((x) => x.message).join('\n'));
  nodes = r.results.length;
  nodeTimes.push(r.results.reduce((a, x) => a + x.execution_time * 1000, 0));
  // The same statements mflow executed (target/run/**), in the same order, straight to DuckDB.
  const statements = r.results.map((x) => readFileSync(join(dir, x.compiled_path.replace('target/compiled/', 'target/run/')), 'utf8'));
  const inst = await DuckDBInstance.create(join(dir, 'data/mediflow.duckdb'));
  const c = await inst.connect();
  const t1 = performance.now();
  for (const s of statements) await c.run(s);
  const direct = performance.now() - t1;
  c.closeSync();
  inst.closeSync();
  if (k < 0) {
    mflowTimes.pop();
    nodeTimes.pop();
    continue;
  }
  directTimes.push(direct);
}
const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const m = med(mflowTimes);
const n = med(nodeTimes);
const d = med(directTimes);
console.log(`MediFlow, ${N} beneficiaries, ${nodes} models, 1 thread, full refresh, median of ${REPEAT}`);
console.log(`same SQL straight through @duckdb/node-api:        ${(d / 1000).toFixed(2)} s`);
const ratios = nodeTimes.map((x, i) => (x - directTimes[i]) / directTimes[i]).sort((a, b) => a - b);
const overhead = med(ratios);
console.log(`mflow, sum over nodes (compile + plan + execute):  ${(n / 1000).toFixed(2)} s  -> per-node overhead ${(overhead * 100).toFixed(1)}% (median of per-repetition ratios; range ${(ratios[0] * 100).toFixed(1)} to ${(ratios[ratios.length - 1] * 100).toFixed(1)}%; ${((n - d) / nodes).toFixed(1)} ms per node)`);
console.log(`mflow run, whole command (+ parse, connect, artifacts): ${(m / 1000).toFixed(2)} s  -> ${(((m - d) / d) * 100).toFixed(1)}% including start-up`);
rmSync(dir, { recursive: true, force: true });
