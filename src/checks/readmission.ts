import { dayNumber, monthStart, yearOf } from './csv.js';

/** One inpatient admission as the rule needs it (days are days since 1970-01-01). */
export interface Admission {
  id: string;
  patient: string;
  provider: string;
  admit: number;
  discharge: number;
  principalDx: string;
}

export interface IndexCounts {
  numerator: number;
  denominator: number;
}

export interface ReadmissionResult {
  byYear: Map<number, IndexCounts>;
  byYearHospital: Map<string, IndexCounts>;
  /** Admission ids of index admissions, and of those readmitted, for pinpointing disagreements. */
  index: Set<string>;
  readmitted: Set<string>;
}

const planned = (dx: string): boolean => dx.startsWith('V57') || dx === 'V5811' || dx === 'V5812';
const excludedIndexDx = (dx: string): boolean => {
  if (dx.startsWith('V57') || dx.startsWith('V581')) return true;
  const k = dx.slice(0, 3);
  return k.length === 3 && k >= '290' && k <= '319';
};

/** Raw inpatient row (SEGMENT 1) -> Admission, with spec §7 rule 1 date fallbacks. */
export function admissionOf(row: Record<string, string>): Admission | null {
  if (row.SEGMENT.trim() !== '1') return null;
  const admit = dayNumber(row.CLM_ADMSN_DT) ?? dayNumber(row.CLM_FROM_DT);
  const discharge = dayNumber(row.NCH_BENE_DSCHRG_DT) ?? dayNumber(row.CLM_THRU_DT);
  if (admit === null || discharge === null) return null;
  const prv = row.PRVDR_NUM.trim();
  return { id: row.CLM_ID.trim(), patient: row.DESYNPUF_ID.trim(), provider: prv ? `I-${prv}` : 'UNKNOWN', admit, discharge, principalDx: row.ICD9_DGNS_CD_1.trim() };
}

/**
 * The MediFlow 30-day readmission rule (models/README.md), written independently of the SQL:
 * collapse overlapping / same-day stays, take the last admission of a stay as its index
 * candidate, drop deaths in the stay, stays without 30 days of follow-up and excluded diagnoses,
 * then look only at the next stay: readmitted when it starts 1..window days after discharge and
 * is not planned.
 */
export function computeReadmissions(admissions: Admission[], deathDay: Map<string, number>, windowDays = 30): ReadmissionResult {
  const byPatient = new Map<string, Admission[]>();
  for (const a of admissions) {
    const list = byPatient.get(a.patient) ?? [];
    list.push(a);
    byPatient.set(a.patient, list);
  }
  const maxDischarge = Math.max(...admissions.map((a) => a.discharge));
  const cutoff = maxDischarge - windowDays;
  const byYear = new Map<number, IndexCounts>();
  const byYearHospital = new Map<string, IndexCounts>();
  const index = new Set<string>();
  const readmitted = new Set<string>();
  const bump = <K>(m: Map<K, IndexCounts>, k: K, hit: boolean) => {
    const c = m.get(k) ?? { numerator: 0, denominator: 0 };
    c.denominator++;
    if (hit) c.numerator++;
    m.set(k, c);
  };
  for (const [patient, list] of byPatient) {
    list.sort((x, y) => x.admit - y.admit || x.discharge - y.discharge || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
    const stays: Admission[][] = [];
    let end = -Infinity;
    for (const a of list) {
      if (stays.length === 0 || a.admit > end) {
        stays.push([a]);
        end = a.discharge;
      } else {
        stays[stays.length - 1].push(a);
        end = Math.max(end, a.discharge);
      }
    }
    const death = deathDay.get(patient);
    stays.forEach((stay, i) => {
      const admit = Math.min(...stay.map((a) => a.admit));
      const discharge = Math.max(...stay.map((a) => a.discharge));
      const last = [...stay].sort((x, y) => y.discharge - x.discharge || y.admit - x.admit || (x.id < y.id ? 1 : x.id > y.id ? -1 : 0))[0];
      if (death !== undefined && death >= monthStart(admit) && death <= discharge) return;
      if (discharge > cutoff) return;
      if (excludedIndexDx(last.principalDx)) return;
      const next = stays[i + 1];
      let hit = false;
      if (next) {
        const gap = next[0].admit - discharge;
        hit = gap >= 1 && gap <= windowDays && !planned(next[0].principalDx);
      }
      const year = yearOf(discharge);
      index.add(last.id);
      if (hit) readmitted.add(last.id);
      bump(byYear, year, hit);
      bump(byYearHospital, `${year}|${last.provider}`, hit);
    });
  }
  return { byYear, byYearHospital, index, readmitted };
}
