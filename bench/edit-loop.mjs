// The edit-compile loop on the generated project of N models (default 10,000): a cold compile,
// then `mflow compile` with nothing changed, after one model's body changed, the same with
// `-s one_model` (the parse and compile a `run -s one_model` does before it runs anything), and
// the full parse (--no-partial-parse) for comparison, all in one run so the ratios share the
// machine's load. Usage: node bench/edit-loop.mjs [N] [--runs K]   (build first: npx tsc -p .)
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeProject } from './bench-project.mjs';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const args = process.argv.slice(2);
const runsAt = args.indexOf('--runs');
const RUNS = runsAt >= 0 ? Number(args[runsAt + 1]) : 5;
const n = Number(args.find((a, i) => /^\d+$/.test(a) && args[i - 1] !== '--runs') ?? 10000);
const mflow = join(root, 'bin/mflow');
const load = () => loadavg().map((x) => x.toFixed(1)).join(' ');

const dir = makeProject(n);
// How the parse went, from MFLOW_TIMING's lines: "reused", or "full (reason)".
function compile(extra = []) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('node', [mflow, 'compile', '--project-dir', dir, ...extra], { env: { ...process.env, MFLOW_TIMING: '1' }, encoding: 'utf8' });
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`mflow compile failed: ${r.stderr}`);
  const mode = /partial: (reused|full \([^)]*\)?)/.exec(r.stderr)?.[1] ?? (/partial: up to date/.test(r.stderr) ? 'up to date' : 'full');
  return { secs, mode };
}
const median = (xs) => [...xs].sort((a, b) => a - b)[(xs.length - 1) >> 1];
function series(label, before, extra = []) {
  const times = [];
  const modes = new Set();
  for (let k = 0; k < RUNS; k++) {
    before?.(k);
    const r = compile(extra);
    times.push(r.secs);
    modes.add(r.mode);
  }
  const m = median(times);
  console.log(`${label.padEnd(44)} median ${m.toFixed(3)} s of ${RUNS} (min ${Math.min(...times).toFixed(3)}, max ${Math.max(...times).toFixed(3)})  parse: ${[...modes].join(', ')}`);
  return m;
}

// One model in the middle of the graph; its body changes, its config() does not.
const victim = join(dir, 'models', `f${Math.floor(n / 2 / 500)}`, `m${Math.floor(n / 2)}.sql`);
const original = readFileSync(victim, 'utf8');
const edit = (k) => writeFileSync(victim, original.replace(' as model_no', ` + ${k + 1} as model_no`));

console.log(`${n} models, load average before: ${load()}`);
const cold = compile();
console.log(`${'cold compile (no target/)'.padEnd(44)} ${cold.secs.toFixed(3)} s`);
const unchanged = series('compile, nothing changed', null);
const changed = series('compile, one model changed', edit);
const selUnchanged = series(`compile -s m${Math.floor(n / 2)}, nothing changed`, null, ['-s', `m${Math.floor(n / 2)}`]);
const selChanged = series(`compile -s m${Math.floor(n / 2)}, that model changed`, edit, ['-s', `m${Math.floor(n / 2)}`]);
const full = series('compile --no-partial-parse, nothing changed', null, ['--no-partial-parse']);
console.log(`ratios to the full parse in this run: nothing changed ${(unchanged / full).toFixed(2)}, one changed ${(changed / full).toFixed(2)}, -s one ${(selUnchanged / full).toFixed(2)} / ${(selChanged / full).toFixed(2)}`);
console.log(`load average after: ${load()}`);
rmSync(dir, { recursive: true, force: true });
