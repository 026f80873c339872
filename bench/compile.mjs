// Cold `mflow compile` of a generated project of N models (each with config(), 1-3 refs, a macro
// call and a few columns). Usage: node bench/compile.mjs [N ...]   (build first: npx tsc -p .)
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
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
    const sql = `{{ config(materialized='${i % 10 === 0 ? 'table' : 'view'}', tags=['bench']) }}\nselect\n  t0.id,\n  {{ cents('t0.id') }} as amount_cents,\n  'm${i}' as model_name,\n  ${i} as model_no\n${refs.length ? from : 'from range(10) as t0(id)'}\n`;
    writeFileSync(join(folder, `m${i}.sql`), sql);
  }
  return dir;
}

const results = [];
for (const n of sizes) {
  const dir = makeProject(n);
  const runs = [];
  for (let k = 0; k < 3; k++) {
    rmSync(join(dir, 'target'), { recursive: true, force: true });
    const t0 = process.hrtime.bigint();
    const out = execFileSync('/usr/bin/time', ['-f', '%M', 'node', join(root, 'bin/mflow'), 'compile', '--project-dir', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    void out;
    const secs = Number(process.hrtime.bigint() - t0) / 1e9;
    runs.push(secs);
  }
  // Peak memory of one more run.
  rmSync(join(dir, 'target'), { recursive: true, force: true });
  let rss = 0;
  try {
    execFileSync('/usr/bin/time', ['-f', 'MAXRSS=%M', 'node', join(root, 'bin/mflow'), 'compile', '--project-dir', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch {}
  const r = execFileSync('bash', ['-c', `/usr/bin/time -f 'MAXRSS=%M' node ${join(root, 'bin/mflow')} compile --project-dir ${dir} 2>&1 >/dev/null | grep MAXRSS`], { encoding: 'utf8' });
  rss = Number(/MAXRSS=(\d+)/.exec(r)?.[1] ?? 0) / 1024;
  runs.sort((a, b) => a - b);
  results.push({ n, median: runs[1], min: runs[0], max: runs[2], rssMb: rss });
  console.log(`${n} models: cold compile median ${runs[1].toFixed(2)} s (min ${runs[0].toFixed(2)}, max ${runs[2].toFixed(2)}), peak RSS ${rss.toFixed(0)} MB`);
  rmSync(dir, { recursive: true, force: true });
}
if (results.length >= 2) {
  const a = results[0];
  const b = results[results.length - 1];
  console.log(`ratio ${b.n}/${a.n}: ${(b.median / a.median).toFixed(2)}`);
}
