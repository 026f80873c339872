/**
 * The emulator answers as a Snowflake account would where DuckDB differs (issue 13): names,
 * functions, types, date parts, formats, MERGE, transactions, temporary tables, logins and the
 * "query in progress" protocol. Each expectation is Snowflake's documented behaviour.
 */
import type { Connection as SfConnection } from 'snowflake-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, destroy, exec } from '../emulator/snowflake/driver.js';
import { type SnowflakeEmulator, startSnowflakeEmulator } from '../emulator/snowflake/index.js';

let emu: SnowflakeEmulator;
let a: SfConnection;
let b: SfConnection;

beforeAll(async () => {
  emu = await startSnowflakeEmulator({ users: { mflow: 'right' }, inProgressAfterMs: 300, pollHoldMs: 100 });
  a = await connect(emu.connectionOptions({ username: 'mflow', password: 'right', database: 'STRICT', schema: 'S' }));
  b = await connect(emu.connectionOptions({ username: 'mflow', password: 'right', database: 'STRICT', schema: 'S' }));
});
afterAll(async () => {
  await destroy(a).catch(() => undefined);
  await destroy(b).catch(() => undefined);
  await emu.close();
});

const q = async (c: SfConnection, sql: string) => (await exec(c, sql)).rows;
const code = async (p: Promise<unknown>) => p.then(() => 'ok', (e: { code?: string | number; message: string }) => `${e.code}: ${e.message.split('\n').pop()}`);

describe('strict Snowflake emulator', () => {
  it('folds unquoted names to upper case and matches quoted names exactly', async () => {
    await exec(a, 'create or replace table t_names (id number, "Mixed Case" varchar)');
    expect(await q(a, 'select ID, id, "ID" from T_NAMES')).toEqual([]);
    expect(await code(exec(a, 'select "id" from t_names'))).toBe(`000904: invalid identifier '"id"'`);
    expect(await code(exec(a, 'select * from "t_names"'))).toBe(`002003: Object '"t_names"' does not exist or not authorized.`);
    expect(await code(exec(a, 'select "MIXED CASE" from t_names'))).toMatch(/^000904/);
    expect(await code(exec(a, 'select "Mixed Case" from t_names'))).toBe('ok');
  });

  it('accepts only Snowflake functions, with Snowflake\'s error', async () => {
    for (const f of ["regexp_extract('a1', '[0-9]')", "strftime(current_date(), '%Y')", 'list_value(1, 2)', 'epoch_ms(0)']) {
      expect(await code(exec(a, `select ${f}`))).toMatch(/^002140: Unknown function (REGEXP_EXTRACT|STRFTIME|LIST_VALUE|EPOCH_MS)$/);
    }
    expect(await q(a, "select regexp_substr('DE1_0_2009_B', 'DE1_0_([0-9]{4})', 1, 1, 'e', 1) as y, iff(true, 1, 2) as i, nvl(null, 3) as n")).toEqual([{ Y: '2009', I: 1, N: 3 }]);
  });

  it('NUMBER without scale rounds to integers; FLOAT is 64-bit', async () => {
    expect(await q(a, 'select 2.5::number as n, cast(7.49 as number) as m, 0.1::float + 0.2::float as f')).toEqual([{ N: 3, M: 7, F: 0.30000000000000004 }]);
    await exec(a, 'create or replace table t_num (n number, f float)');
    await exec(a, 'insert into t_num values (1.6, 16777217.0)');
    expect(await q(a, 'select n, f from t_num')).toEqual([{ N: 2, F: 16777217 }]);
  });

  it('DATEADD and DATEDIFF take every date part and its abbreviations; an unknown part is an error', async () => {
    const r = await q(a, `select dateadd(qtr, 1, '2024-01-31'::date) as q, dateadd(mm, 1, '2024-01-31'::date) as m, dateadd(yy, -1, '2024-02-29'::date) as y,
      datediff(year, '2023-12-31'::date, '2024-01-01'::date) as dy, datediff(quarter, '2024-01-01'::date, '2024-07-01'::date) as dq,
      datediff(hh, '2024-01-01 00:00:00'::timestamp_ntz, '2024-01-02 01:00:00'::timestamp_ntz) as dh`);
    const day = (v: unknown) => (v as Date).toISOString().slice(0, 10);
    expect(r.map((x) => ({ ...x, Q: day(x.Q), M: day(x.M), Y: day(x.Y) }))).toEqual([{ Q: '2024-04-30', M: '2024-02-29', Y: '2023-02-28', DY: 1, DQ: 2, DH: 25 }]);
    expect(await code(exec(a, "select dateadd(fortnight, 1, '2024-01-01'::date)"))).toMatch(/^002022/);
  });

  it('TO_DATE with a format raises on a value it cannot parse; TRY_TO_DATE gives NULL', async () => {
    const [r] = await q(a, "select to_date('03/15/2024', 'MM/DD/YYYY') as d, try_to_date('2024-99-99', 'YYYY-MM-DD') as t");
    expect([(r.D as Date).toISOString().slice(0, 10), r.T]).toEqual(['2024-03-15', null]);
    expect(await code(exec(a, "select to_date('15/03/2024', 'MM/DD/YYYY')"))).not.toBe('ok');
    expect(await code(exec(a, "select to_date('2024', 'YYYY-Q')"))).not.toBe('ok');
  });

  it('a MERGE whose source has duplicate keys is the nondeterministic-merge error', async () => {
    await exec(a, 'create or replace table m_t (id number, v varchar)');
    await exec(a, "insert into m_t values (1, 'a')");
    const merge = (src: string) => `merge into m_t as d using (${src}) as s on d.id = s.id when matched then update set v = s.v when not matched then insert (id, v) values (s.id, s.v)`;
    expect(await code(exec(a, merge("select 1 as id, 'x' as v union all select 1, 'y'")))).toBe('100090: Duplicate row detected during DML action');
    expect(await q(a, 'select v from m_t')).toEqual([{ V: 'a' }]);
    await exec(a, merge("select 1 as id, 'x' as v union all select 2, 'y'"));
    expect(await q(a, 'select id, v from m_t order by id')).toEqual([{ ID: 1, V: 'x' }, { ID: 2, V: 'y' }]);
  });

  it('DDL commits the open transaction', async () => {
    await exec(a, 'create or replace table tx_t (id number)');
    await exec(a, 'begin');
    await exec(a, 'insert into tx_t values (1)');
    await exec(a, 'create or replace table tx_other (id number)');
    await exec(a, 'rollback');
    expect(await q(a, 'select id from tx_t')).toEqual([{ ID: 1 }]);
  });

  it('a temporary table is visible only to its session', async () => {
    await exec(a, 'create or replace temporary table STRICT.S.MINE (id number)');
    expect(await q(a, 'select count(*) as n from STRICT.S.MINE')).toEqual([{ N: 0 }]);
    expect(await code(exec(b, 'select count(*) from STRICT.S.MINE'))).toMatch(/^002003/);
  });

  it('refuses a wrong password', async () => {
    expect(await code(connect(emu.connectionOptions({ username: 'mflow', password: 'wrong' })))).toMatch(/^390100/);
  });

  it('answers a long query "in progress" (333334) and the driver polls until the rows come', async () => {
    emu.resetStats();
    emu.injectFault({ kind: 'slow', ms: 900, match: 'slow_one', count: 1 });
    expect(await q(a, 'select 42 as slow_one')).toEqual([{ SLOW_ONE: 42 }]);
    expect(emu.stats.inProgress).toBe(1);
    expect(emu.stats.polls).toBeGreaterThanOrEqual(2);
  });
});
