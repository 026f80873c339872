import { describe, expect, it } from 'vitest';
import { build, show } from '../../src/api.js';
import { makeProject, query } from './helpers.js';

/** Values that reach SQL as literals are escaped, and DuckDB runs one statement per call. */
describe('SQL injection through values', () => {
  it("accepted_values takes O'Brien as a value and a crafted value cannot drop a table", async () => {
    const p = makeProject({
      'models/keep.sql': 'select 1 as id',
      'models/people.sql': "select * from (values ('O''Brien'), ('Smith')) t(name)",
      'models/people.yml': `version: 2
models:
  - name: people
    columns:
      - name: name
        data_tests:
          - accepted_values:
              values: ["O'Brien", "Smith"]
          - accepted_values:
              name: crafted
              values: ["x'); drop table main.keep; select ('"]
`,
    });
    const r = await build({ projectDir: p.dir, console: p.console });
    const byId = Object.fromEntries(r.results.map((x) => [x.unique_id.split('.')[2], x]));
    expect(byId['accepted_values_people_name__O_Brien__Smith'].status).toBe('pass');
    // The crafted value is one literal: both names fail it, nothing else runs.
    expect(byId.crafted).toMatchObject({ status: 'fail', failures: 2 });
    expect(await query(p.db, 'select count(*) as n from main.keep')).toEqual([{ n: 1 }]);
  });

  it('string_literal and escape_single_quotes escape quotes', async () => {
    const p = makeProject({ 'models/m.sql': "select {{ string_literal(\"it's\") }} as a, '{{ escape_single_quotes(\"a'b\") }}' as b" });
    await build({ projectDir: p.dir, console: p.console });
    expect(await query(p.db, 'select * from main.m')).toEqual([{ a: "it's", b: "a'b" }]);
  });

  it('refuses a string of several statements, running none of them', async () => {
    const p = makeProject({ 'models/keep.sql': 'select 1 as id' });
    await build({ projectDir: p.dir, console: p.console });
    await expect(show({ projectDir: p.dir, console: p.console, inline: 'select 1; drop table main.keep', limit: -1 })).rejects.toThrow(/2 statements where one is expected/);
    expect(await query(p.db, 'select count(*) as n from main.keep')).toEqual([{ n: 1 }]);
  });
});
