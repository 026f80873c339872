import { describe, it, expect, beforeAll } from 'vitest';
import { buildMediflowArtifacts, type Artifacts } from '../browser/mediflow-fixture.js';
import { computeColumnLineage, type ColumnLineage } from '../../src/docs/column-lineage.js';

let art: Artifacts;
let lineage: ColumnLineage;
const col = (model: string, column: string) => lineage.nodes[`model.mediflow.${model}`].columns.find((c) => c.column === column)!;
const ups = (model: string, column: string) => col(model, column).upstream.map((u) => `${u.unique_id.split('.').pop()}.${u.column}`).sort();

beforeAll(async () => {
  art = await buildMediflowArtifacts();
  lineage = await computeColumnLineage(art.manifest, { catalog: art.catalog });
});

describe('catalog from DuckDB', () => {
  it('has real types and row counts of tables, none for views', () => {
    const fact = art.catalog!.nodes['model.mediflow.fact_admission'];
    expect(fact.metadata).toMatchObject({ type: 'BASE TABLE', schema: 'fact', name: 'fact_admission' });
    expect(fact.columns.readmitted_30d).toMatchObject({ type: 'BOOLEAN', index: 7 });
    expect(fact.columns.length_of_stay.type).toBe('BIGINT');
    expect(fact.stats.row_count.value).toBe(5);
    const view = art.catalog!.nodes['model.mediflow.stg_admissions'];
    expect(view.metadata.type).toBe('VIEW');
    expect(view.stats.row_count).toBeUndefined();
    expect(art.catalog!.sources['source.mediflow.raw.beneficiary'].columns.desynpuf_id.type).toBe('VARCHAR');
    expect(art.catalog!.nodes['seed.mediflow.state_codes'].stats.row_count.value).toBe(2);
    expect(art.catalog!.nodes['model.mediflow.int_admission_windows']).toBeUndefined();
  });
});

describe('column lineage', () => {
  it('traces renames to the source column', () => {
    expect(col('stg_admissions', 'admission_id')).toMatchObject({ transform: 'rename', traced: true });
    expect(ups('stg_admissions', 'admission_id')).toEqual(['inpatient_claims.clm_id']);
  });

  it('follows readmitted_30d through CTEs to the ephemeral model, one hop', () => {
    expect(col('fact_admission', 'readmitted_30d')).toMatchObject({ transform: 'expression', traced: true });
    expect(ups('fact_admission', 'readmitted_30d')).toEqual(['int_admission_windows.discharge_date', 'int_admission_windows.next_admit_date']);
    expect(ups('int_admission_windows', 'next_admit_date')).toEqual(['stg_admissions.admit_date', 'stg_admissions.patient_id']);
    expect(ups('int_admission_windows', 'discharge_date')).toEqual(['stg_admissions.discharge_date']);
    expect(ups('fact_admission', 'patient_age')).toEqual(['dim_patient.age_2010']);
  });

  it('expands select * from the catalog and keeps positions in set operations', () => {
    expect(lineage.nodes['model.mediflow.dim_provider'].columns.map((c) => c.column)).toEqual(['prvdr_num', 'provider_name', 'state_code']);
    expect(ups('dim_provider', 'provider_name')).toEqual(['stg_providers.provider_name']);
    expect(ups('fact_claim', 'claim_date')).toEqual(['stg_admissions.admit_date', 'stg_claims.claim_date']);
    expect(col('fact_claim', 'claim_type').upstream).toEqual([]);
  });

  it('names auto-named expressions from the catalog and traces aggregates', () => {
    expect(lineage.nodes['model.mediflow.mart_readmission_rates'].columns.map((c) => c.column)).toEqual(['provider_name', 'admissions', 'readmission_rate']);
    expect(ups('mart_readmission_rates', 'readmission_rate')).toEqual(['fact_admission.readmitted_30d']);
    expect(col('mart_readmission_rates', 'admissions')).toMatchObject({ transform: 'aggregate', traced: true, upstream: [] });
    expect(col('mart_readmission_rates', 'readmission_rate').transform).toBe('aggregate');
    expect(col('mart_readmission_rates', 'provider_name').transform).toBe('identity');
  });

  it('lists the columns that filter a model (WHERE, JOIN conditions), and composes changes made in CTEs', () => {
    const f = (m: string) => (lineage.nodes[`model.mediflow.${m}`].filters ?? []).map((u) => `${u.unique_id.split('.').pop()}.${u.column}`).sort();
    // fact_admission joins on w.patient_id = p.patient_id; mart_readmission_rates on provider ids.
    expect(f('fact_admission')).toEqual(['dim_patient.patient_id', 'int_admission_windows.patient_id']);
    expect(f('mart_readmission_rates')).toEqual(['dim_provider.prvdr_num', 'fact_admission.provider_id']);
    expect(f('stg_admissions')).toEqual([]);
    // length_of_stay is computed in the outer select; admit_date passes through the CTE unchanged.
    expect(col('fact_admission', 'length_of_stay').transform).toBe('expression');
    expect(col('fact_admission', 'admit_date').transform).toBe('identity');
  });

  it('says a select * over an unknown relation cannot be traced', () => {
    const legacy = lineage.nodes['model.mediflow.mart_legacy_reconciliation'].columns;
    expect(legacy.map((c) => c.column)).toEqual(['clm_id', 'amount']);
    for (const c of legacy) {
      expect(c.traced).toBe(false);
      expect(c.reasons[0]).toContain('memory.legacy.old_claims is not a model, seed, snapshot or source');
    }
  });

  it('reports SQL DuckDB cannot parse, per model', async () => {
    const m = structuredClone(art.manifest);
    m.nodes['model.mediflow.dim_provider'].compiled_code = 'select from where';
    const l = await computeColumnLineage(m, { catalog: art.catalog });
    expect(l.nodes['model.mediflow.dim_provider'].error).toMatch(/could not parse/);
    expect(l.nodes['model.mediflow.dim_provider'].columns.every((c) => !c.traced)).toBe(true);
  });

  it('without a catalog, still traces by name and expands select * over analysed models', async () => {
    const l = await computeColumnLineage(art.manifest);
    const fa = l.nodes['model.mediflow.fact_admission'].columns.find((c) => c.column === 'readmitted_30d')!;
    expect(fa.upstream.map((u) => u.column).sort()).toEqual(['discharge_date', 'next_admit_date']);
    const prov = l.nodes['model.mediflow.stg_providers'];
    expect(prov.columns).toEqual([]);
    expect(l.nodes['model.mediflow.dim_provider'].columns).toEqual([]);
  });
});
