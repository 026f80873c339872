/**
 * Issue 14: any subset of the CMS files builds every model. `mflow pipeline` (npm start) on a
 * sample with only the beneficiary and inpatient files, and on one with every file but NPPES,
 * exits 0; the marts say which claim types are absent (NULL measures, not zero); the load audit
 * records the absent sources. A missing required source (beneficiaries) still fails, naming the
 * file pattern, and nothing is built.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { query } from '../functional/helpers.js';
import { REPO, copyProject, generate } from '../mediflow/pipeline.js';

function pipeline(dir: string) {
  const r = spawnSync('node', [join(REPO, 'bin/mflow'), 'pipeline', '--project-dir', dir], { encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });
  return { code: r.status, out: `${r.stdout}\n${r.stderr}` };
}

/** A generated sample with the SynPUF files matching `drop` removed (and the NPPES folder). */
async function partialSample(drop: RegExp, withoutNppes = false): Promise<{ dir: string; db: string }> {
  const dir = copyProject();
  const csv = await generate(dir, 300, 21);
  for (const f of readdirSync(csv)) if (drop.test(f)) rmSync(join(csv, f));
  if (withoutNppes) rmSync(join(dir, 'data', 'nppes'), { recursive: true });
  return { dir, db: join(dir, 'data', 'mediflow.duckdb') };
}

async function loadedByType(db: string) {
  const rows = await query(db, `select claim_type, bool_and(claim_type_loaded) as loaded, sum(claims) as claims, sum(total_paid) as paid,
    max(paid_pmpm) as pmpm, sum(member_months) as mm from marts.mart_cost_of_care where cohort_dimension = 'sex' group by 1 order by 1`);
  return Object.fromEntries(rows.map((r) => [r.claim_type, r]));
}

beforeAll(() => {
  if (!existsSync(join(REPO, 'dist/cli/main.js'))) spawnSync('npx', ['tsc', '-p', REPO], { stdio: 'inherit' });
});

describe('MediFlow on a partial CMS download', () => {
  it('beneficiary + inpatient only: exit 0, outpatient and carrier flagged absent with NULL measures', async () => {
    const { dir, db } = await partialSample(/Outpatient|Carrier|Prescription/, true);
    const r = pipeline(dir);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/ABSENT .*Carrier_Claims_Sample_\*\[AB\]\.csv/);

    const audit = await query(db, `select source, status from raw._mflow_loads where status = 'absent' order by 1`);
    expect(audit.map((a) => a.source)).toEqual(['carrier', 'nppes', 'nppes_deactivated', 'nppes_weekly', 'outpatient', 'pde'].map((t) => `source.mediflow.raw.${t}`));

    const t = await loadedByType(db);
    expect(t.inpatient.loaded).toBe(true);
    expect(Number(t.inpatient.claims)).toBeGreaterThan(20);
    expect(Number(t.inpatient.pmpm)).toBeGreaterThan(0);
    for (const ct of ['outpatient', 'carrier']) {
      // no data is not zero cost: the row is there, flagged, with NULL claim measures
      expect(t[ct]).toMatchObject({ loaded: false, claims: null, paid: null, pmpm: null });
      expect(Number(t[ct].mm)).toBeGreaterThan(0);
    }
    const adm = await query(db, 'select count(*) as n from fact.fact_admission');
    expect(Number(adm[0].n)).toBeGreaterThan(20);
    const readm = await query(db, `select count(*) as n from marts.mart_readmission where grouping = 'overall'`);
    expect(Number(readm[0].n)).toBeGreaterThan(0);
    rmSync(dir, { recursive: true, force: true });
  }, 180_000);

  it('every file but NPPES: exit 0, all claim types loaded, providers from the claims only', async () => {
    const { dir, db } = await partialSample(/^$/, true);
    const r = pipeline(dir);
    expect(r.code, r.out).toBe(0);
    const t = await loadedByType(db);
    for (const ct of ['inpatient', 'outpatient', 'carrier']) expect(t[ct].loaded).toBe(true);
    const p = await query(db, `select count(*) filter (where is_in_nppes) as in_nppes, count(*) as n from dim.dim_provider`);
    expect(Number(p[0].in_nppes)).toBe(0);
    expect(Number(p[0].n)).toBeGreaterThan(50);
    const audit = await query(db, `select status from raw._mflow_loads where source = 'source.mediflow.raw.nppes'`);
    expect(audit.map((a) => a.status)).toEqual(['absent']);
    rmSync(dir, { recursive: true, force: true });
  }, 180_000);

  it('header-only claim files (another way CMS extracts arrive empty) load 0 rows and read as not loaded, not as zero cost', async () => {
    const { dir, db } = await partialSample(/^$/);
    const csv = join(dir, 'data', 'synpuf');
    for (const f of readdirSync(csv)) {
      if (/Outpatient|Carrier/.test(f)) writeFileSync(join(csv, f), readFileSync(join(csv, f), 'utf8').split('\r\n')[0] + '\r\n');
    }
    const r = pipeline(dir);
    expect(r.code, r.out).toBe(0);
    const t = await loadedByType(db);
    expect(t.inpatient.loaded).toBe(true);
    for (const ct of ['outpatient', 'carrier']) expect(t[ct]).toMatchObject({ loaded: false, claims: null, paid: null, pmpm: null });
    const audit = await query(db, `select source, status, rows_loaded from raw._mflow_loads where source like '%carrier' or source like '%outpatient' order by file`);
    expect(audit.every((a) => a.status === 'success' && Number(a.rows_loaded) === 0)).toBe(true);
    rmSync(dir, { recursive: true, force: true });
  }, 180_000);

  it('without beneficiary files the pipeline fails naming the file pattern, and builds nothing', async () => {
    const { dir, db } = await partialSample(/Beneficiary/);
    const r = pipeline(dir);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/raw\.beneficiary.*no file matches external\.location 'data\/synpuf\/DE1_0_20\[01\]\[0-9\]_Beneficiary_Summary_File_Sample_\*\.csv'/);
    expect(r.out).toContain('models/raw/sources.yml');
    const built = await query(db, `select count(*) as n from information_schema.tables where table_schema in ('stg', 'dim', 'fact', 'marts')`);
    expect(Number(built[0].n)).toBe(0);
    rmSync(dir, { recursive: true, force: true });
  }, 180_000);
});
