import { describe, expect, it } from 'vitest';
import { build } from '../../src/api.js';
import { makeProject, query } from './helpers.js';

/** stg -> dim -> mart, and other -> mart2; dim has a failing unique test, other a failing warn-only test. */
const project = {
  'models/stg.sql': 'select * from (values (1), (2), (2)) t(id)',
  'models/dim.sql': "select id from {{ ref('stg') }}",
  'models/mart.sql': "select count(*) as n from {{ ref('dim') }}",
  'models/other.sql': 'select -1 as amount',
  'models/mart2.sql': "select * from {{ ref('other') }}",
  'models/schema.yml': `version: 2
models:
  - name: stg
    columns:
      - name: id
        data_tests: [not_null]
  - name: dim
    columns:
      - name: id
        data_tests: [unique]
  - name: other
    columns:
      - name: amount
        data_tests:
          - accepted_values:
              values: [1, 2]
              quote: false
              config: { severity: warn }
`,
};

describe('mflow build', () => {
  it('runs tests right after their model; a failing error test skips downstream, a warning does not', async () => {
    const p = makeProject(project);
    const r = await build({ projectDir: p.dir, console: p.console, threads: 1 });
    const status = Object.fromEntries(r.results.map((x) => [x.unique_id.split('.').slice(0, 3).join('.'), x.status]));
    expect(status).toEqual({
      'model.fn.stg': 'success',
      'test.fn.not_null_stg_id': 'pass',
      'model.fn.dim': 'success',
      'test.fn.unique_dim_id': 'fail',
      'model.fn.mart': 'skipped',
      'model.fn.other': 'success',
      'test.fn.accepted_values_other_amount__False__1__2': 'warn',
      'model.fn.mart2': 'success',
    });
    expect(r.ok).toBe(false);
    // With one thread the order is observable: each model's tests start before its children.
    const started = p.console.events.filter((e) => e.type === 'node_start').map((e) => (e as { uniqueId: string }).uniqueId.split('.')[2]);
    expect(started.indexOf('not_null_stg_id')).toBeLessThan(started.indexOf('dim'));
    expect(started.indexOf('accepted_values_other_amount__False__1__2')).toBeLessThan(started.indexOf('mart2'));
    expect(started).not.toContain('mart');
    const skip = r.results.find((x) => x.unique_id === 'model.fn.mart')!;
    expect(skip.message).toBe("skipped because test 'unique_dim_id' failed");
    expect(p.console.events.find((e) => e.type === 'summary')).toMatchObject({ counts: { PASS: 5, WARN: 1, ERROR: 1, SKIP: 1, TOTAL: 8 }, ok: false });
    expect(await query(p.db, 'select * from main.mart2')).toEqual([{ amount: -1 }]);
    expect(await query(p.db, "select count(*) as n from information_schema.tables where table_name = 'mart'")).toEqual([{ n: 0 }]);
  });

  it('takes the same selectors as run', async () => {
    const p = makeProject(project);
    const r = await build({ projectDir: p.dir, console: p.console, select: ['+mart2'] });
    expect(r.results.map((x) => x.unique_id.split('.').slice(0, 3).join('.')).sort()).toEqual(['model.fn.mart2', 'model.fn.other', 'test.fn.accepted_values_other_amount__False__1__2']);
    expect(r.ok).toBe(true);
    const ex = await build({ projectDir: p.dir, console: p.console, select: ['stg+'], exclude: ['mart'] });
    expect(ex.results.map((x) => x.unique_id.split('.').slice(0, 3).join('.')).sort()).toEqual(['model.fn.dim', 'model.fn.stg', 'test.fn.not_null_stg_id', 'test.fn.unique_dim_id']);
  });
});
