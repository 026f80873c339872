/**
 * Small inline projects through dbt-core and mflow with the differential helper, each pinning
 * features of issue 11 that real packages rely on: a local package's macros under its
 * namespace, `dispatch:` search order (the root project overriding a package's implementation),
 * package-scoped configs, a package's generic test, the `dbt` and root-project namespaces,
 * `project_name`, `api.Column`, `graph`, expressions as dict keys, adjacent string literals.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { pythonEnv, PYENV_TIMEOUT_MS, type PythonEnv } from '../oracles/python-env.js';
import { runDifferential } from './differential.js';
import { passed } from './integration.js';

const BIN = join(dirname(fileURLToPath(import.meta.url)), '../../bin/mflow');
let py: PythonEnv;
let scratch: string;

beforeAll(async () => {
  py = await pythonEnv();
  scratch = mkdtempSync(join(tmpdir(), 'mflow-dbt-features-'));
}, PYENV_TIMEOUT_MS);
afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

function write(dir: string, files: Record<string, string>): void {
  for (const [p, t] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), t);
  }
}

const HELPERS = {
  'dbt_project.yml': "name: helpers\nversion: '1.0'\nconfig-version: 2\nmodels:\n  helpers:\n    +materialized: table\n",
  'macros/h.sql': [
    "{% macro greet(x) %}'hello ' || {{ x }}{% endmacro %}",
    "{% macro cast_text(x) %}{{ return(adapter.dispatch('cast_text', 'helpers')(x)) }}{% endmacro %}",
    '{% macro default__cast_text(x) %}cast({{ x }} as {{ dbt.type_string() }}){% endmacro %}',
    '{% macro _double(x) %}({{ x }} * 2){% endmacro %}',
    '{% macro doubled(x) %}{{ helpers._double(x) }}{% endmacro %}',
    '{% test is_positive(model, column_name) %}select * from {{ model }} where {{ column_name }} <= 0{% endtest %}',
  ].join('\n'),
  'models/helper_numbers.sql': 'select 1 as n union all select 2 as n',
  'models/helper_disabled.sql': 'select 1 as n',
};

const ROOT = {
  'dbt_project.yml': [
    'name: root_proj',
    "version: '1.0'",
    'config-version: 2',
    'profile: diff',
    'dispatch:',
    '  - macro_namespace: helpers',
    '    search_order: [root_proj, helpers]',
    'models:',
    '  helpers:',
    '    helper_disabled:',
    '      +enabled: false',
    '',
  ].join('\n'),
  'packages.yml': 'packages:\n  - local: ../helpers\n',
  'macros/root.sql': "{% macro default__cast_text(x) %}cast({{ x }} as varchar) || ''{% endmacro %}\n{% macro shout(x) %}upper({{ x }}){% endmacro %}\n",
  'models/m.sql': [
    "{%- set keyed = {('a' ~ 'b'): 1} -%}",
    "{%- set cols = {} -%}{%- for c in ['x', 'y'] -%}{%- do cols.update({c.upper(): c}) -%}{%- endfor -%}",
    'select {{ helpers.greet("\'x\'") }} as greeting,',
    "  {{ helpers.cast_text('n') }} as n_text,",
    "  {{ helpers.doubled('n') }} as n_doubled,",
    '  {{ root_proj.shout("\'y\'") }} as shouted,',
    "  '{{ project_name }}' as proj,",
    "  '{{ \"ad\" \"jacent\" }}' as adj,",
    "  {{ keyed['ab'] }} as dict_key,",
    "  '{{ cols | list | join(',') }}' as upper_keys,",
    "  '{{ api.Column.translate_type(\"string\") }}' as string_label,",
    '  n',
    "from {{ ref('helper_numbers') }}",
    '',
  ].join('\n'),
  'models/g.sql': "select {% if execute %}{{ graph.nodes.values() | selectattr('resource_type', 'equalto', 'model') | list | length }}{% else %}0{% endif %} as model_count\n",
  'models/schema.yml': 'version: 2\nmodels:\n  - name: m\n    columns:\n      - name: n\n        data_tests: [helpers.is_positive, not_null]\n',
};

describe('dbt features through dbt-core and mflow, node by node', () => {
  test('a local package: namespaces, dispatch order, package configs and tests, the dbt context', async () => {
    write(join(scratch, 'helpers'), HELPERS);
    const { dbt, mflow, differences } = await runDifferential(py, BIN, scratch, ROOT);
    expect(dbt.outcomes.size, dbt.log.slice(-3000)).toBeGreaterThan(0);
    expect(mflow.outcomes.size, mflow.log.slice(-3000)).toBeGreaterThan(0);
    // dbt-core passes everything here, and so must mflow.
    for (const o of dbt.outcomes.values()) expect(`${o.key} ${o.status}`).toBe(`${o.key} ${passed(o.status) ? o.status : 'pass or success'}`);
    for (const [key, o] of dbt.outcomes) expect(`${key} ${mflow.outcomes.get(key)?.status}`).toBe(`${key} ${o.status}`);
    // The disabled package model is in neither manifest; the root's cast_text won the dispatch.
    expect([...mflow.nodes.keys()].some((k) => k.includes('helper_disabled'))).toBe(false);
    expect(mflow.nodes.get('model:root_proj.m')?.compiled).toContain("cast(n as varchar) || ''");
    expect(mflow.nodes.get('model:root_proj.m')?.compiled).toContain("'adjacent' as adj");
    const unexplained = differences.filter((d) => !d.why);
    expect(unexplained, JSON.stringify(unexplained, null, 1)).toEqual([]);
  });
});
