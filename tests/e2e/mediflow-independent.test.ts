/**
 * The independent check of issue 5: figures computed from the generated CSV files in plain
 * TypeScript (src/checks) must equal the marts exactly, at two sample sizes.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { build } from '../../src/api.js';
import { computeSynpufFigures } from '../../src/checks/index.js';
import { CaptureConsole } from '../../src/console/console.js';
import { query } from '../functional/helpers.js';
import { copyProject, generate, ingest } from '../mediflow/pipeline.js';

describe.each([
  { beneficiaries: 300, seed: 7 },
  { beneficiaries: 1500, seed: 11 },
])('MediFlow marts vs the CSV files ($beneficiaries beneficiaries)', ({ beneficiaries, seed }) => {
  it('agree exactly on readmissions and paid totals, and all data tests pass', async () => {
    const dir = copyProject();
    const csvDir = await generate(dir, beneficiaries, seed);
    const report = await ingest(dir);
    expect(report.success).toBe(true);
    // What npm start runs after ingestion: seeds, models, data tests and unit tests in one build.
    const b = await build({ projectDir: dir, console: new CaptureConsole() });
    expect(b.results.filter((x) => x.status !== 'success' && x.status !== 'pass').map((x) => `${x.unique_id}: ${x.message}`)).toEqual([]);

    const expected = await computeSynpufFigures(csvDir);
    const db = join(dir, 'data', 'mediflow.duckdb');

    const overall = await query(db, `select year, numerator, denominator from marts.mart_readmission where grouping = 'overall' order by year`);
    const want = [...expected.readmission.byYear].sort((a, b) => a[0] - b[0]).map(([year, c]) => ({ year, numerator: c.numerator, denominator: c.denominator }));
    expect(overall).toEqual(want);
    expect(want.reduce((s, x) => s + x.denominator, 0)).toBeGreaterThan(beneficiaries / 20);

    const hospitals = await query(db, `select year || '|' || group_key as k, numerator, denominator from marts.mart_readmission where grouping = 'hospital' order by 1`);
    const wantH = [...expected.readmission.byYearHospital].map(([k, c]) => ({ k, numerator: c.numerator, denominator: c.denominator })).sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0));
    expect(hospitals).toEqual(wantH);

    // paid per claim type, in cents, from the cost mart (sex partitions the claims) and the fact
    const paid = await query(db, `select claim_type, cast(round(sum(total_paid) * 100) as bigint) as c from marts.mart_cost_of_care where cohort_dimension = 'sex' group by 1 order by 1`);
    expect(Object.fromEntries(paid.map((p) => [p.claim_type, p.c]))).toEqual(expected.paidCents);
    const claims = await query(db, `select claim_type, count(*) as n from fact.fact_claim group by 1`);
    expect(Object.fromEntries(claims.map((p) => [p.claim_type, p.n]))).toEqual(expected.claims);
  });
});
