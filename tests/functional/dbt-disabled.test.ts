import { describe, expect, test } from 'vitest';
import { build } from '../../src/api.js';
import { MflowErrors } from '../../src/errors.js';
import { manifestOf } from './dbt-lang-helpers.js';
import { makeProject } from './helpers.js';

/** Disabled nodes are lenient as in dbt-core 1.12 (same project checked with dbt in tests/dbt-lang). */
describe('disabled nodes', () => {
  const files = {
    'project.yml': 'name: fn\nversion: 1.0.0\nmodels:\n  fn:\n    off:\n      +enabled: false\ntargets:\n  default: dev\n  dev: { type: duckdb, path: test.duckdb }\n',
    'models/off/dis_a.sql': "select {{ var('nope') }} as x",
    'models/dis_b.sql': "select {{ var('nope2') }} as x {{ config(enabled=false) }}",
    'models/dis_c.sql': "{{ config(enabled=false) }} select {{ var('nope3')['a'] }} as x",
    'models/ok.sql': 'select 1 as id',
    'tests/sing.sql': "select * from {{ ref('dis_a') }} where false",
    'models/u.yml': 'version: 2\nunit_tests:\n  - name: ut1\n    model: dis_a\n    given: []\n    expect: {rows: [{x: 1}]}\nmodels:\n  - name: dis_b\n    data_tests: [unique]\n',
  };

  test('a missing var(), a unit test or a singular test on a disabled model is not an error; they are disabled with it', async () => {
    const p = makeProject(files);
    const r = await build({ projectDir: p.dir, console: p.console });
    expect(r.ok).toBe(true);
    expect(r.results.map((x) => x.unique_id)).toEqual(['model.fn.ok']);
    const nodes = manifestOf(p.dir).nodes;
    expect(Object.keys(nodes).filter((id) => nodes[id].config.enabled !== false)).toEqual(['model.fn.ok']);
    // As dbt-core: the singular test stays among the nodes, disabled, depending on nothing.
    expect(nodes['test.fn.sing']).toMatchObject({ config: { enabled: false }, depends_on: { nodes: [] } });
  });

  test('the same var() in an enabled model is still an error with the file', async () => {
    const p = makeProject({ ...files, 'models/on.sql': "select {{ var('nope') }} as x" });
    const e = await build({ projectDir: p.dir, console: p.console }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(MflowErrors);
    expect((e as MflowErrors).errors.map((x) => [x.code, x.file])).toEqual([['MISSING_VAR', 'models/on.sql']]);
  });

  test('a model that refs a disabled model is still an error', async () => {
    const p = makeProject({ ...files, 'models/on.sql': "select * from {{ ref('dis_a') }}" });
    const e = await build({ projectDir: p.dir, console: p.console }).catch((x: unknown) => x);
    expect((e as MflowErrors).errors.map((x) => x.message)).toEqual(["model 'on' depends on 'dis_a', which is disabled"]);
  });
});
