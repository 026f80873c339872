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
    try {
      await sf.q('use database MEDIFLOW');
      for (let i = 0; i < FIGURES.length; i++) {
        const rows = (await sf.q(FIGURES[i])).map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v])));
        expect(rows, FIGURES[i]).toEqual(duck[i]);
      }
    } finally {
      await sf.close();
    }
  }, 300_000 + PYENV_TIMEOUT_MS);
});
