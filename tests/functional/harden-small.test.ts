import { describe, expect, it } from 'vitest';
import { build, seed } from '../../src/api.js';
import { makeProject } from './helpers.js';

describe('smaller hardening items (issue 17.6)', () => {
  it('renders {{ var() }} in generic test arguments, keeping lists and numbers typed', async () => {
    const p = makeProject({
      'project.yml': 'name: fn\nversion: 1.0.0\nvars:\n  genders: [M, F]\n  max_age: 50\ntargets:\n  default: dev\n  dev:\n    type: duckdb\n    path: test.duckdb\n',
      'models/m.sql': "select 1 as id, 60 as age, 'X' as g",
      'macros/at_most.sql': '{% test at_most(model, column_name, max_value) %}select * from {{ model }} where {{ column_name }} > {{ max_value }}{% endtest %}',
      'models/m.yml': `version: 2
models:
  - name: m
    columns:
      - name: g
        data_tests:
          - accepted_values:
              values: "{{ var('genders') }}"
      - name: age
        data_tests:
          - at_most:
              max_value: "{{ var('max_age') }}"
`,
    });
    const r = await build({ projectDir: p.dir, console: p.console, vars: { max_age: 70 } });
    const by = (s: string) => r.results.find((x) => x.unique_id.includes(s))!;
    expect(by('accepted_values_m_g__M__F')).toMatchObject({ status: 'fail', failures: 1 });
    // --vars overrides the project's value, as for models.
    expect(by('at_most_m_age__70')).toMatchObject({ status: 'pass' });
  });

  it('a 5 MB seed field says how long the row is, not "check the delimiter"', async () => {
    const p = makeProject({ 'seeds/big.csv': `id,payload\n1,${'x'.repeat(5_000_000)}\n` });
    const r = await seed({ projectDir: p.dir, console: p.console });
    expect(r.results[0].status).toBe('error');
    expect(r.results[0].message).toMatch(/seeds\/big\.csv:2.*A row is 5\.0 MB long, over the 2\.0 MB a seed row may have; nothing was loaded/);
    expect(r.results[0].message).not.toMatch(/delimiter/);
  });
});
