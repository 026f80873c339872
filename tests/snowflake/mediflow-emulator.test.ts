/**
 * The MediFlow project built twice from one small SynPUF sample: on DuckDB, and with the target
 * pointed at the Snowflake emulator (RAW ingested and audited locally, then shipped with PUT +
 * COPY INTO). The mart figures must be the same.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, run, seed } from '../../src/api.js';
import { DuckDBAdapter } from '../../src/adapters/duckdb/adapter.js';
import { CaptureConsole } from '../../src/console/console.js';
import { ingest as ingestApi } from '../../src/pipeline/api.js';
import { Session } from '../../src/run/session.js';
import { query } from '../functional/helpers.js';
import { copyProject, generate, ingest } from '../mediflow/pipeline.js';
import { reader, snowflakeTarget, startSnowflakeEmulator, type SnowflakeEmulator } from './helpers.js';
import { unparsableBySqlglot } from './sqlglot-oracle.js';
import { type OracleTable, replayInFakesnow } from './fakesnow-oracle.js';
import { connect, destroy, exec } from '../emulator/snowflake/driver.js';
import { sourceFreshness } from '../../src/freshness/api.js';
import { docsGenerate } from '../../src/docs/api.js';
import { PYENV_TIMEOUT_MS } from '../oracles/python-env.js';

let emu: SnowflakeEmulator;
beforeAll(async () => {
  emu = await startSnowflakeEmulator();
});
afterAll(async () => emu.close());

const failed = (r: Awaited<ReturnType<typeof run>>) => r.results.filter((x) => x.status !== 'success').map((x) => `${x.unique_id}: ${x.message}`);

const FIGURES = [
  `select year, numerator, denominator from marts.mart_readmission where grouping = 'overall' order by year`,
  `select claim_type, count(*) as n, cast(round(sum(total_paid) * 100) as bigint) as paid from marts.mart_cost_of_care where cohort_dimension = 'sex' group by 1 order by 1`,
  `select year, count(*) as n, sum(claims) as claims, cast(round(sum(total_paid) * 100) as bigint) as paid from marts.mart_provider_utilization group by 1 order by 1`,
  `select count(*) as n, count(distinct patient_id) as patients from fact.fact_claim`,
];

describe('MediFlow on the Snowflake emulator', () => {
  it('produces the same mart figures as on DuckDB', async () => {
    const dir = copyProject();
    await generate(dir, 200, 5);
    expect((await ingest(dir)).success).toBe(true);
    const c = new CaptureConsole();
    expect((await seed({ projectDir: dir, console: c })).ok).toBe(true);
    expect(failed(await run({ projectDir: dir, console: c }))).toEqual([]);
    const db = join(dir, 'data', 'mediflow.duckdb');
    const duck: Record<string, unknown>[][] = [];
    for (const q of FIGURES) duck.push(await query(db, q));
    expect(duck[0].length).toBeGreaterThan(0);

    // The same project, one more target: the emulator.
    const yml = readFileSync(join(dir, 'project.yml'), 'utf8');
    const emuTarget = snowflakeTarget(emu, { database: 'MEDIFLOW', schema: 'PUBLIC', threads: 2 }).replace('targets:\n  default: sf\n  sf:', '  emu:');
    writeFileSync(join(dir, 'project.yml'), yml.replace(/\nvars:/, `\n${emuTarget}\nvars:`));
    const env = { ...process.env, SF_PW: 'emulator' };

    // RAW through `mflow ingest --target emu`: files audited in a local DuckDB, shipped with PUT + COPY INTO.
    const report = await ingestApi({ projectDir: dir, target: 'emu', env, console: c });
    expect(report.success, c.text.slice(-3000)).toBe(true);
    expect(c.text).toMatch(/shipped raw\.inpatient|shipped .*INPATIENT/i);
    // The full build on the emulator: seeds, models, data tests and unit tests.
    const b = await build({ projectDir: dir, target: 'emu', env, console: c });
    expect(b.results.filter((x) => !['success', 'pass'].includes(x.status)).map((x) => `${x.unique_id}: ${x.message}`)).toEqual([]);
    // Issue 13: every statement mflow sent (ingest, seeds, models, tests, unit tests) parses as Snowflake SQL in sqlglot.
    expect(emu.stats.sqlLog.length).toBeGreaterThan(100);
    const bad = await unparsableBySqlglot([...emu.stats.sqlLog, 'select a from where']);
    // The planted broken statement proves the oracle can fail.
    expect(bad.map((b) => b.sql)).toContain('select a from where');
    bad.splice(bad.findIndex((b) => b.sql === 'select a from where'), 1);
    expect(bad.map((b) => `${b.error}\n  ${b.sql.slice(0, 200)}`)).toEqual([]);
    const sf = await reader(emu);
    const raw = await connect(emu.connectionOptions({ database: 'MEDIFLOW', schema: 'PUBLIC' }));
    try {
      await sf.q('use database MEDIFLOW');
      for (let i = 0; i < FIGURES.length; i++) {
        const rows = (await sf.q(FIGURES[i])).map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v])));
        expect(rows, FIGURES[i]).toEqual(duck[i]);
      }
      const figures = async () => {
        const out: unknown[] = [];
        for (const f of FIGURES) out.push((await sf.q(f)).map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v]))));
        return out;
      };

      // A second build: the incremental path, within the round-trip budget, without listing schemas.
      emu.resetStats();
      const again = await build({ projectDir: dir, target: 'emu', env, console: c });
      expect(again.results.filter((x) => !['success', 'pass'].includes(x.status)).map((x) => `${x.unique_id}: ${x.message}`)).toEqual([]);
      expect(emu.stats.sqlLog.filter((q) => q.startsWith('show terse schemas'))).toEqual([]);
      expect(await figures()).toEqual(duck);
      // Round trips of a run (models only; a build adds seeds' inserts and one query per data test).
      emu.resetStats();
      const third = await run({ projectDir: dir, target: 'emu', env, console: c });
      expect(failed(third)).toEqual([]);
      const perModel = emu.stats.queries / third.results.length;
      const kinds = Object.entries(emu.stats.sqlLog.reduce<Record<string, number>>((m, q) => ((m[q.trim().split(/\s+/).slice(0, 2).join(' ').toLowerCase()] = (m[q.trim().split(/\s+/).slice(0, 2).join(' ').toLowerCase()] ?? 0) + 1), m), {}));
      console.log(`MediFlow second run on the emulator: ${emu.stats.queries} queries for ${third.results.length} models = ${perModel.toFixed(2)} per model`);
      expect(perModel, `queries per model on a second run: ${JSON.stringify(kinds)}`).toBeLessThanOrEqual(2);

      // --full-refresh rebuilds every table; its statements are replayed in fakesnow below.
      emu.resetStats();
      const full = await run({ projectDir: dir, target: 'emu', env, console: c, fullRefresh: true });
      expect(failed(full)).toEqual([]);
      const fullRefreshLog = [...emu.stats.sqlLog];
      expect(await figures()).toEqual(duck);

      // source freshness and docs generate against the warehouse.
      const fresh = await sourceFreshness({ projectDir: dir, target: 'emu', env, console: c });
      expect(fresh.results.length).toBeGreaterThan(0);
      expect(fresh.results.filter((r) => r.status === 'runtime error').map((r) => r.error)).toEqual([]);
      const docs = await docsGenerate({ projectDir: dir, target: 'emu', env, console: c });
      expect(docs.catalogRelations).toBeGreaterThan(20);

      // fakesnow: the tables the models read (RAW and seeds), then every statement of the full refresh.
      const tables: OracleTable[] = [];
      for (const schema of ['RAW', 'REF']) {
        for (const o of await sf.q(`show terse objects in schema MEDIFLOW.${schema}`)) {
          if (o.kind !== 'TABLE') continue;
          const name = `MEDIFLOW.${schema}.${String(o.name)}`;
          const columns = (await sf.q(`describe table ${name}`)).map((x) => ({ name: String(x.name), type: String(x.type) }));
          const rows = (await exec(raw, `select * from ${name}`)).rows;
          tables.push({ name, columns, rows });
        }
      }
      const schemas = (await sf.q('show terse schemas in database MEDIFLOW')).map((x) => String(x.name)).filter((x) => x !== 'INFORMATION_SCHEMA');
      const replay = await replayInFakesnow({ database: 'MEDIFLOW', schemas, tables, statements: fullRefreshLog, figures: FIGURES.map((f) => f.replace(/\b(marts|fact)\./g, 'MEDIFLOW.$1.')) });
      // fakesnow accepts every statement of the full refresh (none needs an exception today).
      expect(replay.rejected.map((r) => `${r.error}\n  ${r.sql.slice(0, 300)}`)).toEqual([]);
      const norm = (rows: Record<string, string | null>[]) => rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v !== null && /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v])));
      expect(replay.figures.map(norm)).toEqual(duck);
    } finally {
      await sf.close();
      await destroy(raw);
    }
  }, 600_000 + PYENV_TIMEOUT_MS);
});
