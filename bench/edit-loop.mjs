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
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
// Wall time and CPU time (user + system, from /usr/bin/time: less sensitive to other jobs on the
// machine than wall time) and how the parse went, from MFLOW_TIMING's lines.
function compile(extra = []) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', 'CPU=%U+%S', 'node', mflow, 'compile', '--project-dir', dir, ...extra], { env: { ...process.env, MFLOW_TIMING: '1' }, encoding: 'utf8' });
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`mflow compile failed: ${r.stderr}`);
  const cpu = /CPU=([\d.]+)\+([\d.]+)/.exec(r.stderr);
  const mode = /partial: (reused|full \([^)]*\)?)/.exec(r.stderr)?.[1] ?? (/partial: up to date/.test(r.stderr) ? 'up to date' : 'full');
  return { secs, cpu: cpu ? Number(cpu[1]) + Number(cpu[2]) : NaN, mode };
}
const median = (xs) => [...xs].sort((a, b) => a - b)[(xs.length - 1) >> 1];

// One model in the middle of the graph; its body changes, its config() does not.
const victim = join(dir, 'models', `f${Math.floor(n / 2 / 500)}`, `m${Math.floor(n / 2)}.sql`);
const original = readFileSync(victim, 'utf8');
const edit = (k) => writeFileSync(victim, original.replace(' as model_no', ` + ${k + 1} as model_no`));

console.log(`${n} models, load average before: ${load()}`);
const cold = compile();
console.log(`${'cold compile (no target/)'.padEnd(44)} ${cold.secs.toFixed(3)} s wall, ${cold.cpu.toFixed(2)} s CPU`);
// Round-robin: every scenario once per round, so all of them see the same load over the run.
const sel = ['-s', `m${Math.floor(n / 2)}`];
const scenarios = [
  ['compile --no-partial-parse (full parse)', null, ['--no-partial-parse']],
  ['compile, nothing changed', null, []],
  ['compile, one model changed', edit, []],
  [`compile -s m${Math.floor(n / 2)}, nothing changed`, null, sel],
  [`compile -s m${Math.floor(n / 2)}, that model changed`, edit, sel],
];
const got = scenarios.map(() => ({ wall: [], cpu: [], modes: new Set() }));
let edits = 0;
for (let k = 0; k < RUNS; k++) {
  scenarios.forEach(([, before, extra], i) => {
    before?.(edits++);
    const r = compile(extra);
    got[i].wall.push(r.secs);
    got[i].cpu.push(r.cpu);
    got[i].modes.add(r.mode);
  });
}
const full = median(got[0].wall);
const fullCpu = median(got[0].cpu);
scenarios.forEach(([label], i) => {
  const g = got[i];
  console.log(`${label.padEnd(44)} median ${median(g.wall).toFixed(3)} s wall (min ${Math.min(...g.wall).toFixed(3)}), ${median(g.cpu).toFixed(2)} s CPU; ${(median(g.wall) / full).toFixed(2)} of the full parse's wall time, ${(median(g.cpu) / fullCpu).toFixed(2)} of its CPU  [${[...g.modes].join(', ')}]`);
});
console.log(`load average after: ${load()}`);
