// Installed packages and the dbt context, without dbt-core (tests/dbt-compat compares against it):
// namespaces, dispatch search order, package-scoped configs, package tests, graph,
// selected_resources, api.Column, adapter.drop_relation, Jinja2 dict keys and string literals.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { build, ls } from '../../src/api.js';
import { MflowErrors } from '../../src/errors.js';
import { makeProject, query } from './helpers.js';

const PKG = {
  'dbt_packages/helpers/dbt_project.yml': "name: helpers\nversion: '1.0'\nmodels:\n  helpers:\n    +materialized: table\n",
  'dbt_packages/helpers/macros/h.sql': [
    "{% macro greet(x) %}'hello ' || {{ x }}{% endmacro %}",
    "{% macro cast_text(x) %}{{ return(adapter.dispatch('cast_text', 'helpers')(x)) }}{% endmacro %}",
    '{% macro default__cast_text(x) %}cast({{ x }} as {{ dbt.type_string() }}){% endmacro %}',
    '{% macro _twice(x) %}({{ x }} * 2){% endmacro %}',
    '{% macro doubled(x) %}{{ _twice(x) }}{% endmacro %}',
    '{% test is_positive(model, column_name) %}select * from {{ model }} where {{ column_name }} <= 0{% endtest %}',
  ].join('\n'),
  'dbt_packages/helpers/models/helper_numbers.sql': 'select 1 as n union all select 2 as n',
  'dbt_packages/helpers/models/helper_disabled.sql': 'select 1 as n',
};

const PROJECT = [
  'name: fn',
  'version: 1.0.0',
  'targets:',
  '  default: dev',
  '  dev: {type: duckdb, path: test.duckdb, threads: 1}',
  'dispatch:',
  '  - macro_namespace: helpers',
  '    search_order: [fn, helpers]',
  'models:',
  '  helpers:',
  '    helper_disabled:',
  '      +enabled: false',
  '',
].join('\n');

describe('installed packages and the dbt context', () => {
  test('package macros, dispatch order, configs, tests and models; graph, selected_resources, api.Column, drop_relation', async () => {
    const p = makeProject({
      ...PKG,
      'project.yml': PROJECT,
      'macros/root.sql': "{% macro default__cast_text(x) %}cast({{ x }} as varchar) || '!'{% endmacro %}\n{% macro shout(x) %}upper({{ x }}){% endmacro %}\n",
      'models/m.sql': [
        "{%- set keyed = {('a' ~ 'b'): 1} -%}",
        "select {{ helpers.greet(\"'x'\") }} as greeting, {{ helpers.cast_text('n') }} as n_text, {{ helpers.doubled('n') }} as n2,",
        "  {{ fn.shout(\"'y'\") }} as shouted, '{{ \"ad\" \"jacent\" }}' as adj, {{ keyed['ab'] }} as k,",
        "  '{{ api.Column.translate_type(\"string\") }}|{{ api.Column.string_type(10) }}' as labels,",
        "  {% if execute %}{{ graph.nodes.values() | selectattr('resource_type', 'equalto', 'model') | list | length }}{% else %}0{% endif %} as models_in_graph,",
        "  {{ selected_resources | length }} as selected, n",
        "from {{ ref('helper_numbers') }}",
      ].join('\n'),
      'models/d.sql': "{% if execute %}{% do run_query('create or replace table main.scratch as select 1 as x') %}{% do adapter.drop_relation(api.Relation.create(schema='main', identifier='scratch', type='table')) %}{% endif %}select 1 as x",
      'models/schema.yml': 'version: 2\nmodels:\n  - name: m\n    columns:\n      - name: n\n        data_tests: [helpers.is_positive]\n',
    });
    const items = await ls({ projectDir: p.dir, console: p.console });
    const ids = items.map((i) => i.unique_id);
    expect(ids).toContain('model.helpers.helper_numbers');
    expect(ids.some((i) => i.includes('helper_disabled'))).toBe(false);
    expect(ids.some((i) => /^test\.fn\.helpers_is_positive_m_n\./.test(i))).toBe(true);
    const r = await build({ projectDir: p.dir, console: p.console });
    expect(r.results.filter((x) => x.status !== 'success' && x.status !== 'pass').map((x) => `${x.unique_id}: ${x.message}`)).toEqual([]);
    expect(await query(p.db, 'select greeting, n_text, n2, shouted, adj, k, labels, models_in_graph, selected from main.m order by n')).toEqual([
      { greeting: 'hello x', n_text: '1!', n2: 2, shouted: 'Y', adj: 'adjacent', k: 1, labels: 'TEXT|character varying(10)', models_in_graph: 3, selected: 4 },
      { greeting: 'hello x', n_text: '2!', n2: 4, shouted: 'Y', adj: 'adjacent', k: 1, labels: 'TEXT|character varying(10)', models_in_graph: 3, selected: 4 },
    ]);
    expect(await query(p.db, "select count(*)::int as n from information_schema.tables where table_name = 'scratch'")).toEqual([{ n: 0 }]);
    // The package's own config (+materialized: table) applies to its models.
    expect(await query(p.db, "select table_type from information_schema.tables where table_name = 'helper_numbers'")).toEqual([{ table_type: 'BASE TABLE' }]);
  });

  test('a package named in packages.yml but not installed, and a test from a package that is not there, are clear errors', async () => {
    const p = makeProject({ 'packages.yml': 'packages:\n  - package: dbt-labs/dbt_utils\n    version: "1.4.1"\n', 'models/a.sql': 'select 1 as id' });
    const missing = await ls({ projectDir: p.dir, console: p.console }).catch((x: unknown) => x as { message: string; hint?: string; file?: string });
    expect(missing.message).toMatch(/1 package is named in packages.yml but 0 are installed in dbt_packages/);
    expect(missing.hint).toMatch(/Run `mflow deps`/);
    const q = makeProject({ 'models/a.sql': 'select 1 as id', 'models/s.yml': 'version: 2\nmodels:\n  - name: a\n    columns:\n      - name: id\n        data_tests: [dbt_utils.not_constant]\n' });
    const e = await ls({ projectDir: q.dir, console: q.console }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(MflowErrors);
    expect((e as MflowErrors).errors[0].message).toMatch(/no package 'dbt_utils' is installed/);
    expect((e as MflowErrors).errors[0].file).toBe('models/s.yml');
    expect(existsSync(join(q.dir, 'test.duckdb'))).toBe(false);
  });
});
