// What `npm start` costs: generating 3,000 beneficiaries, then `mflow pipeline` (ingest, build and
// test) on a fresh copy of the project, as a subprocess, phase by phase.
// Usage: npx tsc -p . && node bench/mediflow-start.mjs [--repeat 3] [--beneficiaries 3000] [--against <git-rev>] [--memory-limit 4GB|none] [--data DIR] [--setting name=value]
// --memory-limit (default 4GB, the limit issue 18 sets) is written into the copied project's dev
// target as `memory_limit:`; `none` keeps mflow's default (half the RAM). The peak resident memory
// of the pipeline process is measured with /usr/bin/time and printed with each run, and each
// step's own peak is sampled from /proc while it runs.
// With --against, each repetition also runs the project files (project.yml, models, seeds, macros,
// tests/data) of that commit (with this commit's mflow) right before or after this one
// (alternating), on the same generated files, and prints the per-repetition ratio of the build phase: on a shared machine a ratio of
// neighbours in time says more than absolute seconds. The load average is printed with each run.
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const arg = (n, d) => (process.argv.includes(`--${n}`) ? process.argv[process.argv.indexOf(`--${n}`) + 1] : d);
const REPEAT = Number(arg('repeat', '3'));
const N = arg('beneficiaries', '3000');
const AGAINST = arg('against', null);
const MEMORY_LIMIT = arg('memory-limit', '4GB');
// --data DIR keeps the generated sample in DIR and reuses it when it is already there (a
// 1,000,000-beneficiary sample takes minutes to generate; the pipeline is what is measured).
const DATA = arg('data', null);
// --setting name=value (repeatable) adds a DuckDB setting under the dev target's `settings:`, to
// measure a lever such as preserve_insertion_order=false on the same sample.
const SETTINGS = process.argv.flatMap((a, i) => (a === '--setting' ? [process.argv[i + 1]] : []));
const PROJECT = ['project.yml', 'models', 'seeds', 'macros', 'tests/data'];

function project(rev) {
  const dir = mkdtempSync(join(tmpdir(), 'mflow-start-'));
  if (rev) execFileSync('sh', ['-c', `git -C '${root}' archive ${rev} ${PROJECT.join(' ')} | tar -x -C '${dir}'`]);
  else for (const p of PROJECT) cpSync(join(root, p), join(dir, p), { recursive: true });
  return dir;
}

function limitMemory(dir) {
  if (MEMORY_LIMIT === 'none' && !SETTINGS.length) return;
  const f = join(dir, 'project.yml');
  const text = readFileSync(f, 'utf8');
  const settings = SETTINGS.length ? `    settings:\n${SETTINGS.map((kv) => `      ${kv.replace('=', ': ')}\n`).join('')}` : '';
  const limit = MEMORY_LIMIT === 'none' ? '' : `    memory_limit: ${MEMORY_LIMIT}\n`;
  const next = text.replace(/^(  dev:\n(?:    .*\n)*?    type: duckdb\n)/m, `$1${limit}${settings}`);
  if (next === text) throw new Error(`--memory-limit: no duckdb dev target found in ${f}`);
  writeFileSync(f, next);
}

// Resident memory of the pipeline process, sampled from /proc every 250 ms while it runs, and
// attributed to the step that was running: a step's figure is the highest sample between the
// previous step's "[k/n] ... in Xs" line and its own (issue 18 asks for memory step by step).
function rssKB(pid) {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}
function childOf(pid) {
  try {
    return Number(readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/)[0]) || null;
  } catch {
    return null;
  }
}

async function pipeline(dir) {
  limitMemory(dir);
  const load = loadavg()[0];
  const rss = join(dir, 'maxrss.txt');
  const t0 = performance.now();
  const child = spawn('/usr/bin/time', ['-f', '%M', '-o', rss, 'node', join(root, 'bin/mflow'), 'pipeline', '--project-dir', dir, '--beneficiaries', N], { env: { ...process.env, FORCE_COLOR: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let pending = '';
  let stepPeak = 0;
  const stepPeakMB = {};
  const sampler = setInterval(() => {
    const pid = childOf(child.pid);
    if (pid) stepPeak = Math.max(stepPeak, rssKB(pid));
  }, 250);
  child.stdout.setEncoding('utf8').on('data', (d) => {
    stdout += d;
    pending += d;
    const lines = pending.split('\n');
    pending = lines.pop();
    for (const line of lines) {
      const m = /\[\d+\/\d+\] (\w+) (?:OK|WARN|FAILED) in/.exec(line);
      if (m) {
        stepPeakMB[m[1]] = stepPeak / 1024;
        stepPeak = 0;
      }
    }
  });
  child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
  const status = await new Promise((res) => child.on('close', res));
  clearInterval(sampler);
  const total = (performance.now() - t0) / 1000;
  const peakMB = Number(readFileSync(rss, 'utf8').trim().split('\n').pop()) / 1024;
  if (status !== 0) throw new Error(`mflow pipeline failed in ${dir}:\n${stdout.slice(-3000)}\n${stderr}`);
  const num = (re) => Number((stdout.match(re) ?? [])[1] ?? NaN);
  // The pipeline prints one line per step ("[5/9] staging OK in 0.4s, ..."): the build is every
  // step after the load and its audit. An older commit's `npm start` printed one build instead.
  const steps = Object.fromEntries([...stdout.matchAll(/\[\d+\/\d+\] (\w+) (?:OK|WARN|FAILED) in ([\d.]+)s/g)].map((m) => [m[1], Number(m[2])]));
  const built = Object.entries(steps).filter(([s]) => !['check_sources', 'load_raw', 'audit'].includes(s));
  const build = built.length ? built.reduce((a, [, t]) => a + t, 0) : [...stdout.matchAll(/Finished in ([\d.]+)s/g)].reduce((a, m) => a + Number(m[1]), 0);
  return { total, generate: num(/Generated in ([\d.]+)s/), ingest: num(/Ingestion finished in ([\d.]+)s/), build, steps, stepPeakMB, load, peakMB };
}

const fmt = (x) => `total ${x.total.toFixed(1)} s (ingest ${x.ingest.toFixed(1)}, build ${x.build.toFixed(1)}), peak RSS ${(x.peakMB / 1024).toFixed(2)} GB (memory_limit ${MEMORY_LIMIT}${SETTINGS.length ? `, ${SETTINGS.join(', ')}` : ''}), load average ${x.load.toFixed(1)}${Object.keys(x.steps).length ? `; steps (time, peak RSS sampled every 0.25 s) ${Object.entries(x.steps).map(([s, t]) => `${s} ${t.toFixed(1)} s${x.stepPeakMB[s] ? ` (${(x.stepPeakMB[s] / 1024).toFixed(2)} GB)` : ''}`).join(', ')}` : ''}`;
const ratios = [];
for (let k = 0; k < REPEAT; k++) {
  // one generated sample per repetition (the generation npm start does on a fresh clone), copied
  // into each project; the older project may read NPPES next to the SynPUF files
  const data = DATA ?? mkdtempSync(join(tmpdir(), 'mflow-start-data-'));
  const reuse = DATA && existsSync(join(data, 'generated.json'));
  const g0 = performance.now();
  if (!reuse) {
    execFileSync('node', [join(root, 'bin/mflow'), 'generate', 'synpuf', '--beneficiaries', N, '--seed', '20260101', '--out', join(data, 'synpuf'), '--nppes-out', join(data, 'nppes')]);
    if (DATA) writeFileSync(join(data, 'generated.json'), JSON.stringify({ beneficiaries: N, seconds: (performance.now() - g0) / 1000 }));
  } else if (JSON.parse(readFileSync(join(data, 'generated.json'), 'utf8')).beneficiaries !== N) throw new Error(`--data ${data} holds another sample size`);
  const generate = reuse ? NaN : (performance.now() - g0) / 1000;
  const got = {};
  const order = AGAINST && k % 2 === 1 ? ['against', 'this'] : ['this', 'against'];
  for (const which of order) {
    if (which === 'against' && !AGAINST) continue;
    const d = project(which === 'this' ? null : AGAINST);
    cpSync(data, join(d, 'data'), { recursive: true });
    if (which === 'against') cpSync(join(data, 'nppes'), join(d, 'data', 'synpuf'), { recursive: true });
    got[which] = await pipeline(d);
    console.log(`run ${k + 1} ${which === 'this' ? 'this commit' : AGAINST}: generate ${Number.isNaN(generate) ? "reused" : generate.toFixed(1) + " s"} + pipeline ${fmt(got[which])}`);
    rmSync(d, { recursive: true, force: true });
  }
  if (got.against) ratios.push(got.this.build / got.against.build);
  if (!DATA) rmSync(data, { recursive: true, force: true });
}
if (ratios.length) {
  ratios.sort((a, b) => a - b);
  console.log(`build phase, this / ${AGAINST}: median ${ratios[Math.floor(ratios.length / 2)].toFixed(2)} (each: ${ratios.map((r) => r.toFixed(2)).join(', ')})`);
}
