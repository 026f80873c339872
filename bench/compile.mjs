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
import { existsSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { makeProject } from './bench-project.mjs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
// --jinja adds an {% if %} block to every model, so every template goes through nunjucks instead of
// the static fast path: the figure for Jinja-heavy projects.
const JINJA = process.argv.includes('--jinja');
const sizes = process.argv.slice(2).map(Number).filter(Boolean);
if (sizes.length === 0) sizes.push(1000, 10000);


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
  const dir = makeProject(n, JINJA);
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
