// Cold `mflow compile` of a generated project of N models (each with config(), 1-3 refs, a macro
// call and a few columns). Usage: node bench/compile.mjs [--jinja] [N ...]   (build first: npx tsc -p .)
//
// Each run starts without target/ (nothing cached), but the previous run's target/ is moved aside,
// not deleted, and every deletion waits until the end: on this VM's journal-less ext4, after
// thousands of files are deleted, creating a file costs 0.3-0.6 ms instead of ~0.03 ms (perf shows
// the time in the kernel's recently_deleted() inode scan) for as long as the deleted inodes' table
// blocks stay cached (up to 12 hours), which would measure the filesystem, not mflow.
// `sync; echo 3 > /proc/sys/vm/drop_caches` (root) eases it until those blocks are read again;
// a fresh filesystem avoids it (TMPDIR=/mnt/fresh-ext4 node bench/compile.mjs). The probe below
// reports which state the disk is in.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
// --jinja adds an {% if %} block to every model, so every template goes through nunjucks instead of
// the static fast path: the figure for Jinja-heavy projects.
const JINJA = process.argv.includes('--jinja');
const sizes = process.argv.slice(2).map(Number).filter(Boolean);
if (sizes.length === 0) sizes.push(1000, 10000);

function makeProject(n) {
  const dir = mkdtempSync(join(tmpdir(), `mflow-bench-${n}-`));
  writeFileSync(join(dir, 'project.yml'), `name: bench\ntargets:\n  default: dev\n  dev: {type: duckdb, path: bench.duckdb}\nmodels:\n  bench:\n    +materialized: view\n`);
  mkdirSync(join(dir, 'macros'));
  writeFileSync(join(dir, 'macros', 'm.sql'), `{% macro cents(col) %}round({{ col }} * 100)::bigint{% endmacro %}\n`);
  let rng = 42;
  const rand = (k) => ((rng = (rng * 1103515245 + 12345) % 2147483648), rng % k);
  for (let i = 0; i < n; i++) {
    const folder = join(dir, 'models', `f${Math.floor(i / 500)}`);
    if (i % 500 === 0) mkdirSync(folder, { recursive: true });
    const refs = i === 0 ? [] : Array.from({ length: 1 + rand(3) }, () => `m${rand(i)}`);
    const from = refs.length ? refs.map((r, k) => (k === 0 ? `from {{ ref('${r}') }} as t0` : `join {{ ref('${r}') }} as t${k} using (id)`)).join('\n') : 'from range(10) as r(id)';
    const sql = `{{ config(materialized='${i % 10 === 0 ? 'table' : 'view'}', tags=['bench']) }}\nselect\n  t0.id,\n  {{ cents('t0.id') }} as amount_cents,\n  'm${i}' as model_name,\n  ${i} as model_no\n${refs.length ? from : 'from range(10) as t0(id)'}\n${JINJA ? `{% if var('limit', none) %}limit {{ var('limit') }}{% endif %}\n` : ''}`;
    writeFileSync(join(folder, `m${i}.sql`), sql);
  }
  return dir;
}

// How fast this filesystem creates files right now: on a journal-less ext4 (this VM) creation
// gets ~10x slower for hours after thousands of deletions (see above); the figure tells a reader
// whether the compile times below measured mflow or that state.
function creationProbe() {
  const d = mkdtempSync(join(tmpdir(), 'mflow-probe-'));
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < 2000; i++) writeFileSync(join(d, `f${i}.sql`), 'select 1\n');
  const us = Number(process.hrtime.bigint() - t0) / 1e3 / 2000;
  dirs.push(d);
  return us;
}

const RUNS = 5;
const results = [];
const dirs = [];
console.log(`file creation probe: ${creationProbe().toFixed(0)} µs per file (about 30 normally; hundreds when the disk is in the slow state)`);
for (const n of sizes) {
  const dir = makeProject(n);
  const runs = [];
  let moved = 0;
  const setAside = () => {
    if (existsSync(join(dir, 'target'))) renameSync(join(dir, 'target'), join(dir, `.old-target-${moved++}`));
  };
  for (let k = 0; k < RUNS; k++) {
    setAside();
    const t0 = process.hrtime.bigint();
    execFileSync('node', [join(root, 'bin/mflow'), 'compile', '--project-dir', dir], { stdio: ['ignore', 'ignore', 'inherit'] });
    const secs = Number(process.hrtime.bigint() - t0) / 1e9;
    runs.push(secs);
  }
  // Peak memory of one more run.
  setAside();
  const r = execFileSync('bash', ['-c', `/usr/bin/time -f 'MAXRSS=%M' node ${join(root, 'bin/mflow')} compile --project-dir ${dir} 2>&1 >/dev/null | grep MAXRSS`], { encoding: 'utf8' });
  setAside();
  const rss = Number(/MAXRSS=(\d+)/.exec(r)?.[1] ?? 0) / 1024;
  runs.sort((a, b) => a - b);
  const median = runs[(RUNS - 1) / 2];
  results.push({ n, median, min: runs[0], max: runs[RUNS - 1], rssMb: rss });
  console.log(`${n} models: cold compile median ${median.toFixed(2)} s of ${RUNS} (min ${runs[0].toFixed(2)}, max ${runs[RUNS - 1].toFixed(2)}), peak RSS ${rss.toFixed(0)} MB`);
  dirs.push(dir);
}
for (const d of dirs) rmSync(d, { recursive: true, force: true });
if (results.length >= 2) {
  const a = results[0];
  const b = results[results.length - 1];
  console.log(`ratio ${b.n}/${a.n}: ${(b.median / a.median).toFixed(2)}`);
}
