// Times `mflow seed` on a 1,000,000-row CSV of mixed types through the built API (run `npx tsc -p .` first).
// Usage: node bench/seed.mjs [rows]
import { mkdtempSync, mkdirSync, writeFileSync, createWriteStream, statSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { seed } from '../dist/api.js';
import { CaptureConsole } from '../dist/console/console.js';

const rows = Number(process.argv[2] ?? 1_000_000);
const dir = mkdtempSync(join(tmpdir(), 'mflow-bench-seed-'));
mkdirSync(join(dir, 'seeds'));
writeFileSync(join(dir, 'project.yml'), 'name: bench\nversion: 1.0.0\ntargets:\n  default: dev\n  dev:\n    type: duckdb\n    path: bench.duckdb\n    threads: 2\n');

const csv = join(dir, 'seeds', 'claims.csv');
const out = createWriteStream(csv);
out.write('claim_id,member_id,amount,service_date,loaded_at,paid,code,note\n');
const codes = ['99213', 'A0425', 'J1100', '0450', 'G0439'];
let buf = '';
for (let i = 1; i <= rows; i++) {
  const day = 1 + (i % 28);
  const month = 1 + (i % 12);
  const note = i % 10 === 0 ? '"follow-up, ""urgent"""' : i % 7 === 0 ? '' : 'routine visit';
  buf += `${i},${100000 + (i % 50000)},${(i % 100000) / 100},2023-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')},2024-01-${String(day).padStart(2, '0')} 12:${String(i % 60).padStart(2, '0')}:00,${i % 3 === 0 ? 'true' : 'false'},${codes[i % 5]},${note}\n`;
  if (buf.length > 1 << 20) {
    if (!out.write(buf)) await once(out, 'drain');
    buf = '';
  }
}
out.end(buf);
await once(out, 'finish');
const mb = statSync(csv).size / 1e6;

const t0 = performance.now();
const cpu0 = process.cpuUsage();
const r = await seed({ projectDir: dir, console: new CaptureConsole(), writeArtifacts: false });
const secs = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
const cpuSecs = (cpu.user + cpu.system) / 1e6;
if (!r.ok) throw new Error(r.results.map((x) => x.message).join('\n'));
const loaded = r.results[0].adapter_response.rows_affected;
console.log(`seed: ${loaded} rows (${mb.toFixed(1)} MB CSV, 8 columns) loaded in ${secs.toFixed(2)} s = ${Math.round(loaded / secs).toLocaleString('en-US')} rows/s (end to end: project parse, DuckDB open, stage, inference, typed insert); CPU ${cpuSecs.toFixed(2)} s over all threads`);
console.log(`load average during the run: ${(await import('node:os')).loadavg().map((x) => x.toFixed(1)).join(' ')} (on a busy machine wall time exceeds CPU time / cores)`);
rmSync(dir, { recursive: true, force: true });
