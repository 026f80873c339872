import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { build, run, test } from '../../src/api.js';
import { MflowError, MflowErrors } from '../../src/errors.js';
import { errorsOf, makeProject, query } from './helpers.js';


const runResults = (dir: string) => JSON.parse(readFileSync(join(dir, 'target/run_results.json'), 'utf8')) as { results: unknown[]; success: boolean; errors: { file: string; line: number; message: string }[] };

/** Configuration mistakes are located errors at parse, before anything runs. */
describe('errors found at parse, with file and line', () => {
  it('an unknown materialization says "did you mean" and nothing is built; run_results.json records it', async () => {
    const p = makeProject({ 'models/a.sql': 'select 1 as id', 'models/b.sql': "\n{{ config(materialized='tabel') }}\nselect * from {{ ref('a') }}" });
    const errs = await errorsOf(build({ projectDir: p.dir, console: p.console }));
    expect(errs).toHaveLength(1);
    expect(errs[0]).toMatchObject({ file: 'models/b.sql', line: 2, hint: "Did you mean 'table'?" });
    expect(errs[0].message).toContain("Unknown materialization 'tabel'");
    expect(existsSync(p.db) ? await query(p.db, "select count(*) as n from information_schema.tables where table_name = 'a'") : [{ n: 0 }]).toEqual([{ n: 0 }]);
    expect(runResults(p.dir)).toMatchObject({ results: [], success: false, errors: [{ file: 'models/b.sql', line: 2 }] });
  });

  it('a materialization set in project.yml points at project.yml', async () => {
    const project = 'name: fn\nversion: 1.0.0\nmodels:\n  fn:\n    +materialized: viewz\ntargets:\n  default: dev\n  dev:\n    type: duckdb\n    path: test.duckdb\n';
    const p = makeProject({ 'project.yml': project, 'models/a.sql': 'select 1 as id' });
    const errs = await errorsOf(run({ projectDir: p.dir, console: p.console }));
    expect(errs[0]).toMatchObject({ file: 'project.yml', line: 5, hint: "Did you mean 'view'?" });
  });

  it('threads: "two" is a located error and run_results.json is still written', async () => {
    const p = makeProject({ 'models/a.sql': 'select 1 as id' }, { targets: 'targets:\n  default: dev\n  dev:\n    type: duckdb\n    path: test.duckdb\n    threads: two\n' });
    const errs = await errorsOf(run({ projectDir: p.dir, console: p.console }));
    expect(errs[0]).toMatchObject({ file: 'project.yml', line: 8 });
    expect(errs[0].message).toContain('threads: "two"');
    expect(runResults(p.dir).errors[0]).toMatchObject({ file: 'project.yml', line: 8 });
  });

  it('config types: enabled and full_refresh must be true or false', async () => {
    const p = makeProject({
      'models/a.sql': 'select 1 as id',
      'models/a.yml': 'version: 2\nmodels:\n  - name: a\n    config:\n      enabled: "no"\n      full_refresh: "yes"\n',
    });
    const errs = await errorsOf(run({ projectDir: p.dir, console: p.console }));
    expect(errs.map((e) => `${e.file}:${e.line}`).sort()).toEqual(['models/a.yml:5', 'models/a.yml:6']);
    expect(errs.map((e) => e.message).join('\n')).toMatch(/Config 'enabled' of model 'a' is "no", which is not true or false/);
  });

  it('a generic test on a column the relation does not have: located before anything runs (test) or when its query fails (build)', async () => {
    const p = makeProject({
      'models/people.sql': "select 1 as id, 'F' as gender",
      'models/people.yml': 'version: 2\nmodels:\n  - name: people\n    columns:\n      - name: id\n        data_tests: [unique]\n      - name: gendr\n        data_tests: [not_null]\n',
    });
    await run({ projectDir: p.dir, console: p.console });
    const errs = await errorsOf(test({ projectDir: p.dir, console: p.console }));
    expect(errs).toHaveLength(1);
    expect(errs[0]).toMatchObject({ file: 'models/people.yml', line: 8, hint: expect.stringContaining("Did you mean 'gender'?") });
    expect(runResults(p.dir)).toMatchObject({ results: [], success: false });
    const r = await build({ projectDir: p.dir, console: p.console });
    const failed = r.results.find((x) => x.unique_id.includes('not_null_people_gendr'))!;
    expect(failed.status).toBe('runtime error');
    expect(failed.message).toContain('models/people.yml:8');
    expect(failed.message).toContain("which model 'people' does not have");
  });
});
