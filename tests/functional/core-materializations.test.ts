import { describe, expect, test } from 'vitest';
import { build, run } from '../../src/api.js';
import { makeProject, query } from './helpers.js';

describe('materializations on DuckDB', () => {
  test('view, table and ephemeral (as a CTE) build, and the relation types are right', async () => {
    const p = makeProject({
      'models/base.sql': "{{ config(materialized='ephemeral') }}\nselect 1 as id, 'a' as v union all select 2, 'b'",
      'models/t.sql': "{{ config(materialized='table') }}\nselect * from {{ ref('base') }}",
      'models/v.sql': "with x as (select * from {{ ref('base') }}) select count(*) as n from x",
    });
    const r = await run({ projectDir: p.dir, console: p.console });
    expect(r.ok).toBe(true);
    const types = await query(p.db, "select table_name, table_type from information_schema.tables where table_schema='main' order by 1");
    expect(types).toEqual([
      { table_name: 't', table_type: 'BASE TABLE' },
      { table_name: 'v', table_type: 'VIEW' },
    ]);
    expect(await query(p.db, 'select n from main.v')).toEqual([{ n: 2 }]);
  });

  test('incremental merge on a two-column key updates matches and inserts new rows; full refresh rebuilds', async () => {
    const model = `{{ config(materialized='incremental', unique_key=['k1','k2'], incremental_strategy='merge') }}
select * from (values (1, 'a', {{ var('v') }}), (1, 'b', 10), (2, 'a', 20)) as t(k1, k2, amount)
{% if is_incremental() %}where amount >= {{ var('v') }}{% endif %}`;
    const p = makeProject({ 'models/inc.sql': model });
    expect((await run({ projectDir: p.dir, console: p.console, vars: { v: 5 } })).ok).toBe(true);
    expect(await query(p.db, 'select * from main.inc order by k1, k2')).toEqual([
      { k1: 1, k2: 'a', amount: 5 },
      { k1: 1, k2: 'b', amount: 10 },
      { k1: 2, k2: 'a', amount: 20 },
    ]);
    // Incremental: only rows with amount >= 15 arrive; (1,'a') now has 15 and merges over 5.
    expect((await run({ projectDir: p.dir, console: p.console, vars: { v: 15 } })).ok).toBe(true);
    expect(await query(p.db, 'select * from main.inc order by k1, k2')).toEqual([
      { k1: 1, k2: 'a', amount: 15 },
      { k1: 1, k2: 'b', amount: 10 },
      { k1: 2, k2: 'a', amount: 20 },
    ]);
    // Full refresh: is_incremental() is false again, so every row of the query is rebuilt.
    expect((await run({ projectDir: p.dir, console: p.console, vars: { v: 3 }, fullRefresh: true })).ok).toBe(true);
    expect(await query(p.db, 'select * from main.inc order by k1, k2')).toEqual([
      { k1: 1, k2: 'a', amount: 3 },
      { k1: 1, k2: 'b', amount: 10 },
      { k1: 2, k2: 'a', amount: 20 },
    ]);
  });

  test('incremental append and delete+insert', async () => {
    const p = makeProject({
      'models/app.sql': "{{ config(materialized='incremental', incremental_strategy='append') }}\nselect {{ var('x') }} as x",
      'models/di.sql': "{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='id') }}\nselect 1 as id, {{ var('x') }} as x union all select {{ var('x') }} + 10, 0",
    });
    await run({ projectDir: p.dir, console: p.console, vars: { x: 1 } });
    await run({ projectDir: p.dir, console: p.console, vars: { x: 2 } });
    expect(await query(p.db, 'select x from main.app order by x')).toEqual([{ x: 1 }, { x: 2 }]);
    expect(await query(p.db, 'select id, x from main.di order by id')).toEqual([
      { id: 1, x: 2 },
      { id: 11, x: 0 },
      { id: 12, x: 0 },
    ]);
  });

  test.each([
    ['ignore', ['id', 'a'], true],
    ['append_new_columns', ['id', 'a', 'b'], true],
    ['sync_all_columns', ['id', 'b'], true],
    ['fail', ['id', 'a'], false],
  ] as const)('on_schema_change=%s', async (mode, columns, ok) => {
    const m = (cols: string) => `{{ config(materialized='incremental', unique_key='id', on_schema_change='${mode}') }}\nselect ${cols}`;
    const p = makeProject({ 'models/s.sql': m("1 as id, 'x' as a") });
    expect((await run({ projectDir: p.dir, console: p.console })).ok).toBe(true);
    const { writeFileSync } = await import('node:fs');
    const cols = mode === 'sync_all_columns' ? "2 as id, 'y' as b" : "2 as id, 'x' as a, 'y' as b";
    writeFileSync(`${p.dir}/models/s.sql`, m(cols));
    const r = await run({ projectDir: p.dir, console: p.console });
    expect(r.ok).toBe(ok);
    const got = await query(p.db, "select column_name from information_schema.columns where table_name='s' order by ordinal_position");
    expect(got.map((x) => x.column_name)).toEqual(columns);
    if (!ok) expect(r.results[0].message).toMatch(/on_schema_change is 'fail'/);
  });

  test('a failing rebuild leaves the previous table intact (atomic swap)', async () => {
    const p = makeProject({ 'models/t.sql': "{{ config(materialized='table') }}\nselect 1 as id" });
    expect((await run({ projectDir: p.dir, console: p.console })).ok).toBe(true);
    const { writeFileSync } = await import('node:fs');
    writeFileSync(`${p.dir}/models/t.sql`, "{{ config(materialized='table') }}\nselect 1/0 as id, cast('x' as integer) as boom");
    const r = await run({ projectDir: p.dir, console: p.console });
    expect(r.ok).toBe(false);
    expect(await query(p.db, 'select * from main.t')).toEqual([{ id: 1 }]);
  });

  test('a view replaced by a table and back', async () => {
    const p = makeProject({ 'models/x.sql': 'select 1 as id' });
    await run({ projectDir: p.dir, console: p.console });
    const { writeFileSync } = await import('node:fs');
    writeFileSync(`${p.dir}/models/x.sql`, "{{ config(materialized='table') }}select 2 as id");
    expect((await run({ projectDir: p.dir, console: p.console })).ok).toBe(true);
    expect(await query(p.db, "select table_type from information_schema.tables where table_name='x'")).toEqual([{ table_type: 'BASE TABLE' }]);
    writeFileSync(`${p.dir}/models/x.sql`, 'select 3 as id');
    expect((await run({ projectDir: p.dir, console: p.console })).ok).toBe(true);
    expect(await query(p.db, 'select * from main.x')).toEqual([{ id: 3 }]);
  });

  test('pre- and post-hooks, on-run-start and on-run-end', async () => {
    const p = makeProject({
      'project.yml': `name: hooks
targets:
  default: dev
  dev: {type: duckdb, path: test.duckdb}
on-run-start:
  - "create table if not exists main.audit (what varchar)"
on-run-end:
  - "insert into main.audit values ('end')"
models:
  hooks:
    +post-hook: "insert into main.audit values ('post {{ this.name }}')"
`,
      'models/a.sql': "{{ config(materialized='table', pre_hook=\"insert into main.audit values ('pre')\") }}\nselect 1 as id",
    });
    expect((await run({ projectDir: p.dir, console: p.console })).ok).toBe(true);
    expect(await query(p.db, 'select what from main.audit')).toEqual([{ what: 'pre' }, { what: 'post a' }, { what: 'end' }]);
  });

  test('a post-hook renders after the model is built, as dbt renders each hook when it runs (run_query on {{ this }})', async () => {
    const p = makeProject({
      'models/a.sql': `{{ config(materialized='table', post_hook="{% set n = run_query('select count(*) as n from ' ~ this).columns[0].values()[0] %}create table main.counted as select {{ n }} as n") }}
select 1 as id union all select 2`,
    });
    const r = await run({ projectDir: p.dir, console: p.console });
    expect(r.ok, p.console.text).toBe(true);
    expect(await query(p.db, 'select n from main.counted')).toEqual([{ n: 2 }]);
  });

  test('custom schemas: dbt default naming, and a project override of generate_schema_name', async () => {
    const p = makeProject({ 'models/a.sql': "{{ config(schema='stg') }}select 1 as id" });
    await run({ projectDir: p.dir, console: p.console });
    expect(await query(p.db, "select table_schema from information_schema.tables where table_name='a'")).toEqual([{ table_schema: 'main_stg' }]);
    const q = makeProject({
      'models/a.sql': "{{ config(schema='stg') }}select 1 as id",
      'macros/schema.sql': '{% macro generate_schema_name(custom_schema_name, node) %}{{ custom_schema_name or target.schema }}{% endmacro %}',
    });
    await run({ projectDir: q.dir, console: q.console });
    expect(await query(q.db, "select table_schema from information_schema.tables where table_name='a'")).toEqual([{ table_schema: 'stg' }]);
  });

  test('a failed node skips its descendants, the rest go on; --fail-fast stops', async () => {
    const files = {
      'models/bad.sql': 'select * from no_such_table',
      'models/child.sql': "select * from {{ ref('bad') }}",
      'models/grandchild.sql': "select * from {{ ref('child') }}",
      'models/ok1.sql': 'select 1 as id',
      'models/ok2.sql': "select * from {{ ref('ok1') }}",
    };
    const p = makeProject(files);
    const r = await run({ projectDir: p.dir, console: p.console, threads: 1 });
    expect(r.ok).toBe(false);
    const st = Object.fromEntries(r.results.map((x) => [x.unique_id.split('.').pop(), x.status]));
    expect(st).toEqual({ bad: 'error', child: 'skipped', grandchild: 'skipped', ok1: 'success', ok2: 'success' });
    expect(r.results.find((x) => x.unique_id.endsWith('.bad'))!.message).toMatch(/models\/bad\.sql[\s\S]*no_such_table/);
    const q = makeProject(files);
    const f = await run({ projectDir: q.dir, console: q.console, threads: 1, failFast: true });
    expect(f.results.filter((x) => x.status === 'success')).toHaveLength(0);
  });

  test('dry run plans statements and changes nothing', async () => {
    const p = makeProject({ 'models/t.sql': "{{ config(materialized='table') }}select 1 as id" });
    const r = await run({ projectDir: p.dir, console: p.console, dryRun: true });
    expect(r.ok).toBe(true);
    expect(await query(p.db, "select count(*) as n from information_schema.tables where table_name='t'")).toEqual([{ n: 0 }]);
  });

  test('threads run independent models in parallel and the build is complete', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 12; i++) files[`models/m${i}.sql`] = i < 4 ? `select ${i} as id` : `select id + 1 as id from {{ ref('m${i % 4}') }}`;
    const p = makeProject(files);
    const r = await build({ projectDir: p.dir, console: p.console, threads: 4 });
    expect(r.ok).toBe(true);
    expect(r.results).toHaveLength(12);
    expect(await query(p.db, 'select id from main.m11')).toEqual([{ id: 4 }]);
  });
});
