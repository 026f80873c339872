import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SnowflakeEmulator, startSnowflakeEmulator } from '../emulator/snowflake/index.js';
import { connect, destroy, exec } from '../emulator/snowflake/driver.js';
import type { Connection as SfConnection } from 'snowflake-sdk';

let emu: SnowflakeEmulator;
let conn: SfConnection;

beforeAll(async () => {
  emu = await startSnowflakeEmulator({ chunkRows: 100 });
  conn = await connect(emu.connectionOptions({ database: 'EMU', schema: 'CORE' }));
});

afterAll(async () => {
  await destroy(conn).catch(() => undefined);
  await emu.close();
});

describe('snowflake emulator through the real snowflake-sdk', () => {
  it('answers a select with upper-cased column names and session functions', async () => {
    const r = await exec(conn, 'select 1 as x, current_database() as db, current_schema() as sch, current_warehouse() as wh');
    expect(r.rows).toEqual([{ X: 1, DB: 'EMU', SCH: 'CORE', WH: 'WH' }]);
    expect(r.queryId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('keeps quoted identifiers as written', async () => {
    const r = await exec(conn, 'select 2 as "lower"');
    expect(r.rows).toEqual([{ lower: 2 }]);
  });

  it('encodes every scalar type the way Snowflake does', async () => {
    await exec(
      conn,
      `create or replace transient table emu.core.types as select 42 as i, 3.25::number(10,2) as n, 1.5::float as f, 'txt' as s, true as b,
        '2024-01-01'::date as d, '2023-11-14 22:13:20.123'::timestamp_ntz as ts, '01:02:03'::time as t, parse_json('{"a":[1,2]}') as v`,
    );
    const r = await exec(conn, 'select * from types');
    const row = r.rows[0];
    expect(row.I).toBe(42);
    expect(row.N).toBe(3.25);
    expect(row.F).toBe(1.5);
    expect(row.S).toBe('txt');
    expect(row.B).toBe(true);
    expect((row.D as Date).toISOString()).toBe('2024-01-01T00:00:00.000Z');
    expect((row.TS as Date).toISOString()).toBe('2023-11-14T22:13:20.123Z');
    expect(String(row.T)).toBe('01:02:03');
    expect(row.V).toEqual({ a: [1, 2] });
    expect(r.columns.map((c) => c.type)).toEqual(['fixed', 'fixed', 'real', 'text', 'boolean', 'date', 'timestamp_ntz', 'time', 'variant']);
    const d = await exec(conn, 'describe table emu.core.types');
    expect(d.rows.map((x) => [x.name, x.type])).toEqual([
      ['I', 'NUMBER(38,0)'],
      ['N', 'NUMBER(10,2)'],
      ['F', 'FLOAT'],
      ['S', 'VARCHAR(16777216)'],
      ['B', 'BOOLEAN'],
      ['D', 'DATE'],
      ['TS', 'TIMESTAMP_NTZ(9)'],
      ['T', 'TIME(9)'],
      ['V', 'VARIANT'],
    ]);
  });

  it('binds positional values and array binds, and counts DML rows', async () => {
    await exec(conn, 'create or replace table emu.core.people (id number(38,0), name varchar)');
    const ins = await exec(conn, 'insert into emu.core.people (id, name) values (?, ?), (?, ?)', [1, 'ann', 2, 'bob']);
    expect(ins.updated).toBe(2);
    const arr = await exec(conn, 'insert into emu.core.people (id, name) values (?, ?)', [
      [3, 'cy'],
      [4, 'di'],
    ]);
    expect(arr.updated).toBe(2);
    const sel = await exec(conn, 'select name from people where id > ? order by id', [2]);
    expect(sel.rows.map((x) => x.NAME)).toEqual(['cy', 'di']);
    const del = await exec(conn, 'delete from emu.core.people where id = 4');
    expect(del.updated).toBe(1);
  });

  it('reports merge counts per kind', async () => {
    await exec(conn, `create or replace table emu.core.tgt as select 1 as id, 'a' as v`);
    await exec(conn, `create or replace temporary view emu.core.tgt__dbt_tmp as select 1 as id, 'z' as v union all select 2, 'y'`);
    const r = await exec(
      conn,
      `merge into emu.core.tgt as DBT_INTERNAL_DEST using emu.core.tgt__dbt_tmp as DBT_INTERNAL_SOURCE on (DBT_INTERNAL_SOURCE.id = DBT_INTERNAL_DEST.id)
       when matched then update set "V" = DBT_INTERNAL_SOURCE."V" when not matched then insert ("ID", "V") values ("ID", "V")`,
    );
    expect(r.rows).toEqual([{ 'number of rows inserted': 1, 'number of rows updated': 1 }]);
    expect(r.updated).toBe(2);
  });

  it('returns Snowflake error codes', async () => {
    await expect(exec(conn, 'select * from emu.core.nope')).rejects.toMatchObject({ code: '002003', sqlState: '42S02' });
    await expect(exec(conn, 'select nope from emu.core.people')).rejects.toMatchObject({ code: '000904' });
    await expect(exec(conn, 'selec 1')).rejects.toMatchObject({ code: '001003' });
    await expect(exec(conn, `select 'x'::int`)).rejects.toMatchObject({ code: '100038' });
    await expect(exec(conn, 'show terse objects in schema emu.missing')).rejects.toMatchObject({ code: '002043', sqlState: '02000' });
  });

  it('lists objects and schemas with show', async () => {
    const r = await exec(conn, 'show terse objects in schema emu.core');
    const names = r.rows.map((x) => `${x.name}:${x.kind}`);
    expect(names).toContain('PEOPLE:TABLE');
    expect(names).toContain('TGT__DBT_TMP:VIEW');
    const s = await exec(conn, 'show terse schemas in database emu');
    expect(s.rows.map((x) => x.name)).toEqual(['CORE', 'PUBLIC']);
  });

  it('tracks grants, keeps them with copy grants and drops them without', async () => {
    await exec(conn, 'grant select on table emu.core.people to role analyst');
    const g = await exec(conn, 'show grants on table emu.core.people');
    expect(g.rows.map((x) => [x.privilege, x.grantee_name])).toEqual([
      ['OWNERSHIP', 'SYSADMIN'],
      ['SELECT', 'ANALYST'],
    ]);
    await exec(conn, 'create or replace table emu.core.people copy grants as select 1 as id');
    expect((await exec(conn, 'show grants on table emu.core.people')).rows).toHaveLength(2);
    await exec(conn, 'create or replace table emu.core.people as select 1 as id');
    expect((await exec(conn, 'show grants on table emu.core.people')).rows).toHaveLength(1);
  });

  it('tracks the query tag per session', async () => {
    await exec(conn, `alter session set query_tag = 'model.x'`);
    await exec(conn, 'select 1');
    const p = await exec(conn, `show parameters like 'query_tag' in session`);
    expect(p.rows[0].value).toBe('model.x');
    await exec(conn, 'alter session unset query_tag');
    expect(emu.stats.queryTags[emu.stats.sqlLog.indexOf('select 1')]).toBe('model.x');
  });

  it('serves large results as inline rows plus chunks', async () => {
    const before = emu.stats.byPath['/chunks'] ?? 0;
    const r = await exec(conn, 'select range as n from range(350) order by n');
    expect(r.rows).toHaveLength(350);
    expect(r.rows[349]).toEqual({ N: 349 });
    expect((emu.stats.byPath['/chunks'] ?? 0) - before).toBe(3);
  });

  it('renews an expired session and replays the query', async () => {
    emu.injectFault({ kind: 'sessionExpired' });
    const r = await exec(conn, 'select 7 as x');
    expect(r.rows).toEqual([{ X: 7 }]);
    expect(emu.stats.byPath['/session/token-request']).toBe(1);
  });

  it('retries HTTP 503 and dropped connections', async () => {
    const before = emu.stats.byPath['/queries/v1/query-request'] ?? 0;
    emu.injectFault({ kind: 'http', status: 503, count: 1, path: 'query-request' });
    expect((await exec(conn, 'select 8 as x')).rows).toEqual([{ X: 8 }]);
    expect(emu.stats.byPath['/queries/v1/query-request'] - before).toBe(2);
    emu.injectFault({ kind: 'drop', path: 'query-request' });
    expect((await exec(conn, 'select 9 as x')).rows).toEqual([{ X: 9 }]);
  }, 30_000);

  it('cancels a slow query', async () => {
    emu.injectFault({ kind: 'slow', ms: 5000, match: 'slow_one' });
    const started = Date.now();
    const p = new Promise<unknown>((resolve) => {
      const stmt = conn.execute({ sqlText: 'select 1 as slow_one', complete: (err) => resolve(err) });
      setTimeout(() => stmt.cancel(() => undefined), 200);
    });
    const err = (await p) as { code?: string };
    expect(err).toBeTruthy();
    expect(err.code).toBe('000604');
    expect(Date.now() - started).toBeLessThan(4000);
  });

  it('uploads with PUT to a local stage and loads with COPY INTO', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sf-put-'));
    const file = path.join(dir, 'people.csv');
    fs.writeFileSync(file, 'id,name\n10,"x, y"\n11,z\n12,\n');
    await exec(conn, 'create or replace stage emu.core.raw_stage');
    const put = await exec(conn, `put 'file://${file}' @emu.core.raw_stage/people auto_compress=true`);
    expect(put.rows[0]).toMatchObject({ source: 'people.csv', target: 'people.csv.gz', status: 'UPLOADED' });
    const ls = await exec(conn, 'list @emu.core.raw_stage');
    expect(ls.rows.map((x) => x.name)).toEqual(['people/people.csv.gz']);
    await exec(conn, 'create or replace table emu.core.loaded (id number, name varchar)');
    const copy = await exec(conn, `copy into emu.core.loaded from @emu.core.raw_stage/people file_format = (type = csv skip_header = 1 field_optionally_enclosed_by = '"' null_if = ('')) on_error = abort_statement`);
    expect(copy.rows.map((x) => [x.file, x.status, x.rows_loaded])).toEqual([['people/people.csv.gz', 'LOADED', 3]]);
    const again = await exec(conn, `copy into emu.core.loaded from @emu.core.raw_stage/people file_format = (type = csv skip_header = 1)`);
    expect(again.rows[0].status).toBe('Copy executed with 0 files processed.');
    const rows = await exec(conn, 'select id, name from emu.core.loaded order by id');
    expect(rows.rows).toEqual([
      { ID: 10, NAME: 'x, y' },
      { ID: 11, NAME: 'z' },
      { ID: 12, NAME: null },
    ]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('rejects a bad password with 390100', async () => {
    const bad = await startSnowflakeEmulator({ users: { mflow: 'right' } });
    try {
      await expect(connect(bad.connectionOptions({ password: 'wrong' }))).rejects.toMatchObject({ code: '390100' });
    } finally {
      await bad.close();
    }
  });

  it('answers heartbeat and closes the session', async () => {
    const c = await connect(emu.connectionOptions());
    expect(await c.isValidAsync()).toBe(true);
    await destroy(c);
    expect(emu.stats.byPath['/session']).toBeGreaterThanOrEqual(1);
  });
});
