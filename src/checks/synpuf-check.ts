import { cents, dayNumber, filesMatching, readRows } from './csv.js';
import { admissionOf, computeReadmissions, type Admission, type ReadmissionResult } from './readmission.js';

export interface SynpufFigures {
  readmission: ReadmissionResult;
  /** Total Medicare paid per claim type, in cents. */
  paidCents: Record<'inpatient' | 'outpatient' | 'carrier', number>;
  /** Distinct claims per claim type. */
  claims: Record<'inpatient' | 'outpatient' | 'carrier', number>;
}

/**
 * Computes, from the generated CSV files alone, the figures the marts must reproduce: the
 * readmission numerator and denominator (per year and per hospital-year) and the total paid per
 * claim type (institutional CLM_PMT_AMT over all segments; carrier LINE_NCH_PMT_AMT over all 13
 * line slots).
 */
export async function computeSynpufFigures(dir: string, windowDays = 30): Promise<SynpufFigures> {
  const deaths = new Map<string, number>();
  for (const f of filesMatching(dir, /^DE1_0_\d{4}_Beneficiary_Summary_File_Sample_\d+\.csv$/)) {
    for await (const r of readRows(f)) {
      const d = dayNumber(r.BENE_DEATH_DT);
      if (d !== null) deaths.set(r.DESYNPUF_ID, Math.max(d, deaths.get(r.DESYNPUF_ID) ?? d));
    }
  }
  const paidCents = { inpatient: 0, outpatient: 0, carrier: 0 };
  const ids = { inpatient: new Set<string>(), outpatient: new Set<string>(), carrier: new Set<string>() };
  const admissions: Admission[] = [];
  for (const f of filesMatching(dir, /^DE1_0_2008_to_2010_Inpatient_Claims_Sample_\d+\.csv$/)) {
    for await (const r of readRows(f)) {
      paidCents.inpatient += cents(r.CLM_PMT_AMT);
      ids.inpatient.add(r.CLM_ID);
      const a = admissionOf(r);
      if (a) admissions.push(a);
    }
  }
  for (const f of filesMatching(dir, /^DE1_0_2008_to_2010_Outpatient_Claims_Sample_\d+\.csv$/)) {
    for await (const r of readRows(f)) {
      paidCents.outpatient += cents(r.CLM_PMT_AMT);
      ids.outpatient.add(r.CLM_ID);
    }
  }
  for (const f of filesMatching(dir, /^DE1_0_2008_to_2010_Carrier_Claims_Sample_\d+[AB]\.csv$/)) {
    for await (const r of readRows(f)) {
      for (let i = 1; i <= 13; i++) paidCents.carrier += cents(r[`LINE_NCH_PMT_AMT_${i}`]);
      ids.carrier.add(r.CLM_ID);
    }
  }
  return {
    readmission: computeReadmissions(admissions, deaths, windowDays),
    paidCents,
    claims: { inpatient: ids.inpatient.size, outpatient: ids.outpatient.size, carrier: ids.carrier.size },
  };
}
