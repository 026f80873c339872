import { describe, expect, test } from 'vitest';
import { build, compile } from '../../src/api.js';
import { manifestOf } from './dbt-lang-helpers.js';
import { makeProject, query } from './helpers.js';

/** Model versions as dbt-core 1.12 has them (checked against dbt on the same project in tests/dbt-lang). */
describe('model versions, dbt rules', () => {
  const files = {
    'models/dim_x.sql': "select 2 as id, 'b' as extra",
    'models/dim_x_v1.sql': 'select 1 as id',
    'models/uses.sql': "select * from {{ ref('dim_x') }}",
    'models/props.yml': `version: 2
models:
  - name: dim_x
    latest_version: 2
    columns:
      - name: id
        data_tests: [unique, not_null]
      - name: extra
        data_tests: [not_null]
    data_tests:
      - dbt_lang_rows
    versions:
      - v: 1
        columns:
          - include: all
            exclude: [extra]
      - v: 2
        data_tests:
          - dbt_lang_only_v2
`,
    'macros/t.sql': '{% test dbt_lang_rows(model) %}select 1 from {{ model }} where false{% endtest %}\n{% test dbt_lang_only_v2(model) %}select 1 from {{ model }} where false{% endtest %}',
  };

  test('the latest version may live in the unsuffixed file; ref() without v is that file', async () => {
    const p = makeProject(files);
    const c = await compile({ projectDir: p.dir, console: p.console });
    expect(manifestOf(p.dir).nodes['model.fn.dim_x.v2'].original_file_path).toBe('models/dim_x.sql');
    expect(manifestOf(p.dir).nodes['model.fn.dim_x.v1'].original_file_path).toBe('models/dim_x_v1.sql');
    expect(manifestOf(p.dir).nodes['model.fn.dim_x']).toBeUndefined();
    expect(c.compiled['model.fn.uses'].trim()).toBe('select * from "main"."dim_x_v2"');
  });

  test("tests declared on a versioned model apply to every version (a column test where the version has the column); a version's own tests to it alone", async () => {
    const p = makeProject(files);
    const c = await compile({ projectDir: p.dir, console: p.console });
    const tests = Object.values(manifestOf(p.dir).nodes).filter((n) => n.resource_type === 'test');
    const byName = tests.map((t) => `${t.name} -> ${t.attached_node}`).sort();
    expect(byName).toEqual([
      'dbt_lang_only_v2_dim_x_v2_ -> model.fn.dim_x.v2',
      'dbt_lang_rows_dim_x_v1_ -> model.fn.dim_x.v1',
      'dbt_lang_rows_dim_x_v2_ -> model.fn.dim_x.v2',
      'not_null_dim_x_v1_id -> model.fn.dim_x.v1',
      'not_null_dim_x_v2_extra -> model.fn.dim_x.v2',
      'not_null_dim_x_v2_id -> model.fn.dim_x.v2',
      'unique_dim_x_v1_id -> model.fn.dim_x.v1',
      'unique_dim_x_v2_id -> model.fn.dim_x.v2',
    ]);
    expect(Object.keys(manifestOf(p.dir).nodes['model.fn.dim_x.v1'].columns)).toEqual(['id']);
    expect(Object.keys(manifestOf(p.dir).nodes['model.fn.dim_x.v2'].columns)).toEqual(['id', 'extra']);
    const r = await build({ projectDir: p.dir, console: p.console });
    expect(r.ok).toBe(true);
    expect(r.results.filter((x) => x.unique_id.startsWith('test.')).length).toBe(8);
    expect(await query(p.db, 'select * from main.uses')).toEqual([{ id: 2, extra: 'b' }]);
  });

  test('a failing test on one version fails only that version', async () => {
    const p = makeProject({ ...files, 'models/dim_x_v1.sql': 'select 1 as id union all select 1' });
    const r = await build({ projectDir: p.dir, console: p.console });
    const failed = r.results.filter((x) => x.status === 'fail').map((x) => x.unique_id.split('.')[2]);
    expect(failed).toEqual(['unique_dim_x_v1_id']);
  });
});
