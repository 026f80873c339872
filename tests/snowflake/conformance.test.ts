/**
 * Adapter conformance: the same cases on DuckDB and on Snowflake (through the emulator always,
 * and against a real account when SNOWFLAKE_ACCOUNT and credentials are set).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Adapter, Connection, Dialect, TargetConfig } from '../../src/contracts/adapter.js';
import { dml, runEach } from '../../src/contracts/statements.js';
import { DuckDBAdapter } from '../../src/adapters/duckdb/adapter.js';
import { createSnowflakeAdapter } from '../../src/adapters/snowflake/index.js';
import { diffGrants, grantsFromShow } from '../../src/adapters/snowflake/grants.js';
import type { SnowflakeDialect } from '../../src/adapters/snowflake/dialect.js';
import { type SnowflakeEmulator, startSnowflakeEmulator } from '../emulator/snowflake/index.js';

interface Harness {
  name: string;
  setup(): Promise<Adapter>;
  teardown?(): Promise<void>;
  database: string | null;
  /** Snowflake code expected for a missing table, or null where the warehouse has none. */
  missingTableCode: string | null;
}

let emu: SnowflakeEmulator | undefined;
const schema = `CONF_${process.pid}`;

const harnesses: Harness[] = [
  {
    name: 'duckdb',
    database: null,
    missingTableCode: null,
    setup: () => DuckDBAdapter.create({ name: 'dev', type: 'duckdb', threads: 2, schema, path: ':memory:' }),
  },
  {
    name: 'snowflake-emulator',
    database: 'MFLOW',
    missingTableCode: '002003',
    setup: async () => {
      emu = await startSnowflakeEmulator();
      const target: TargetConfig = { name: 'emu', type: 'snowflake', threads: 2, account: 'emulator', user: 'mflow', password: 'emulator', access_url: emu.url, database: 'MFLOW', schema, warehouse: 'WH' };
      return createSnowflakeAdapter(target);
    },
    teardown: async () => emu?.close(),
  },
];

if (process.env.SNOWFLAKE_ACCOUNT) {
  const e = process.env;
  harnesses.push({
    name: 'snowflake-live',
    database: (e.SNOWFLAKE_DATABASE ?? 'MFLOW_CI').toUpperCase(),
    missingTableCode: '002003',
    setup: () =>
      createSnowflakeAdapter({
        name: 'live',
        type: 'snowflake',
        threads: 2,
        account: e.SNOWFLAKE_ACCOUNT,
        user: e.SNOWFLAKE_USER,
        password: e.SNOWFLAKE_PASSWORD,
        private_key_path: e.SNOWFLAKE_PRIVATE_KEY_PATH,
        private_key_passphrase: e.SNOWFLAKE_PRIVATE_KEY_PASSPHRASE,
        authenticator: e.SNOWFLAKE_AUTHENTICATOR,
        token: e.SNOWFLAKE_TOKEN,
        role: e.SNOWFLAKE_ROLE,
        warehouse: e.SNOWFLAKE_WAREHOUSE,
        database: e.SNOWFLAKE_DATABASE ?? 'MFLOW_CI',
        schema,
      }),
  });
}

/** Rows with lower-case keys and plain numbers, so both warehouses compare equal. */
function plain(rows: Record<string, unknown>[]): Record<string, unknown>[] {
  return rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k.toLowerCase(), typeof v === 'bigint' ? Number(v) : v])));
}

for (const h of harnesses) {
  describe(`adapter conformance: ${h.name}`, () => {
    let adapter: Adapter;
    let d: Dialect;
    let conn: Connection;
    const rel = (identifier: string) => d.relation({ database: h.database, schema, identifier });
    const query = async (sql: string) => plain((await conn.execute(sql)).rows);

    beforeAll(async () => {
      adapter = await h.setup();
      d = adapter.dialect;
      conn = await adapter.acquire();
      await runEach(conn, d.createSchema(h.database, schema));
    });

    afterAll(async () => {
      await conn?.execute(`drop schema if exists ${h.database ? `${d.quote(h.database)}.` : ''}${d.quote(d.capabilities.identifierCase === 'upper' ? schema.toUpperCase() : schema)} cascade`).catch(() => undefined);
      if (conn) adapter.release(conn);
      await adapter?.close();
      await h.teardown?.();
    });

    it('creates a table as select and lists it', async () => {
      await runEach(conn, d.createTableAs(rel('claims'), `select 1 as id, 'a' as v union all select 2, 'b'`, { replace: true }));
      expect(await query(`select id, v from ${rel('claims')} order by id`)).toEqual([
        { id: 1, v: 'a' },
        { id: 2, v: 'b' },
      ]);
      const rels = await adapter.introspector.listRelations(h.database, schema);
      const found = rels.find((r) => r.identifier.toLowerCase() === 'claims');
      expect(found?.type).toBe('table');
      const cols = await adapter.introspector.getColumns(found!);
      expect(cols.map((c) => c.name.toLowerCase())).toEqual(['id', 'v']);
    });

    it('creates a view and lists it as a view', async () => {
      await runEach(conn, d.createView(rel('claims_v'), `select id from ${rel('claims')} where id > 1`));
      expect(await query(`select * from ${rel('claims_v')}`)).toEqual([{ id: 2 }]);
      const rels = await adapter.introspector.listRelations(h.database, schema);
      expect(rels.find((r) => r.identifier.toLowerCase() === 'claims_v')?.type).toBe('view');
    });

    it('merges on a unique key with update columns', async () => {
      await runEach(conn, d.createTableAs(rel('src'), `select 2 as id, 'B' as v union all select 3, 'c'`, { replace: true }));
      await runEach(conn, d.merge({ target: rel('claims'), source: rel('src'), uniqueKey: ['id'], columns: ['id', 'v'], updateColumns: ['v'] }));
      expect(await query(`select id, v from ${rel('claims')} order by id`)).toEqual([
        { id: 1, v: 'a' },
        { id: 2, v: 'B' },
        { id: 3, v: 'c' },
      ]);
    });

    it('replaces matching keys with delete+insert in one transaction', async () => {
      await runEach(conn, d.createTableAs(rel('src'), `select 3 as id, 'C' as v union all select 4, 'd'`, { replace: true }));
      await runEach(conn, d.beginTransaction());
      await runEach(conn, d.deleteInsert({ target: rel('claims'), source: rel('src'), uniqueKey: ['id'], columns: ['id', 'v'] }));
      await runEach(conn, d.commit());
      expect(await query(`select id, v from ${rel('claims')} order by id`)).toEqual([
        { id: 1, v: 'a' },
        { id: 2, v: 'B' },
        { id: 3, v: 'C' },
        { id: 4, v: 'd' },
      ]);
    });

    it('appends', async () => {
      const r = await runEach(conn, d.insertInto(rel('claims'), rel('src'), ['id', 'v']));
      expect(r.rowsAffected).toBe(2);
      expect(await query(`select count(*) as n from ${rel('claims')}`)).toEqual([{ n: 6 }]);
    });

    it('sends binds as binds: a value holding a quote and a semicolon is stored as written', async () => {
      const tricky = "x'); drop table claims; --";
      const r = await conn.run(dml(`insert into ${rel('claims')} (${d.quotePart('id', 'column')}, ${d.quotePart('v', 'column')}) values (?, ?)`, 'bound insert', [99, tricky]));
      expect(r.rowsAffected).toBe(1);
      expect(await query(`select v from ${rel('claims')} where id = 99`)).toEqual([{ v: tricky }]);
      await conn.execute(`delete from ${rel('claims')} where id = 99`);
    });

    it('rolls back what a begin statement opened', async () => {
      await runEach(conn, d.beginTransaction());
      await conn.execute(`delete from ${rel('claims')}`);
      await runEach(conn, d.rollback());
      expect(await query(`select count(*) as n from ${rel('claims')}`)).toEqual([{ n: 6 }]);
    });

    it('adds and drops columns', async () => {
      await runEach(conn, d.addColumns(rel('claims'), [{ name: 'amount', dataType: d.typeName('numeric') }, { name: 'note', dataType: d.typeName('string') }]));
      const relation = { database: h.database, schema, identifier: 'claims', type: 'table' as const };
      const norm = (n: string) => (d.capabilities.identifierCase === 'upper' ? n.toUpperCase() : n);
      const cols = await adapter.introspector.getColumns({ ...relation, schema: norm(schema), identifier: norm('claims') });
      expect(cols.map((c) => c.name.toLowerCase())).toEqual(['id', 'v', 'amount', 'note']);
      await runEach(conn, d.dropColumns(rel('claims'), ['note']));
      const after = await adapter.introspector.getColumns({ ...relation, schema: norm(schema), identifier: norm('claims') });
      expect(after.map((c) => c.name.toLowerCase())).toEqual(['id', 'v', 'amount']);
    });

    it('reports a missing table as a DATABASE error with the warehouse code', async () => {
      const err = (await conn.execute(`select * from ${rel('does_not_exist')}`).catch((e: unknown) => e)) as { code: string; snowflakeCode?: string; message: string };
      expect(err.code).toBe('DATABASE');
      if (h.missingTableCode) {
        expect(err.snowflakeCode).toBe(h.missingTableCode);
        expect(err.message).toContain(`Snowflake error ${h.missingTableCode}`);
      }
    });

    it('lists nothing for a schema that does not exist', async () => {
      expect(await adapter.introspector.listRelations(h.database, 'NO_SUCH_SCHEMA_X')).toEqual([]);
    });

    it.runIf(h.name !== 'duckdb')('applies grants by difference with show grants', async () => {
      const sf = d as SnowflakeDialect;
      const target = rel('claims');
      if (h.name === 'snowflake-emulator') await runEach(conn, sf.grant(target, 'select', ['old_role']));
      const current = grantsFromShow((await runEach(conn, sf.showGrants(target))).rows);
      const changes = diffGrants(current, { select: ['reporter'] });
      for (const g of changes.grant) await runEach(conn, sf.grant(target, g.privilege, g.grantees));
      for (const r of changes.revoke) await runEach(conn, sf.revoke(target, r.privilege, r.grantees));
      expect(grantsFromShow((await runEach(conn, sf.showGrants(target))).rows)).toEqual({ SELECT: ['REPORTER'] });
      // A view rebuilt with copy grants keeps them.
      await runEach(conn, sf.grant(rel('claims_v'), 'select', ['reporter'], 'view'));
      await runEach(conn, d.createView(rel('claims_v'), `select id from ${rel('claims')}`));
      expect(grantsFromShow((await runEach(conn, sf.showGrants(rel('claims_v'), 'view'))).rows)).toEqual({ SELECT: ['REPORTER'] });
    });
  });
}

describe('round trips of a run on Snowflake (measured through the emulator)', () => {
  it('stays under two queries per model', async () => {
    const e = await startSnowflakeEmulator();
    const adapter = await createSnowflakeAdapter({ name: 'emu', type: 'snowflake', threads: 1, account: 'emulator', user: 'mflow', password: 'emulator', access_url: e.url, database: 'MFLOW', schema: 'RUN' });
    try {
      const d = adapter.dialect;
      const c = await adapter.acquire();
      await runEach(c, d.createSchema('MFLOW', 'STG'));
      await runEach(c, d.createSchema('MFLOW', 'MARTS'));
      e.resetStats();
      // A run of 20 models over two schemas: one cached listing per schema, one statement per model.
      const cache = new Map<string, Awaited<ReturnType<typeof adapter.introspector.listRelations>>>();
      const models = Array.from({ length: 20 }, (_, i) => ({ schema: i < 10 ? 'STG' : 'MARTS', name: `m${i}`, view: i < 10 }));
      for (const m of models) {
        if (!cache.has(m.schema)) cache.set(m.schema, await adapter.introspector.listRelations('MFLOW', m.schema));
        const target = d.relation({ database: 'MFLOW', schema: m.schema, identifier: m.name });
        await runEach(c, m.view ? d.createView(target, 'select 1 as id') : d.createTableAs(target, `select * from MFLOW.STG.M${Number(m.name.slice(1)) - 10}`));
      }
      adapter.release(c);
      const perModel = e.stats.queries / models.length;
      console.log(`snowflake run: ${e.stats.queries} queries for ${models.length} models = ${perModel.toFixed(2)} per model`);
      expect(e.stats.queries).toBe(22);
      expect(perModel).toBeLessThanOrEqual(2);
    } finally {
      await adapter.close();
      await e.close();
    }
  });
});
