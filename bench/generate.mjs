// Throughput and memory of `mflow generate synpuf`.
// Usage: npx tsc -p . && node bench/generate.mjs [beneficiaries=100000] [--keep]
// Prints rows/second overall and per file, bytes, elapsed time and max RSS. The output goes to
// a temporary folder that is removed afterwards unless --keep is given.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { generateSynpuf } from '../dist/synpuf/generate.js';

const args = process.argv.slice(2);
const n = Number(args.find((a) => !a.startsWith('--')) ?? 100000);
const keep = args.includes('--keep');
const out = mkdtempSync(join(tmpdir(), 'mflow-synpuf-bench-'));

let peakRss = 0;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 200);

const cpuStart = process.cpuUsage();
const started = process.hrtime.bigint();
let lastReport = 0;
const summary = await generateSynpuf({
  beneficiaries: n,
  seed: 42,
  outDir: out,
  onProgress: ({ file, rows }) => {
    if (!file.includes('2008_Beneficiary')) return;
    const now = Date.now();
    if (now - lastReport < 10_000) return;
    lastReport = now;
    process.stderr.write(`  ${rows} beneficiaries, rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MB\n`);
  },
});
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
clearInterval(sampler);
const cpu = process.cpuUsage(cpuStart);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;

const mb = (b) => (b / 2 ** 20).toFixed(1);
let rows = 0;
let bytes = 0;
console.log(`generate synpuf: ${n} beneficiaries, seed 42, ${seconds.toFixed(1)} s`);
console.log('file'.padEnd(60), 'rows'.padStart(11), 'MB'.padStart(9), 'rows/s'.padStart(10));
for (const f of summary.files) {
  rows += f.rows;
  bytes += f.bytes;
  console.log(basename(f.path).padEnd(60), String(f.rows).padStart(11), mb(f.bytes).padStart(9), String(Math.round(f.rows / seconds)).padStart(10));
}
console.log('total'.padEnd(60), String(rows).padStart(11), mb(bytes).padStart(9), String(Math.round(rows / seconds)).padStart(10));
console.log(`throughput: ${Math.round(rows / seconds)} rows/s, ${mb(bytes / seconds)} MB/s, ${Math.round(n / seconds)} beneficiaries/s`);
console.log(`CPU: ${cpuSeconds.toFixed(1)} s (user+system), ${Math.round(rows / cpuSeconds)} rows per CPU-second; wall time is longer when other processes share the cores`);
console.log(`max RSS: ${mb(process.resourceUsage().maxRSS * 1024)} MB (sampled peak ${mb(peakRss)} MB)`);
if (keep) console.log(`output kept in ${out}`);
else rmSync(out, { recursive: true, force: true });
