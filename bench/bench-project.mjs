// The generated benchmark project: N models in folders of 500, each with config(), 1-3 refs to
// earlier models, a macro call and a few columns (--jinja adds an {% if %} block to every model).
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function makeProject(n, JINJA = false) {
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
