import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSnowflakeAdapter, type SnowflakeAdapter, type SnowflakeConnection, SnowflakeQueryError } from '../../src/adapters/snowflake/index.js';
import { type SnowflakeEmulator, startSnowflakeEmulator } from '../emulator/snowflake/index.js';
import { runEach } from '../../src/contracts/statements.js';

let emu: SnowflakeEmulator;
let adapter: SnowflakeAdapter;
let conn: SnowflakeConnection;

beforeAll(async () => {
  emu = await startSnowflakeEmulator();
  adapter = await createSnowflakeAdapter({ name: 'emu', type: 'snowflake', threads: 2, account: 'emulator', user: 'mflow', password: 'emulator', access_url: emu.url, database: 'MFLOW', schema: 'RAW', query_tag: 'mflow-run' });
  conn = await adapter.acquire();
});

afterAll(async () => {
  adapter.release(conn);
  await adapter.close();
  await emu.close();
});

describe('snowflake adapter against the emulator', () => {
  it('loads a seed through batched bind inserts inside one transaction', async () => {
    const d = adapter.dialect;
    const target = d.relation({ database: 'MFLOW', schema: 'RAW', identifier: 'seed_states' });
    await conn.execute(`create or replace table ${target} (code varchar, n number(38,0))`);
    const rows = Array.from({ length: 2500 }, (_, i) => [`S${i}`, i]);
    const batches = d.insertValues(target, ['code', 'n'], rows, 2000);
    expect(batches).toHaveLength(3);
    await runEach(conn, d.beginTransaction());
    let inserted = 0;
    for (const b of batches) inserted += (await conn.run(b)).rowsAffected ?? 0;
    await runEach(conn, d.commit());
    expect(inserted).toBe(2500);
    expect((await conn.execute(`select count(*) as n, sum(n) as s from ${target}`)).rows).toEqual([{ N: 2500, S: (2499 * 2500) / 2 }]);
  });

  it('sends the connection query tag and per-node tags', async () => {
    emu.resetStats();
    await conn.execute('select 1');
    await runEach(conn, adapter.dialect.setQueryTag('model.mediflow.fct_claims'));
    await conn.execute('select 2');
    await runEach(conn, adapter.dialect.unsetQueryTag());
    expect(emu.stats.queryTags).toEqual(['mflow-run', 'mflow-run', 'model.mediflow.fct_claims', 'model.mediflow.fct_claims']);
  });

  it('splits scripts into single statements', async () => {
    const t = 'MFLOW.RAW.S1';
    const r = await conn.execute(`create or replace table ${t} (a int); insert into ${t} values (1), (2); select count(*) as n from ${t}`);
    expect(r.rows).toEqual([{ N: 2 }]);
  });

  it('reports SQL errors with the Snowflake code', async () => {
    const err = (await conn.execute('select * from MFLOW.RAW.NOPE').catch((e: unknown) => e)) as SnowflakeQueryError;
    expect(err).toBeInstanceOf(SnowflakeQueryError);
    expect(err.snowflakeCode).toBe('002003');
    expect(err.sqlState).toBe('42S02');
    expect(err.message).toBe("Snowflake error 002003 (42S02): SQL compilation error: Object 'NOPE' does not exist or not authorized.");
  });

  it('survives HTTP 503 and session expiry without the caller noticing', async () => {
    emu.injectFault({ kind: 'sessionExpired' });
    emu.injectFault({ kind: 'http', status: 503, path: 'query-request' });
    expect((await conn.execute('select 5 as x')).rows).toEqual([{ X: 5 }]);
  }, 20_000);

  it('loads RAW files with PUT and COPY INTO, once', async () => {
    const d = adapter.dialect;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sf-raw-'));
    const file = path.join(dir, 'claims.csv');
    fs.writeFileSync(file, 'id,amount\n1,10.5\n2,\n');
    await runEach(conn, d.createStage('MFLOW.RAW.MFLOW_STAGE'));
    await conn.execute('create or replace table MFLOW.RAW.CLAIMS (id number(38,0), amount number(10,2))');
    await runEach(conn, d.put(file, 'MFLOW.RAW.MFLOW_STAGE/claims'));
    const copy = await runEach(conn, d.copyInto('MFLOW.RAW.CLAIMS', 'MFLOW.RAW.MFLOW_STAGE/claims'));
    expect(copy.rows.map((r) => [r.status, r.rows_loaded])).toEqual([['LOADED', 2]]);
    expect((await conn.execute('select id, amount from MFLOW.RAW.CLAIMS order by id')).rows).toEqual([
      { ID: 1, AMOUNT: 10.5 },
      { ID: 2, AMOUNT: null },
    ]);
    fs.writeFileSync(file, 'id,amount\nx,1\n');
    await runEach(conn, d.put(file, 'MFLOW.RAW.MFLOW_STAGE/bad'));
    const bad = (await runEach(conn, d.copyInto('MFLOW.RAW.CLAIMS', 'MFLOW.RAW.MFLOW_STAGE/bad')).catch((e: unknown) => e)) as SnowflakeQueryError;
    expect(bad.snowflakeCode).toBe('100038');
    expect((await conn.execute('select count(*) as n from MFLOW.RAW.CLAIMS')).rows).toEqual([{ N: 2 }]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('cancels running statements (Ctrl-C)', async () => {
    const other = await adapter.acquire();
    emu.injectFault({ kind: 'slow', ms: 10_000, match: 'long_running' });
    const started = Date.now();
    const p = other.execute('select 1 as long_running').catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 200));
    await other.cancel();
    const err = (await p) as SnowflakeQueryError;
    expect(err.snowflakeCode).toBe('000604');
    expect(Date.now() - started).toBeLessThan(5000);
    await expect(other.execute('select 1')).rejects.toThrow('The run was cancelled.');
    adapter.release(other);
  });
});
