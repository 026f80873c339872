/** Seeds (batched bound inserts) and snapshots (SCD2) on a Snowflake target, through the emulator. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { build, seed, snapshot } from '../../src/api.js';
import { emulatorWithReader } from './emulator-per-file.js';
import { makeSfProject } from './helpers.js';

const sf = emulatorWithReader();

describe('seeds on Snowflake', () => {
  it('creates the table with inferred types and loads rows in batched bound inserts, in one transaction', async () => {
    const lines = ['code,amount,day,flag,label'];
    for (let i = 0; i < 4500; i++) lines.push(`C${i},${i}.5,2024-01-${String((i % 28) + 1).padStart(2, '0')},${i % 2 ? 'true' : 'false'},${i === 3 ? '' : `"x, ${i}"`}`);
    const p = makeSfProject(sf.emu, { 'seeds/codes.csv': lines.join('\n') + '\n', 'models/use_codes.sql': 'select count(*) as n, sum(amount) as s from {{ ref("codes") }} where flag' }, { schema: 'S1' });
    sf.emu.resetStats();
    const r = await build({ projectDir: p.dir, env: p.env, console: p.console });
    expect(r.results.map((x) => `${x.unique_id}:${x.status}:${x.message}`)).toEqual(['seed.sf.codes:success:INSERT 4500', 'model.sf.use_codes:success:CREATE VIEW']);
    expect((await sf.db.q('describe table MFLOW.S1.CODES')).map((c) => `${c.name} ${c.type}`)).toEqual(['CODE VARCHAR(16777216)', 'AMOUNT FLOAT', 'DAY DATE', 'FLAG BOOLEAN', 'LABEL VARCHAR(16777216)']);
    expect(await sf.db.q('select n, s from MFLOW.S1.USE_CODES')).toEqual([{ n: 2250, s: 2250 * 2250 + 1125 }]);
    expect(await sf.db.q("select label from MFLOW.S1.CODES where code in ('C3', 'C4') order by code")).toEqual([{ label: null }, { label: 'x, 4' }]);
    // 5 columns: 3200 rows per statement, so two inserts inside begin/commit.
    const log = sf.emu.stats.sqlLog;
    const inserts = log.filter((s) => s.startsWith('insert into MFLOW.S1.CODES'));
    expect(inserts.map((s) => s.split('?').length - 1)).toEqual([16_000, 6_500]);
    const at = log.indexOf(inserts[0]);
    expect([log[at - 1], log[at + 2]]).toEqual(['begin', 'commit']);
  });

  it('replaces the rows of an existing seed table and keeps it on a bad file', async () => {
    const p = makeSfProject(sf.emu, { 'seeds/states.csv': 'code,n\nCA,1\nNY,2\n', 'seeds/_props.yml': 'seeds:\n  - name: states\n    config:\n      column_types: {n: "number(5,0)"}\n' }, { schema: 'S2' });
    const first = await seed({ projectDir: p.dir, env: p.env, console: p.console });
    expect(first.results.map((x) => `${x.status} ${x.message}`)).toEqual(['success INSERT 2']);
    writeFileSync(join(p.dir, 'seeds/states.csv'), 'code,n\nTX,3\n');
    expect((await seed({ projectDir: p.dir, env: p.env, console: p.console })).ok).toBe(true);
    expect(await sf.db.q('select code, n from MFLOW.S2.STATES')).toEqual([{ code: 'TX', n: 3 }]);
    writeFileSync(join(p.dir, 'seeds/states.csv'), 'code,n\nWA,4\nOR,not-a-number\n');
    const bad = await seed({ projectDir: p.dir, env: p.env, console: p.console });
    expect(bad.results[0].status).toBe('error');
    expect(bad.results[0].message).toMatch(/Snowflake error 100038/);
    expect(await sf.db.q('select code, n from MFLOW.S2.STATES')).toEqual([{ code: 'TX', n: 3 }]);
  });

  it('runs pre- and post-hooks around the load; a post-hook sees the loaded rows', async () => {
    const p = makeSfProject(sf.emu, {
      'seeds/hooked.csv': 'id\n1\n2\n',
      'seeds/_props.yml': "seeds:\n  - name: hooked\n    config:\n      pre_hook: 'create table if not exists MFLOW.S4.HOOK_LOG (what varchar, n integer)'\n      post_hook: \"insert into MFLOW.S4.HOOK_LOG select 'post', count(*) from {{ this }}\"\n",
    }, { schema: 'S4' });
    const r = await seed({ projectDir: p.dir, env: p.env, console: p.console });
    expect(r.ok, p.console.text).toBe(true);
    expect(await sf.db.q('select what, n from MFLOW.S4.HOOK_LOG')).toEqual([{ what: 'post', n: 2 }]);
  });
});

describe('snapshots on Snowflake', () => {
  it('records versions (timestamp strategy) across runs', async () => {
    const snap = (rows: string) => `{% snapshot people_snap %}
{{ config(unique_key='id', strategy='timestamp', updated_at='updated_at') }}
select * from (values ${rows}) as t(id, name, updated_at)
{% endsnapshot %}`;
    const r1 = "(1, 'ann', '2024-01-01'::timestamp), (2, 'bob', '2024-01-01'::timestamp)";
    const r2 = "(1, 'ANN', '2024-02-01'::timestamp), (2, 'bob', '2024-01-01'::timestamp), (3, 'cy', '2024-02-01'::timestamp)";
    const p = makeSfProject(sf.emu, { 'snapshots/people.sql': snap(r1) }, { schema: 'S3' });
    const a = await snapshot({ projectDir: p.dir, env: p.env, console: p.console });
    expect(a.results.map((x) => x.status)).toEqual(['success']);
    writeFileSync(join(p.dir, 'snapshots/people.sql'), snap(r2));
    const b = await snapshot({ projectDir: p.dir, env: p.env, console: p.console });
    expect(b.results.map((x) => `${x.status} ${x.message}`)).toEqual(['success INSERT 2, UPDATE 1']);
    // Meta columns are stored as Snowflake stores unquoted names, so users query them unquoted.
    const cols = await sf.db.q('describe table MFLOW.S3.PEOPLE_SNAP');
    expect(cols.map((c) => c.name)).toEqual(['ID', 'NAME', 'UPDATED_AT', 'DBT_SCD_ID', 'DBT_UPDATED_AT', 'DBT_VALID_FROM', 'DBT_VALID_TO']);
    const rows = await sf.db.q('select id, name, dbt_valid_from as vf, dbt_valid_to as vt from MFLOW.S3.PEOPLE_SNAP order by id, vf');
    expect(rows.map((x) => [x.id, x.name, x.vt === null ? 'current' : 'closed'])).toEqual([
      [1, 'ann', 'closed'],
      [1, 'ANN', 'current'],
      [2, 'bob', 'current'],
      [3, 'cy', 'current'],
    ]);
  });

  it('keeps updating a table whose meta columns an earlier version created in quoted lower case', async () => {
    const snap = `{% snapshot old_snap %}
{{ config(unique_key='id', strategy='check', check_cols=['name']) }}
select * from (values (1, 'ANN'), (2, 'bob')) as t(id, name)
{% endsnapshot %}`;
    const p = makeSfProject(sf.emu, { 'snapshots/old.sql': snap }, { schema: 'S4' });
    await sf.db.q('create schema if not exists MFLOW.S4');
    await sf.db.q(`create table MFLOW.S4.OLD_SNAP as select 1 as id, 'ann' as name, 'x1' as "dbt_scd_id", '2024-01-01'::timestamp as "dbt_updated_at", '2024-01-01'::timestamp as "dbt_valid_from", null::timestamp as "dbt_valid_to"`);
    const r = await snapshot({ projectDir: p.dir, env: p.env, console: p.console });
    expect(r.results.map((x) => `${x.status} ${x.message}`)).toEqual(['success INSERT 2, UPDATE 1']);
    // The emulator matches quoted names without regard to case, Snowflake does not: the SQL must
    // name the table's own spelling.
    const ran = readFileSync(join(p.dir, 'target/run/sf/snapshots/old.sql'), 'utf8');
    expect(ran).toContain('"dbt_valid_to"');
    expect(ran).not.toContain('DBT_VALID_TO');
    const cols = await sf.db.q('describe table MFLOW.S4.OLD_SNAP');
    expect(cols.map((c) => c.name)).toEqual(['ID', 'NAME', 'dbt_scd_id', 'dbt_updated_at', 'dbt_valid_from', 'dbt_valid_to']);
    const rows = await sf.db.q('select id, name, "dbt_valid_to" is null as cur from MFLOW.S4.OLD_SNAP order by id, cur');
    expect(rows.map((x) => [x.id, x.name, x.cur])).toEqual([
      [1, 'ann', false],
      [1, 'ANN', true],
      [2, 'bob', true],
    ]);
  });
});
