/**
 * Issue 5: `mflow build` is idempotent (a second run changes no figure), the incremental
 * fact_claim gives the same rows as a full refresh, and ingesting the same files again adds nothing.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { build } from '../../src/api.js';
import { CaptureConsole } from '../../src/console/console.js';
import { query } from '../functional/helpers.js';
import { copyProject, generate, ingest } from '../mediflow/pipeline.js';

const TABLES = ['fact.fact_claim', 'fact.fact_admission', 'dim.dim_patient', 'dim.dim_provider', 'marts.mart_cost_of_care', 'marts.mart_readmission', 'marts.mart_provider_utilization'];

/** One fingerprint per table: row count and an order-independent hash of every row. */
async function fingerprints(db: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const t of TABLES) {
    const [r] = await query(db, `select count(*) as n, md5(coalesce(string_agg(x, '|' order by x), '')) as h from (select t::varchar as x from ${t} as t)`);
    out[t] = `${r.n}:${r.h}`;
  }
  return out;
}

describe('MediFlow build is idempotent', () => {
  it('a second build and a full refresh change no figure; re-ingesting adds nothing', async () => {
    const dir = copyProject();
    await generate(dir, 400, 3);
    expect((await ingest(dir)).success).toBe(true);
    const db = join(dir, 'data', 'mediflow.duckdb');
    const c = new CaptureConsole();
    const first = await build({ projectDir: dir, console: c });
    expect(first.results.filter((x) => !['success', 'pass'].includes(x.status)).map((x) => `${x.unique_id}: ${x.message}`)).toEqual([]);
    const a = await fingerprints(db);
    expect(Number(a['fact.fact_claim'].split(':')[0])).toBeGreaterThan(1000);

    const second = await build({ projectDir: dir, console: c });
    expect(second.ok).toBe(true);
    // fact_claim ran as an incremental merge the second time, and nothing moved.
    expect(second.results.find((x) => x.unique_id === 'model.mediflow.fact_claim')?.message).toMatch(/^INSERT/);
    expect(await fingerprints(db)).toEqual(a);

    const full = await build({ projectDir: dir, console: c, fullRefresh: true });
    expect(full.ok).toBe(true);
    expect(await fingerprints(db)).toEqual(a);

    const before = await query(db, 'select count(*) as n from raw.inpatient');
    const again = await ingest(dir);
    expect(again.results.length).toBeGreaterThan(0);
    // every file is skipped; the optional NPPES weekly and deactivation sources have no file here
    expect(again.results.filter((r) => r.status !== 'skipped').map((r) => `${r.source}:${r.status}`)).toEqual(['source.mediflow.raw.nppes_weekly:absent', 'source.mediflow.raw.nppes_deactivated:absent']);
    expect(await query(db, 'select count(*) as n from raw.inpatient')).toEqual(before);
  }, 300_000);
});
