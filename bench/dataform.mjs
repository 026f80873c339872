// mflow against Dataform's CLI on the same generated project (N models, default 1,000: the same
// refs, config, tags and macro call, written as SQLX with a JavaScript include for the macro),
// cold `compile` of each, alternating, in one run so both see the same load. @dataform/cli and
// @dataform/core are installed from npm into a temporary folder (not a dependency of mflow).
// Usage: node bench/dataform.mjs [N] [--runs K]   (build first: npx tsc -p .)
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeProject } from './bench-project.mjs';

const DATAFORM_CLI = '3.0.69';
const DATAFORM_CORE = '3.0.62';
const root = dirname(dirname(fileURLToPath(import.meta.url)));
const args = process.argv.slice(2);
const runsAt = args.indexOf('--runs');
const RUNS = runsAt >= 0 ? Number(args[runsAt + 1]) : 5;
const n = Number(args.find((a, i) => /^\d+$/.test(a) && args[i - 1] !== '--runs') ?? 1000);
const load = () => loadavg().map((x) => x.toFixed(1)).join(' ');

// The same project as bench-project.mjs, as Dataform writes it.
function makeDataformProject(count) {
  const dir = mkdtempSync(join(tmpdir(), `dataform-bench-${count}-`));
  writeFileSync(join(dir, 'workflow_settings.yaml'), `defaultProject: bench\ndefaultDataset: bench\ndefaultLocation: US\n`);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'bench', dependencies: { '@dataform/core': DATAFORM_CORE } }));
  mkdirSync(join(dir, 'includes'));
  writeFileSync(join(dir, 'includes', 'm.js'), 'function cents(col) { return `round(${col} * 100)::bigint`; }\nmodule.exports = { cents };\n');
  let rng = 42;
  const rand = (k) => ((rng = (rng * 1103515245 + 12345) % 2147483648), rng % k);
  for (let i = 0; i < count; i++) {
    const folder = join(dir, 'definitions', `f${Math.floor(i / 500)}`);
    if (i % 500 === 0) mkdirSync(folder, { recursive: true });
    const refs = i === 0 ? [] : Array.from({ length: 1 + rand(3) }, () => `m${rand(i)}`);
    const from = refs.length ? refs.map((r, k) => (k === 0 ? `from \${ref("${r}")} as t0` : `join \${ref("${r}")} as t${k} using (id)`)).join('\n') : 'from unnest(generate_array(0, 9)) as id';
    const sqlx = `config { type: "${i % 10 === 0 ? 'table' : 'view'}", tags: ["bench"] }\nselect\n  t0.id,\n  \${m.cents("t0.id")} as amount_cents,\n  'm${i}' as model_name,\n  ${i} as model_no\n${from}\n`;
    writeFileSync(join(folder, `m${i}.sqlx`), sqlx);
  }
  return dir;
}

// Wall time, and CPU time (user + system, from /usr/bin/time). Dataform compiles in a child
// process whose CPU time /usr/bin/time does not fully see (0.6 s of CPU for 30 s of wall time
// was measured), so only the wall-time ratios compare the two tools.
function time(cmd, argv, cwd) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', 'CPU=%U+%S', cmd, ...argv], { cwd, encoding: 'utf8', maxBuffer: 1 << 30 });
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')} failed: ${r.stderr || r.stdout}`.slice(0, 2000));
  const cpu = /CPU=([\d.]+)\+([\d.]+)/.exec(r.stderr);
  return { secs, cpu: cpu ? Number(cpu[1]) + Number(cpu[2]) : NaN, out: r.stdout };
}

// Installed into the Dataform project itself: its compiler runs in a sandbox that loads
// @dataform/core from the project's own node_modules only.
const dfDir = makeDataformProject(n);
const mfDir = makeProject(n);
// Removed however the script ends (a failed Dataform compile throws).
process.on('exit', () => {
  });
console.log(`installing @dataform/cli@${DATAFORM_CLI} and @dataform/core@${DATAFORM_CORE} into ${dfDir}`);
execFileSync('npm', ['install', '--prefix', dfDir, '--no-save', '--no-audit', '--no-fund', '--loglevel=error', `@dataform/cli@${DATAFORM_CLI}`, `@dataform/core@${DATAFORM_CORE}`], { stdio: 'inherit' });
const dataform = join(dfDir, 'node_modules', '.bin', 'dataform');
// Dataform compiles to standard output: check that it saw every model once.
// --timeout: Dataform stops a compile after 60 s by default, which a loaded machine exceeds.
const DF_ARGS = ['compile', '--json', '--timeout=30m'];
const check = time(dataform, DF_ARGS, dfDir);
const actions = (JSON.parse(check.out).tables ?? []).length;
if (actions !== n) throw new Error(`Dataform compiled ${actions} tables, expected ${n}`);

console.log(`${n} models, load average before: ${load()}`);
const df = [];
const mf = [];
const dfCpu = [];
const mfCpu = [];
let moved = 0;
for (let k = 0; k < RUNS; k++) {
  const d = time(dataform, DF_ARGS, dfDir);
  df.push(d.secs);
  dfCpu.push(d.cpu);
  // Cold: no target/ (moved aside, not deleted; see bench/compile.mjs on this disk's deletions).
  if (existsSync(join(mfDir, 'target'))) renameSync(join(mfDir, 'target'), join(mfDir, `.old-target-${moved++}`));
  const m = time('node', [join(root, 'bin/mflow'), 'compile', '--project-dir', mfDir], mfDir);
  mf.push(m.secs);
  mfCpu.push(m.cpu);
}
const median = (xs) => [...xs].sort((a, b) => a - b)[(xs.length - 1) >> 1];
console.log(`dataform compile: median ${median(df).toFixed(2)} s of ${RUNS} (${df.map((x) => x.toFixed(2)).join(', ')})`);
console.log(`mflow compile (cold): median ${median(mf).toFixed(2)} s of ${RUNS} (${mf.map((x) => x.toFixed(2)).join(', ')})`);
console.log(`CPU as /usr/bin/time sees it (not comparable for Dataform, see above): dataform median ${median(dfCpu).toFixed(2)} s, mflow ${median(mfCpu).toFixed(2)} s`);
console.log(`paired wall-time ratios dataform/mflow: ${df.map((d, i) => (d / mf[i]).toFixed(1)).join(', ')} (of the medians ${(median(df) / median(mf)).toFixed(1)})`);
console.log(`load average after: ${load()}`);
