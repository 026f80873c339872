/**
 * `ALTER SCHEMA a SWAP WITH b` in the emulator, through the real snowflake-sdk: the two schemas
 * exchange every object (tables with their rows and constraints, views, grants), a missing schema
 * is Snowflake's 002003 and changes nothing, and a reader on another session never sees one
 * schema's tables from before the swap next to tables from after it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connection as SfConnection } from 'snowflake-sdk';
import { type SnowflakeEmulator, startSnowflakeEmulator } from '../emulator/snowflake/index.js';
import { connect, destroy, exec } from '../emulator/snowflake/driver.js';

let emu: SnowflakeEmulator;
let conn: SfConnection;
const q = async (sql: string) => (await exec(conn, sql)).rows;

beforeAll(async () => {
  emu = await startSnowflakeEmulator();
  conn = await connect(emu.connectionOptions({ database: 'SW', schema: 'PUBLIC' }));
});
afterAll(async () => {
  await destroy(conn).catch(() => undefined);
  await emu.close();
});

describe('alter schema ... swap with (emulator)', () => {
  it('exchanges tables, rows, constraints, views and grants of the two schemas', async () => {
    await q('create schema live');
    await q('create schema live__staging');
    await q('create table live.t (id int not null, v varchar)');
    await q("insert into live.t values (1, 'old')");
    await q('create table live.only_old as select 1 as x');
    await q("create table live__staging.t as select 2 as id, 'new' as v");
    await q('create view live__staging.vt as select id from sw.live__staging.t');
    await q('grant select on table live__staging.t to role reporter');
    const r = await q('alter schema live__staging swap with live');
    expect(r).toEqual([{ status: 'Statement executed successfully.' }]);
    expect(await q('select id, v from live.t')).toEqual([{ ID: 2, V: 'new' }]);
    expect(await q('select id, v from live__staging.t')).toEqual([{ ID: 1, V: 'old' }]);
    const names = async (s: string) => (await q(`show terse objects in schema sw.${s}`)).map((o) => `${String(o.name)}:${String(o.kind)}`).sort();
    expect(await names('live')).toEqual(['T:TABLE', 'VT:VIEW']);
    expect(await names('live__staging')).toEqual(['ONLY_OLD:TABLE', 'T:TABLE']);
    // The old table keeps its NOT NULL column wherever it goes.
    await expect(q('insert into live__staging.t values (null, null)')).rejects.toThrow();
    expect((await q('show grants on table live.t')).some((g) => g.privilege === 'SELECT' && g.grantee_name === 'REPORTER')).toBe(true);
    expect((await q('show grants on table live__staging.t')).some((g) => g.privilege === 'SELECT')).toBe(false);
    // Swapping back restores the first state.
    await q('alter schema sw.live swap with sw.live__staging');
    expect(await q('select v from live.t')).toEqual([{ V: 'old' }]);
  });

  it('fails with 002003 when either schema is missing, changing nothing', async () => {
    const before = await q('select v from live.t');
    const err = await q('alter schema live swap with nowhere').then(
      () => null,
      (e: Error & { code?: string }) => e,
    );
    expect(err?.code).toBe('002003');
    expect(err?.message).toMatch(/Schema 'SW\.NOWHERE' does not exist or not authorized/);
    await expect(q('alter schema nowhere swap with live')).rejects.toThrow(/NOWHERE/);
    expect(await q('select v from live.t')).toEqual(before);
    expect((await q('show terse schemas in database sw')).map((x) => x.name)).not.toContain('LIVE__EMU_SCHEMA_SWAP');
  });

  it('a reader on another session sees one version of every table of the schema, never a mix', async () => {
    await q('create or replace schema pub');
    await q('create or replace schema pub__staging');
    for (const t of ['a', 'b', 'c']) await q(`create table pub.${t} as select 0 as version from range(50)`);
    const reader = await connect(emu.connectionOptions({ database: 'SW', schema: 'PUBLIC' }));
    const seen: string[] = [];
    let stop = false;
    const reading = (async () => {
      while (!stop) {
        const r = await exec(reader, 'select (select max(version) from sw.pub.a) as a, (select max(version) from sw.pub.b) as b, (select min(version) from sw.pub.c) as c');
        seen.push(`${r.rows[0].A}/${r.rows[0].B}/${r.rows[0].C}`);
      }
    })();
    try {
      for (let v = 1; v <= 8; v++) {
        for (const t of ['a', 'b', 'c']) await q(`create or replace table pub__staging.${t} as select ${v} as version from range(50)`);
        await q('alter schema pub__staging swap with pub');
      }
    } finally {
      stop = true;
      await reading;
      await destroy(reader);
    }
    expect(seen.length).toBeGreaterThan(8);
    expect(seen.filter((s) => new Set(s.split('/')).size !== 1)).toEqual([]);
    // The reads interleaved with the swaps (several versions seen), and the last swap won.
    expect(new Set(seen).size).toBeGreaterThan(2);
    expect(await q('select (select max(version) from sw.pub.a) as a, (select max(version) from sw.pub.c) as c')).toEqual([{ A: 8, C: 8 }]);
  });
});
