import { writeFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { run } from '../../src/api.js';
import { MflowErrors } from '../../src/errors.js';
import { makeProject, query } from './helpers.js';

const props = `version: 2
models:
  - name: c1
    config: {contract: {enforced: true}, materialized: table}
    columns:
      - {name: id, data_type: varchar}
      - {name: name, data_type: varchar}
      - {name: missing_col, data_type: int}
  - name: c2
    config: {contract: {enforced: true}, materialized: table}
    constraints:
      - type: check
        expression: "id > 0"
        name: pos_id
    columns:
      - name: id
        data_type: integer
        constraints: [{type: not_null}, {type: primary_key}]
      - name: name
        data_type: varchar
        constraints: [{type: unique}]
  - name: c3v
    config: {contract: {enforced: true}, materialized: view}
    columns:
      - {name: id, data_type: integer}
      - {name: name, data_type: text}
`;

describe('model contracts', () => {
  test("a contract that does not match fails before anything is built, with dbt's table of differences", async () => {
    const p = makeProject({
      'models/c1.sql': "select 1 as id, 'a' as name, 3 as extra",
      'models/c2.sql': "select 1 as id, 'a' as name",
      'models/c3v.sql': "select 1 as id, 'a' as name",
      'models/c.yml': props,
    });
    const r = await run({ projectDir: p.dir, console: p.console });
    const c1 = r.results.find((x) => x.unique_id === 'model.fn.c1')!;
    expect(c1.status).toBe('error');
    // The same table dbt-core 1.12 prints for this project (tests/dbt-lang/contracts.test.ts compares the two).
    expect(c1.message).toContain(
      [
        '| column_name | definition_type | contract_type | mismatch_reason       |',
        '| ----------- | --------------- | ------------- | --------------------- |',
        '| extra       | INTEGER         |               | missing in contract   |',
        '| id          | INTEGER         | VARCHAR       | data type mismatch    |',
        '| missing_col |                 | INTEGER       | missing in definition |',
      ].join('\n'),
    );
    expect(await query(p.db, "select count(*) as n from information_schema.tables where table_name = 'c1'")).toEqual([{ n: 0 }]);
    expect(r.results.filter((x) => x.status === 'success').map((x) => x.unique_id).sort()).toEqual(['model.fn.c2', 'model.fn.c3v']);
    // The constraints are in the table: DuckDB reports them and enforces them.
    const cons = await query(p.db, "select constraint_type, constraint_text from duckdb_constraints() where table_name = 'c2' order by constraint_type, constraint_text");
    expect(cons.map((x) => x.constraint_type)).toEqual(['CHECK', 'NOT NULL', 'PRIMARY KEY', 'UNIQUE']);
    expect(await query(p.db, 'select * from main.c2')).toEqual([{ id: 1, name: 'a' }]);
  });

  test('rows that break a constraint fail the model and leave the previous table in place', async () => {
    const files = { 'models/c2.sql': "select 1 as id, 'a' as name", 'models/c.yml': props.split('  - name: c1')[0] + props.slice(props.indexOf('  - name: c2')).split('  - name: c3v')[0] };
    const p = makeProject(files);
    expect((await run({ projectDir: p.dir, console: p.console })).ok).toBe(true);
    writeFileSync(`${p.dir}/models/c2.sql`, "select -1 as id, 'b' as name");
    const r = await run({ projectDir: p.dir, console: p.console });
    expect(r.results[0].status).toBe('error');
    expect(r.results[0].message).toMatch(/CHECK constraint/i);
    expect(await query(p.db, 'select * from main.c2')).toEqual([{ id: 1, name: 'a' }]);
  });

  test('a column without data_type, or a contract on an ephemeral model, is a parse error naming the file', async () => {
    const p = makeProject({
      'models/a.sql': 'select 1 as id',
      'models/b.sql': 'select 1 as id',
      'models/c.yml': 'version: 2\nmodels:\n  - name: a\n    config: {contract: {enforced: true}}\n    columns: [{name: id}]\n  - name: b\n    config: {contract: {enforced: true}, materialized: ephemeral}\n    columns: [{name: id, data_type: int}]\n',
    });
    const e = await run({ projectDir: p.dir, console: p.console }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(MflowErrors);
    const errs = (e as MflowErrors).errors;
    expect(errs.map((x) => [x.file, x.line])).toEqual([
      ['models/c.yml', 3],
      ['models/c.yml', 6],
    ]);
    expect(errs[0].message).toContain("Contracted models require data_type to be defined for each column. Please ensure that the column name and data_type are defined within the YAML configuration for the ['id'] column(s).");
    expect(errs[1].message).toContain('ephemeral');
  });

  test('a foreign key to another model is applied and makes that model build first', async () => {
    const p = makeProject({
      'models/parent.sql': 'select 1 as id',
      'models/child.sql': 'select 10 as cid, 1 as parent_id',
      'models/c.yml': `version: 2
models:
  - name: parent
    config: {contract: {enforced: true}, materialized: table}
    columns: [{name: id, data_type: integer, constraints: [{type: primary_key}]}]
  - name: child
    config: {contract: {enforced: true}, materialized: table}
    columns:
      - {name: cid, data_type: integer}
      - name: parent_id
        data_type: integer
        constraints: [{type: foreign_key, to: "ref('parent')", to_columns: [id]}]
`,
    });
    const r = await run({ projectDir: p.dir, console: p.console, threads: 1 });
    expect(r.results.map((x) => [x.unique_id, x.status])).toEqual([
      ['model.fn.parent', 'success'],
      ['model.fn.child', 'success'],
    ]);
    const fk = await query(p.db, "select constraint_type from duckdb_constraints() where table_name = 'child' and constraint_type = 'FOREIGN KEY'");
    expect(fk).toEqual([{ constraint_type: 'FOREIGN KEY' }]);
  });
});

describe('persist_docs', () => {
  test('writes the model and column descriptions as table and column comments (tables and views)', async () => {
    const p = makeProject({
      'models/t.sql': "select 1 as id, 'x' as label",
      'models/v.sql': 'select 1 as id',
      'models/d.yml': `version: 2
models:
  - name: t
    description: "Patients' table"
    config: {materialized: table, persist_docs: {relation: true, columns: true}}
    columns:
      - {name: id, description: The key}
      - {name: gone, description: not in the SQL}
  - name: v
    description: A view
    config: {persist_docs: {relation: true}}
    columns:
      - {name: id, description: not persisted}
`,
    });
    const r = await run({ projectDir: p.dir, console: p.console });
    expect(r.ok).toBe(true);
    expect(await query(p.db, "select table_name, comment from duckdb_tables() where table_name = 't' union all select view_name, comment from duckdb_views() where view_name = 'v'")).toEqual([
      { table_name: 't', comment: "Patients' table" },
      { table_name: 'v', comment: 'A view' },
    ]);
    expect(await query(p.db, "select table_name, column_name, comment from duckdb_columns() where table_name in ('t', 'v') order by all")).toEqual([
      { table_name: 't', column_name: 'id', comment: 'The key' },
      { table_name: 't', column_name: 'label', comment: null },
      { table_name: 'v', column_name: 'id', comment: null },
    ]);
  });
});
