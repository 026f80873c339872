import { describe, expect, test } from 'vitest';
import { compile, run, show } from '../../src/api.js';
import { makeProject, query } from './helpers.js';

/** Compiles one model of an inline project and returns its SQL. */
async function compiled(files: Record<string, string>, model = 'm', opts: Record<string, unknown> = {}): Promise<string> {
  const p = makeProject(files);
  const r = await compile({ projectDir: p.dir, console: p.console, ...opts });
  return r.compiled[`model.fn.${model}`].trim();
}

describe('the dbt-compatible Jinja context', () => {
  test('ref with the package form, source with identifier and quoting (versions: core-versions.test.ts)', async () => {
    const sql = await compiled({
      'models/a.sql': 'select 1 as id',
      'models/m.sql': "select * from {{ ref('a') }}, {{ ref('fn', 'a') }}, {{ source('raw', 'bene') }}, {{ source('raw', 'noq') }}",
      'models/src.yml': 'version: 2\nsources:\n  - name: raw\n    schema: landing\n    tables:\n      - name: bene\n        identifier: BENE_2008\n      - name: noq\n        quoting: {identifier: false}\n',
    });
    expect(sql).toBe('select * from "main"."a", "main"."a", "landing"."BENE_2008", "landing".noq');
  });

  test("the project's quoting: writes DuckDB relations bare where it says false, as dbt-duckdb does (dbt_expectations' project), and they build", async () => {
    const files = {
      'models/a.sql': 'select 1 as id',
      'models/m.sql': "select * from {{ ref('a') }} -- {{ this }}",
      'project.yml': 'name: fn\nquoting:\n  database: false\n  schema: false\n  identifier: false\ntargets:\n  default: dev\n  dev: {type: duckdb, path: test.duckdb}\n',
    };
    expect(await compiled(files)).toBe('select * from main.a -- main.m');
    const p = makeProject(files);
    expect((await run({ projectDir: p.dir, console: p.console })).ok, p.console.text).toBe(true);
    expect(await query(p.db, 'select * from main.m')).toEqual([{ id: 1 }]);
  });

  test('config(), config.get, this, target, var with defaults and --vars, env_var with default', async () => {
    const sql = await compiled(
      {
        'models/m.sql': "{{ config(materialized='table', meta={'owner': 'x'}) }}select '{{ config.get('materialized') }}', '{{ this }}', '{{ this.name }}', '{{ target.name }}', '{{ target.type }}', {{ var('year') }}, {{ var('missing', 7) }}, '{{ env_var('MFLOW_X', 'dflt') }}', '{{ env_var('MFLOW_Y') }}'",
        'project.yml': 'name: fn\nvars:\n  year: 2008\ntargets:\n  default: dev\n  dev: {type: duckdb, path: test.duckdb}\n',
      },
      'm',
      { vars: '{year: 2010}', env: { MFLOW_Y: 'set' } },
    );
    expect(sql).toBe(`select 'table', '"main"."m"', 'm', 'dev', 'duckdb', 2010, 7, 'dflt', 'set'`);
  });

  test('is_incremental() is false on the first run and true after', async () => {
    const p = makeProject({ 'models/m.sql': "{{ config(materialized='incremental') }}select {% if is_incremental() %}2{% else %}1{% endif %} as run_no" });
    await run({ projectDir: p.dir, console: p.console });
    await run({ projectDir: p.dir, console: p.console });
    expect(await query(p.db, 'select run_no from main.m order by 1')).toEqual([{ run_no: 1 }, { run_no: 2 }]);
  });

  test('adapter.dispatch prefers duckdb__ over default__, and a project macro overrides a built-in', async () => {
    const sql = await compiled({
      'macros/m.sql': "{% macro greet(x) %}{{ return(adapter.dispatch('greet')(x)) }}{% endmacro %}\n{% macro default__greet(x) %}'default {{ x }}'{% endmacro %}\n{% macro duckdb__greet(x) %}'duck {{ x }}'{% endmacro %}\n{% macro default__hash(field) %}my_hash({{ field }}){% endmacro %}",
      'models/m.sql': "select {{ greet('a') }}, {{ hash('c') }}, {{ adapter.quote('Q') }}",
    });
    expect(sql).toBe(`select 'duck a', my_hash(c), "Q"`);
  });

  test('cross-database macros render DuckDB SQL that runs', async () => {
    const p = makeProject({
      'models/m.sql': `select
  {{ dateadd('day', 3, "date '2020-01-30'") }} as d,
  {{ datediff("date '2020-01-01'", "date '2020-03-01'", 'day') }} as dd,
  {{ date_trunc('month', "date '2020-05-17'") }} as t,
  {{ concat(["'a'", "'b'"]) }} as c,
  {{ safe_cast("'x'", 'integer') }} as sc,
  cast(1 as {{ type_string() }}) as s,
  cast('2020-01-01' as {{ type_timestamp() }}) as ts,
  {{ hash("'abc'") }} as h,
  {{ current_timestamp() }} is not null as now_ok`,
    });
    expect((await run({ projectDir: p.dir, console: p.console })).ok).toBe(true);
    const [row] = await query(p.db, 'select cast(d as varchar) d, dd, cast(t as varchar) t, c, sc, s, h, now_ok from main.m');
    expect(row).toEqual({ d: '2020-02-02 00:00:00', dd: 60, t: '2020-05-01 00:00:00', c: 'ab', sc: null, s: '1', h: '900150983cd24fb0d6963f7d28e17f72', now_ok: true });
  });

  test('run_query, statement/load_result, adapter.get_relation and get_columns_in_relation see the warehouse', async () => {
    const p = makeProject({
      'models/a.sql': "{{ config(materialized='table') }}select 1 as id, 'x' as name union all select 2, 'y'",
      'models/m.sql': `{% set r = run_query("select max(id) as mx from " ~ ref('a')) %}
{% call statement('cnt', fetch_result=True) %}select count(*) as n from {{ ref('a') }}{% endcall %}
{% set cols = adapter.get_columns_in_relation(ref('a')) %}
{% set rel = adapter.get_relation(database=none, schema='main', identifier='a') %}
select {% if execute %}{{ r.columns[0].values()[0] }} as mx, {{ load_result('cnt')['data'][0][0] }} as n, '{{ cols | map(attribute='name') | join(',') }}' as cols, '{{ rel.identifier if rel else 'none' }}' as rel{% else %}0 as mx{% endif %}`,
    });
    const r = await run({ projectDir: p.dir, console: p.console });
    expect(r.results.map((x) => x.message)).toEqual(['CREATE TABLE (2 rows)', 'CREATE VIEW']);
    expect(await query(p.db, 'select * from main.m')).toEqual([{ mx: 2, n: 2, cols: 'id,name', rel: 'a' }]);
  });

  test('log, print, exceptions.warn, return(), modules.datetime, docs blocks and doc()', async () => {
    const p = makeProject({
      'models/docs.md': '{% docs pid %}The patient id, from DESYNPUF_ID.{% enddocs %}',
      'models/schema.yml': "version: 2\nmodels:\n  - name: m\n    description: '{{ doc(\"pid\") }}'\n",
      'macros/util.sql': "{% macro pair() %}{{ return([1, 2]) }}{% endmacro %}",
      'models/m.sql': "{{ log('hello from m', info=True) }}{% do exceptions.warn('careful') %}{% set xs = pair() %}select {{ xs | length }} as n, '{{ modules.datetime.datetime(2020, 1, 2).strftime('%Y') if false else modules.datetime.date.fromisoformat('2021-03-04').strftime('%Y/%m') }}' as d",
    });
    expect((await run({ projectDir: p.dir, console: p.console })).ok).toBe(true);
    expect(await query(p.db, 'select * from main.m')).toEqual([{ n: 2, d: '2021/03' }]);
    expect(p.console.text).toContain('hello from m');
    expect(p.console.text).toContain('careful');
    const { readFileSync } = await import('node:fs');
    const manifest = JSON.parse(readFileSync(`${p.dir}/target/manifest.json`, 'utf8'));
    expect(manifest.nodes['model.fn.m'].description).toBe('The patient id, from DESYNPUF_ID.');
  });

  test('Jinja2 constructs from the compat layer work in models', async () => {
    const sql = await compiled({
      'models/m.sql': "{% set ns = namespace(n=0) %}{% for x in [1,2,3] %}{% set ns.n = ns.n + x %}{% endfor %}{% set d = {'a': 1} %}select {{ ns.n }}, '{{ 'ab'.upper() }}', '{{ '-' * 3 }}', {{ [1,2,3][1:] | join('+') }}, '{{ None }}', '{{ True }}', {{ d.get('a') }}",
    });
    expect(sql).toBe("select 6, 'AB', '---', 2+3, 'None', 'True', 1");
  });

  test('show previews a model and an inline query with Jinja', async () => {
    const p = makeProject({ 'models/a.sql': "{{ config(materialized='table') }}select range as id from range(10)" });
    await run({ projectDir: p.dir, console: p.console });
    const r = await show({ projectDir: p.dir, console: p.console, select: ['a'], limit: 3 });
    expect(r.rows).toEqual([{ id: 0 }, { id: 1 }, { id: 2 }]);
    const q = await show({ projectDir: p.dir, console: p.console, inline: "select count(*) as n from {{ ref('a') }}" });
    expect(q.rows).toEqual([{ n: 10 }]);
  });
});
