import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { seed } from '../../src/api.js';
import { makeProject, query } from './helpers.js';

const types = (db: string, table: string, schema = 'main') =>
  query(db, `select column_name, data_type from information_schema.columns where table_schema = '${schema}' and table_name = '${table}' order by ordinal_position`).then((rs) => Object.fromEntries(rs.map((r) => [r.column_name, r.data_type])));

describe('mflow seed', () => {
  it('infers integers, decimals, dates, timestamps, booleans and text as dbt does; empty values are NULL', async () => {
    const p = makeProject({
      'seeds/mixed.csv':
        'id,big,amount,day,at,at_tz,flag,bits,label,empty\n' +
        '1,3000000000,1.50,2020-01-31,2020-01-31 10:00:00,2020-01-31T10:00:00Z,true,1,abc,\n' +
        '2,-4,2,2021-02-28,2021-02-28T23:59:59.5,2021-02-28 10:00:00+02:00,False,0,007,\n' +
        '3,,,,,,,,,\n',
    });
    const r = await seed({ projectDir: p.dir, console: p.console });
    expect(r.ok).toBe(true);
    expect(r.results[0].adapter_response.rows_affected).toBe(3);
    expect(await types(p.db, 'mixed')).toEqual({
      id: 'INTEGER',
      big: 'BIGINT',
      amount: 'DOUBLE',
      day: 'DATE',
      at: 'TIMESTAMP',
      at_tz: 'TIMESTAMP WITH TIME ZONE',
      flag: 'BOOLEAN',
      bits: 'INTEGER',
      label: 'VARCHAR',
      empty: 'INTEGER',
    });
    const rows = await query(p.db, `select id, big, amount, strftime(day, '%Y-%m-%d') as day, strftime("at", '%Y-%m-%d %H:%M:%S.%g') as "at", epoch(at_tz) as tz, flag, bits, label, empty from main.mixed order by id`);
    expect(rows).toEqual([
      { id: 1, big: 3000000000, amount: 1.5, day: '2020-01-31', at: '2020-01-31 10:00:00.000', tz: 1580464800, flag: true, bits: 1, label: 'abc', empty: null },
      { id: 2, big: -4, amount: 2, day: '2021-02-28', at: '2021-02-28 23:59:59.500', tz: 1614499200, flag: false, bits: 0, label: '007', empty: null },
      { id: 3, big: null, amount: null, day: null, at: null, tz: null, flag: null, bits: null, label: null, empty: null },
    ]);
  });

  it('looks past the first 10,000 rows: a late decimal or word changes the type', async () => {
    const body = Array.from({ length: 10_050 }, (_, i) => `${i},${i},${i}`).join('\n');
    const p = makeProject({ 'seeds/late.csv': `id,n,w\n${body}\n10050,2.5,abc\n` });
    const r = await seed({ projectDir: p.dir, console: p.console });
    expect(r.ok).toBe(true);
    expect(await types(p.db, 'late')).toEqual({ id: 'INTEGER', n: 'DOUBLE', w: 'VARCHAR' });
    expect(await query(p.db, 'select count(*) as c, sum(n) as s, max(id) as m from main.late')).toEqual([{ c: 10_051, s: (10_049 * 10_050) / 2 + 2.5, m: 10_050 }]);
  });

  it('loads quotes, commas, line breaks, Unicode and a BOM exactly', async () => {
    const p = makeProject({ 'seeds/texts.csv': '\uFEFFid,name,note\r\n1,"Zoë, ""the"" 🚀","two\nlines"\r\n2,  spaced  ,日本語\r\n' });
    const r = await seed({ projectDir: p.dir, console: p.console });
    expect(r.ok).toBe(true);
    expect(await query(p.db, 'select * from main.texts order by id')).toEqual([
      { id: 1, name: 'Zoë, "the" 🚀', note: 'two\nlines' },
      { id: 2, name: '  spaced  ', note: '日本語' },
    ]);
  });

  it('loads a seed whose every column is typed by column_types (codes with leading zeros)', async () => {
    const p = makeProject({
      'seeds/sex.csv': 'sex_code,gender\n01,male\n02,female\n',
      'seeds/props.yml': 'version: 2\nseeds:\n  - name: sex\n    config:\n      column_types: {sex_code: varchar, gender: varchar}\n',
    });
    const r = await seed({ projectDir: p.dir, console: p.console });
    expect(r.ok, p.console.text).toBe(true);
    expect(await query(p.db, 'select * from main.sex order by 1')).toEqual([
      { sex_code: '01', gender: 'male' },
      { sex_code: '02', gender: 'female' },
    ]);
  });

  it("reads a file quoted with ' as dbt-duckdb's COPY does ('' is NULL), and keeps apostrophes in a file that is not", async () => {
    // dbt_utils' data_nullcheck_table.csv; DuckDB's sniffer (dbt-duckdb loads seeds with COPY) takes ' as its quote.
    const p = makeProject({ 'seeds/nulls.csv': "field_1,field_2,field_3\na,'',1\n'',b,2\n'','',3\n", 'seeds/names.csv': 'id,name\n1,O\'Brien\n2,"a, b"\n3,\'x\'\n' });
    const r = await seed({ projectDir: p.dir, console: p.console });
    expect(r.ok, p.console.text).toBe(true);
    expect(await query(p.db, 'select * from main.nulls order by field_3')).toEqual([
      { field_1: 'a', field_2: null, field_3: 1 },
      { field_1: null, field_2: 'b', field_3: 2 },
      { field_1: null, field_2: null, field_3: 3 },
    ]);
    expect(await query(p.db, 'select * from main.names order by id')).toEqual([
      { id: 1, name: "O'Brien" },
      { id: 2, name: 'a, b' },
      { id: 3, name: "'x'" },
    ]);
  });

  it('runs pre- and post-hooks, each rendered when it runs: a post-hook sees the loaded rows, or drops the table', async () => {
    const p = makeProject({
      'project.yml': `name: fn
version: 1.0.0
seeds:
  fn:
    counted:
      +pre-hook: "create table if not exists main.hook_log (what varchar, n integer)"
      +post-hook:
        - "insert into main.hook_log select 'post', count(*) from {{ this }}"
    dropped:
      +post-hook: "{% do adapter.drop_relation(this.incorporate(type='table')) %}"
targets:
  default: dev
  dev:
    type: duckdb
    path: test.duckdb
    threads: 1
`,
      'seeds/counted.csv': 'id\n1\n2\n3\n',
      'seeds/dropped.csv': 'id\n1\n',
    });
    const r = await seed({ projectDir: p.dir, console: p.console });
    expect(r.ok, p.console.text).toBe(true);
    expect(await query(p.db, 'select * from main.hook_log')).toEqual([{ what: 'post', n: 3 }]);
    expect(await query(p.db, "select table_name from information_schema.tables where table_name in ('counted', 'dropped') order by 1")).toEqual([{ table_name: 'counted' }]);
  });

  it('honours column_types, delimiter, +schema and quote_columns', async () => {
    const p = makeProject({
      'project.yml': 'name: fn\nversion: 1.0.0\nseeds:\n  fn:\n    +schema: lookups\ntargets:\n  default: dev\n  dev:\n    type: duckdb\n    path: test.duckdb\n    threads: 1\n',
      'seeds/codes.csv': 'Code;Amount;Title\n00123;1.5;x\n00456;2;y\n',
      'seeds/props.yml': "version: 2\nseeds:\n  - name: codes\n    config:\n      delimiter: ';'\n      quote_columns: false\n      column_types:\n        Code: varchar\n        amount: decimal(10,2)\n",
    });
    const r = await seed({ projectDir: p.dir, console: p.console });
    expect(r.ok, p.console.text).toBe(true);
    expect(await types(p.db, 'codes', 'main_lookups')).toEqual({ Code: 'VARCHAR', Amount: 'DECIMAL(10,2)', Title: 'VARCHAR' });
    expect(await query(p.db, 'select code, cast(amount as varchar) as amount from main_lookups.codes order by 1')).toEqual([
      { Code: '00123', amount: '1.50' },
      { Code: '00456', amount: '2.00' },
    ]);
  });

  it('needs --full-refresh when the columns change, and then rebuilds the table', async () => {
    const p = makeProject({ 'seeds/s.csv': 'id,a\n1,x\n' });
    expect((await seed({ projectDir: p.dir, console: p.console })).ok).toBe(true);
    writeFileSync(join(p.dir, 'seeds/s.csv'), 'id,a\n1,x\n2,y\n');
    expect((await seed({ projectDir: p.dir, console: p.console })).ok).toBe(true);
    expect(await query(p.db, 'select count(*) as n from main.s')).toEqual([{ n: 2 }]);
    writeFileSync(join(p.dir, 'seeds/s.csv'), 'id,b,c\n1,2020-01-01,3\n');
    const bad = await seed({ projectDir: p.dir, console: p.console });
    expect(bad.ok).toBe(false);
    expect(bad.results[0].message).toContain("The columns of seed 's' changed since its table was built (added: b, c; removed: a)");
    expect(bad.results[0].message).toContain('mflow seed --full-refresh -s s');
    expect(await query(p.db, 'select * from main.s order by id')).toEqual([
      { id: 1, a: 'x' },
      { id: 2, a: 'y' },
    ]);
    const fr = await seed({ projectDir: p.dir, console: p.console, fullRefresh: true });
    expect(fr.ok).toBe(true);
    expect(await types(p.db, 's')).toEqual({ id: 'INTEGER', b: 'DATE', c: 'INTEGER' });
  });

  it('rejects a ragged row with its line and column and keeps the previous table', async () => {
    const p = makeProject({ 'seeds/r.csv': 'id,name,x\n1,a,1\n' });
    expect((await seed({ projectDir: p.dir, console: p.console })).ok).toBe(true);
    // The quoted line break makes record 4 start on line 5.
    writeFileSync(join(p.dir, 'seeds/r.csv'), 'id,name,x\n1,"multi\nline",1\n2,b,2\n3,c\n4,d,4\n');
    const r = await seed({ projectDir: p.dir, console: p.console });
    expect(r.ok).toBe(false);
    expect(r.results[0].message).toContain('seeds/r.csv:5:3: This row has 2 fields but the header has 3; nothing was loaded from the file');
    expect(await query(p.db, 'select * from main.r')).toEqual([{ id: 1, name: 'a', x: 1 }]);
  });

  it('rejects a bad date in a column typed as date with its line and column, loading nothing', async () => {
    const p = makeProject({
      'seeds/d.csv': 'id,day\n1,2020-01-01\n2,2020-02-30\n',
      'seeds/props.yml': 'version: 2\nseeds:\n  - name: d\n    config:\n      column_types:\n        day: date\n',
    });
    const r = await seed({ projectDir: p.dir, console: p.console });
    expect(r.ok).toBe(false);
    expect(r.results[0].message).toContain(`seeds/d.csv:3:2: Value "2020-02-30" in column 'day' is not a valid DATE`);
    expect(await query(p.db, "select count(*) as n from information_schema.tables where table_name = 'd'")).toEqual([{ n: 0 }]);
  });

  it('rejects a file that is not UTF-8 with the line and column of the bad byte', async () => {
    const p = makeProject({ 'seeds/e.csv': '' });
    writeFileSync(join(p.dir, 'seeds/e.csv'), Buffer.concat([Buffer.from('id,name\n1,ok\n2,Caf'), Buffer.from([0xe9]), Buffer.from('\n')]));
    const r = await seed({ projectDir: p.dir, console: p.console });
    expect(r.ok).toBe(false);
    expect(r.results[0].message).toContain('seeds/e.csv:3:6: The file is not valid UTF-8; nothing was loaded from it');
    expect(r.results[0].message).toContain('hint: Save the file as UTF-8');
  });

  it('names an unknown column in column_types and suggests the right one', async () => {
    const p = makeProject({ 'seeds/c.csv': 'id,amount\n1,2\n', 'seeds/props.yml': 'version: 2\nseeds:\n  - name: c\n    config:\n      column_types:\n        amont: double\n' });
    const r = await seed({ projectDir: p.dir, console: p.console });
    expect(r.ok).toBe(false);
    expect(r.results[0].message).toContain("column_types of seed 'c' names column 'amont', which is not in the header of seeds/c.csv");
    expect(r.results[0].message).toContain("Did you mean 'amount'?");
  });
});
