// dbt-core and mflow side by side, in one run, on the same projects: `parse` and `compile` of
// the dbt_utils 1.4.1 integration project (after `deps` and `seed`, which are not timed) and of
// bench/compile.mjs's synthetic projects written as dbt projects (dbt_project.yml + profiles.yml,
// which mflow reads as they are). Wall-clock seconds of each command as a user runs it (process
// start included), median of RUNS runs; the ratio is dbt-core's time over mflow's.
//
// Usage: node bench/dbt-side-by-side.mjs [--runs N] [--no-utils] [N ...]   (default: 1000 10000; build first: npx tsc -p .)
// dbt-core comes from the oracle environment (tests/oracles: ~/.cache/mediflow/pyenv-*, or MFLOW_PYENV).
// dbt runs with --no-partial-parse and without anonymous statistics or version checks.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir, cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeProject } from './bench-project.mjs';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const args = process.argv.slice(2);
const runsAt = args.indexOf('--runs');
const RUNS = runsAt >= 0 ? Number(args[runsAt + 1]) : 3;
const sizes = args.filter((a, i) => i !== runsAt + 1 || runsAt < 0).map(Number).filter(Boolean);
const UTILS = !args.includes('--no-utils');
if (!sizes.length) sizes.push(1000, 10000);

function pyenv() {
  if (process.env.MFLOW_PYENV) return process.env.MFLOW_PYENV;
  const base = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'mediflow');
  const found = existsSync(base) ? readdirSync(base).filter((d) => d.startsWith('pyenv-') && existsSync(join(base, d, 'bin', 'dbt'))) : [];
  if (!found.length) throw new Error('No oracle environment with dbt: run the oracle tests once (npx vitest run tests/oracles) or set MFLOW_PYENV');
  return join(base, found[0]);
}
const DBT = join(pyenv(), 'bin', 'dbt');
const MFLOW = join(root, 'bin', 'mflow');
const env = { ...process.env, DO_NOT_TRACK: '1', DBT_SEND_ANONYMOUS_USAGE_STATS: 'false', DBT_VERSION_CHECK: 'false', FORCE_COLOR: '0' };

function profile(dir, name, db) {
  writeFileSync(join(dir, 'profiles.yml'), `${name}:\n  target: duckdb\n  outputs:\n    duckdb:\n      type: duckdb\n      path: ${JSON.stringify(db)}\n      threads: 2\n`);
}

// `compile` of the dbt_utils project ends with errors on both tools (models whose tests
// introspect tables that only `build` creates, e.g. test_date_spine): the time still covers the
// whole project, so a non-zero exit is reported, not fatal.
const exits = [];
function run(cmd, argv, cwd, allowFail = argv.includes('compile')) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, argv, { cwd, env, encoding: 'utf8', maxBuffer: 256 << 20 });
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0 && allowFail) exits.push(`${cmd.endsWith('dbt') ? 'dbt' : 'mflow'} ${argv.find((a) => a === 'compile')} in ${cwd}: exit ${r.status}`);
  else if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')} failed in ${cwd}:\n${(r.stdout + r.stderr).slice(-3000)}`);
  return s;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function time(label, tool, argv, cwd, prepare) {
  const xs = [];
  for (let i = 0; i < RUNS; i++) {
    prepare?.();
    xs.push(run(tool === 'dbt' ? DBT : 'node', tool === 'dbt' ? argv : [MFLOW, ...argv], cwd));
  }
  return median(xs);
}

/** bench/compile.mjs's generated project, as a dbt project (dbt_project.yml + profiles.yml) for both tools. */
function synthetic(n) {
  const dir = makeProject(n);
  rmSync(join(dir, 'project.yml'));
  writeFileSync(join(dir, 'dbt_project.yml'), `name: bench\nversion: '1.0'\nconfig-version: 2\nprofile: bench\nmodels:\n  bench:\n    +materialized: view\n`);
  profile(dir, 'bench', join(dir, 'bench.duckdb'));
  return { dir, clean: () => rmSync(join(dir, 'target'), { recursive: true, force: true }) };
}

function dbtUtils() {
  const base = mkdtempSync(join(tmpdir(), 'mflow-side-utils-'));
  const out = {};
  for (const tool of ['dbt', 'mflow']) {
    const pkg = join(base, tool);
    cpSync(join(root, '../shared/fixtures/dbt-packages/dbt_utils-1.4.1'), pkg, { recursive: true });
    const dir = join(pkg, 'integration_tests');
    profile(dir, 'integration_tests', join(base, `${tool}.duckdb`));
    if (tool === 'dbt') {
      run(DBT, ['deps', '--profiles-dir', dir], dir);
      run(DBT, ['seed', '--profiles-dir', dir], dir);
    } else {
      run('node', [MFLOW, 'deps', '--project-dir', dir], dir);
      run('node', [MFLOW, 'seed', '--project-dir', dir, '--profiles-dir', dir], dir);
    }
    out[tool] = dir;
  }
  return { base, out };
}

const rows = [];
const dbtArgs = (cmd, dir) => [cmd, '--profiles-dir', dir, '--no-partial-parse', '--quiet'];
const mflowArgs = (cmd, dir) => [cmd, '--project-dir', dir, '--profiles-dir', dir];
console.log(`machine: ${cpus().length} cores, shared with other jobs: figures are noisy, compare ratios within this run`);
if (UTILS) {
  const { base, out } = dbtUtils();
  for (const cmd of ['parse', 'compile']) {
    const clean = (d) => () => rmSync(join(d, 'target'), { recursive: true, force: true });
    const d = time('dbt_utils', 'dbt', dbtArgs(cmd, out.dbt), out.dbt, clean(out.dbt));
    const m = time('dbt_utils', 'mflow', mflowArgs(cmd, out.mflow), out.mflow, clean(out.mflow));
    rows.push({ project: 'dbt_utils 1.4.1 integration_tests', command: cmd, dbt: d, mflow: m });
    console.log(rows.at(-1));
  }
  rmSync(base, { recursive: true, force: true });
}
for (const n of sizes) {
  const p = synthetic(n);
  for (const cmd of ['parse', 'compile']) {
    const d = time(`${n}`, 'dbt', dbtArgs(cmd, p.dir), p.dir, p.clean);
    const m = time(`${n}`, 'mflow', mflowArgs(cmd, p.dir), p.dir, p.clean);
    rows.push({ project: `synthetic ${n} models`, command: cmd, dbt: d, mflow: m });
    console.log(rows.at(-1));
  }
  rmSync(p.dir, { recursive: true, force: true });
}
console.log(`\n| project | command | dbt-core 1.12 (s) | mflow (s) | dbt / mflow |\n|---|---|---|---|---|`);
for (const r of rows) console.log(`| ${r.project} | ${r.command} | ${r.dbt.toFixed(2)} | ${r.mflow.toFixed(2)} | ${(r.dbt / r.mflow).toFixed(1)}x |`);
if (exits.length) console.log(`\nnon-zero exits (timed all the same):\n  ${[...new Set(exits)].join('\n  ')}`);
console.log(`\nmedian of ${RUNS} runs each; wall clock including process start; ${new Date().toISOString()}`);

