import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MflowError } from '../../src/errors.js';
import { generateSynpuf, type GenerateSummary } from '../../src/synpuf/generate.js';
import { NPPES_COLUMNS, NPPES_FILE_NAME, SYNPUF_FILES } from '../../src/synpuf/layouts.js';

const dirs: string[] = [];
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'synpuf-'));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

type Row = Record<string, string>;
function readCsv(path: string): { header: string; rows: Row[]; raw: string } {
  const raw = readFileSync(path, 'utf8');
  const lines = raw.split('\r\n');
  expect(lines.pop()).toBe(''); // ends with CRLF
  const header = lines[0]!;
  const cols = header.split(',').map((c) => c.slice(1, -1));
  const wrongWidth: number[] = [];
  const rows = lines.slice(1).map((l, i) => {
    const v = l.split(',');
    if (v.length !== cols.length) wrongWidth.push(i + 2);
    return Object.fromEntries(cols.map((c, i) => [c, v[i]!]));
  });
  expect(wrongWidth, `${path}: rows with the wrong number of fields`).toEqual([]);
  return { header, rows, raw };
}

function dirHash(dir: string): string {
  const h = createHash('sha256');
  for (const f of readdirSync(dir).sort()) h.update(f).update(readFileSync(join(dir, f)));
  return h.digest('hex');
}

const N = 1000;
let out: string;
let summary: GenerateSummary;
const data: Record<string, Row[]> = {};
const texts: Record<string, { header: string; raw: string }> = {};
const file = (kind: string, extra?: number | string): Row[] => {
  const f = SYNPUF_FILES.find((x) => x.kind === kind && (extra === undefined || x.year === extra || x.part === extra))!;
  return data[f.fileName(1)]!;
};

beforeAll(async () => {
  out = tmp();
  summary = await generateSynpuf({ beneficiaries: N, seed: 7, outDir: out });
  for (const f of SYNPUF_FILES) {
    const { header, rows, raw } = readCsv(join(out, f.fileName(1)));
    data[f.fileName(1)] = rows;
    texts[f.fileName(1)] = { header, raw };
  }
});

describe('generateSynpuf file format', () => {
  it('writes the eight CMS files and the NPPES extract, with row counts and sizes', () => {
    expect(summary.files.map((f) => f.path.split('/').pop())).toEqual([...SYNPUF_FILES.map((f) => f.fileName(1)), NPPES_FILE_NAME]);
    for (const f of summary.files) {
      expect(readFileSync(f.path).length).toBe(f.bytes);
      if (!f.path.endsWith(NPPES_FILE_NAME)) expect(f.rows).toBe(data[f.path.split('/').pop()!]!.length);
    }
    expect(file('beneficiary', 2008)).toHaveLength(N);
  });

  it('uses a quoted header, unquoted data, CRLF only', () => {
    for (const f of SYNPUF_FILES) {
      const { header, raw } = texts[f.fileName(1)]!;
      expect(header).toBe(f.columns.map((c) => `"${c}"`).join(','));
      const body = raw.slice(header.length + 2);
      expect(body).not.toContain('"');
      expect(body.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    }
  });

  it('formats dates as YYYYMMDD, amounts with two decimals and IDs as text', () => {
    const dateCol = /(_DT|DSCHRG_DT)$/;
    const amountCol = /(_AMT|_AM|_AMT_\d+|^MEDREIMB_|^BENRES_|^PPPYMT_)/;
    const date = /^(2007|2008|2009|2010|19\d\d)(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])$/;
    const amount = /^-?\d+\.\d\d$/;
    const bad: string[] = [];
    const check = (ok: boolean, what: string): void => {
      if (!ok && bad.length < 10) bad.push(what);
    };
    for (const f of SYNPUF_FILES) {
      const cols = f.columns;
      const dates = cols.filter((c) => dateCol.test(c));
      const amounts = cols.filter((c) => amountCol.test(c));
      expect(dates.length + amounts.length).toBeGreaterThan(1);
      for (const r of data[f.fileName(1)]!) {
        for (const c of dates) check(r[c] === '' || date.test(r[c]!), `${c}=${r[c]}`);
        for (const c of amounts) check(r[c] === '' || amount.test(r[c]!), `${c}=${r[c]}`);
        check(/^[0-9A-F]{16}$/.test(r.DESYNPUF_ID!), `id ${r.DESYNPUF_ID}`);
        for (const c of ['CLM_ID', 'PDE_ID']) check(r[c] === undefined || /^\d{15}$/.test(r[c]!), `${c}=${r[c]}`);
        for (const c of ['AT_PHYSN_NPI', 'OP_PHYSN_NPI', 'OT_PHYSN_NPI', 'PRF_PHYSN_NPI_1']) {
          check(!r[c] || /^\d{10}$/.test(r[c]!), `${c}=${r[c]}`);
        }
      }
    }
    expect(bad).toEqual([]);
    const ip = file('inpatient');
    expect(ip.some((r) => r.AT_PHYSN_NPI!.startsWith('0'))).toBe(true);
    expect(ip.every((r) => /^\d\d[0-9A-Z]{4}$/.test(r.PRVDR_NUM!))).toBe(true);
    expect(file('pde').every((r) => /^\d{11}$/.test(r.PROD_SRVC_ID!) && /^\d+\.\d{3}$/.test(r.QTY_DSPNSD_NUM!))).toBe(true);
    expect(file('beneficiary', 2008).every((r) => /^\d\d$/.test(r.SP_STATE_CODE!) && /^\d{3}$/.test(r.BENE_COUNTY_CD!))).toBe(true);
    expect(file('beneficiary', 2008).every((r) => r.BENE_BIRTH_DT!.endsWith('01'))).toBe(true);
  });

  it('sorts every file by DESYNPUF_ID and keeps claim IDs unique', () => {
    for (const f of SYNPUF_FILES) {
      const ids = data[f.fileName(1)]!.map((r) => r.DESYNPUF_ID!);
      expect([...ids].sort()).toEqual(ids);
    }
    const clm = [...file('inpatient'), ...file('outpatient')].filter((r) => r.SEGMENT === '1').map((r) => r.CLM_ID);
    const car = [...file('carrier', 'A'), ...file('carrier', 'B')].map((r) => r.CLM_ID);
    expect(new Set([...clm, ...car]).size).toBe(clm.length + car.length);
    const a = new Set(file('carrier', 'A').map((r) => r.DESYNPUF_ID));
    expect(file('carrier', 'B').some((r) => a.has(r.DESYNPUF_ID))).toBe(false);
  });

  it('uses SSA state codes without 40 and 48, and PRVDR_NUM starts with a state code', () => {
    const states = new Set(file('beneficiary', 2008).map((r) => r.SP_STATE_CODE));
    expect(states.has('40') || states.has('48')).toBe(false);
    expect(states.has('05') && states.has('10') && states.has('33')).toBe(true);
    const ip = file('inpatient').filter((r) => r.SEGMENT === '1');
    const stateOf = new Map(file('beneficiary', 2008).map((r) => [r.DESYNPUF_ID, r.SP_STATE_CODE]));
    const same = ip.filter((r) => r.PRVDR_NUM!.slice(0, 2) === stateOf.get(r.DESYNPUF_ID)).length / ip.length;
    expect(same).toBeGreaterThan(0.75);
  });
});

describe('generateSynpuf content', () => {
  it('follows the spec distributions for sex, race, ESRD and chronic flags', () => {
    const b = file('beneficiary', 2008);
    const share = (pred: (r: Row) => boolean): number => b.filter(pred).length / b.length;
    expect(share((r) => r.BENE_SEX_IDENT_CD === '2')).toBeGreaterThan(0.5);
    expect(share((r) => r.BENE_SEX_IDENT_CD === '2')).toBeLessThan(0.6);
    expect(share((r) => r.BENE_RACE_CD === '1')).toBeGreaterThan(0.77);
    expect(share((r) => r.BENE_RACE_CD === '5')).toBeGreaterThan(0.005);
    expect(share((r) => r.BENE_ESRD_IND === 'Y')).toBeGreaterThan(0.04);
    expect(share((r) => r.BENE_ESRD_IND === 'Y')).toBeLessThan(0.1);
    expect(b.every((r) => ['0', 'Y'].includes(r.BENE_ESRD_IND!))).toBe(true);
    expect(b.every((r) => ['1', '2'].includes(r.SP_CHF!))).toBe(true);
    expect(share((r) => r.PLAN_CVRG_MOS_NUM === '00')).toBeGreaterThan(0.3);
  });

  it('removes the dead from later years and writes no claims after death except a death in a stay', () => {
    const years = [2008, 2009, 2010].map((y) => file('beneficiary', y));
    const deaths = new Map<string, string>();
    years.forEach((rows, y) => {
      for (const r of rows) if (r.BENE_DEATH_DT) deaths.set(r.DESYNPUF_ID!, r.BENE_DEATH_DT);
      const later = years.slice(y + 1).flat();
      const dead = rows.filter((r) => r.BENE_DEATH_DT).map((r) => r.DESYNPUF_ID);
      expect(later.some((r) => dead.includes(r.DESYNPUF_ID))).toBe(false);
    });
    expect(deaths.size).toBeGreaterThan(N * 0.02);
    expect(deaths.size).toBeLessThan(N * 0.08);
    expect([...deaths.values()].every((d) => d.endsWith('01'))).toBe(true);
    expect(years[1]!.length).toBeLessThan(years[0]!.length);
    const carrier = [...file('carrier', 'A'), ...file('carrier', 'B')];
    for (const rows of [file('outpatient'), file('pde'), carrier]) {
      for (const r of rows) {
        const d = deaths.get(r.DESYNPUF_ID!);
        const day = r.CLM_THRU_DT ?? r.SRVC_DT!;
        if (d && day && day >= d) expect.fail(`claim after death: ${r.DESYNPUF_ID} ${day} >= ${d}`);
      }
    }
    let inStay = 0;
    for (const r of file('inpatient').filter((x) => x.SEGMENT === '1')) {
      const d = deaths.get(r.DESYNPUF_ID!);
      if (d && r.NCH_BENE_DSCHRG_DT! >= d) {
        expect(r.CLM_ADMSN_DT! < d).toBe(true);
        inStay++;
      }
    }
    expect(inStay).toBeGreaterThan(0);
  });

  it('has 30-day readmissions near the Medicare rate, overlaps, Dec 2007 starts and SEGMENT 2 rows', () => {
    const ip = file('inpatient');
    const seg1 = ip.filter((r) => r.SEGMENT === '1');
    expect(seg1.length / N).toBeGreaterThan(0.4);
    expect(seg1.length / N).toBeLessThan(0.8);
    const day = (s: string): number => Date.UTC(+s.slice(0, 4), +s.slice(4, 6) - 1, +s.slice(6)) / 86_400_000;
    const byBene = new Map<string, [number, number][]>();
    for (const r of seg1) {
      const list = byBene.get(r.DESYNPUF_ID!) ?? [];
      list.push([day(r.CLM_ADMSN_DT!), day(r.NCH_BENE_DSCHRG_DT!)]);
      byBene.set(r.DESYNPUF_ID!, list);
    }
    let index = 0;
    let readmit = 0;
    let overlaps = 0;
    for (const stays of byBene.values()) {
      stays.sort((a, b) => a[0] - b[0]);
      stays.forEach(([, dis], i) => {
        const next = stays[i + 1];
        if (next && next[0] < dis) overlaps++;
        if (dis > day('20101201')) return;
        index++;
        if (next && next[0] - dis >= 1 && next[0] - dis <= 30) readmit++;
      });
    }
    expect(readmit / index).toBeGreaterThan(0.1);
    expect(readmit / index).toBeLessThan(0.22);
    expect(overlaps).toBeGreaterThan(0);
    expect(seg1.some((r) => r.CLM_FROM_DT!.startsWith('2007'))).toBe(true);
    expect(seg1.every((r) => r.HCPCS_CD_1 === '' && r.CLM_DRG_CD!.length === 3)).toBe(true);
    const seg2 = file('outpatient').filter((r) => r.SEGMENT === '2');
    expect(seg2.length).toBeGreaterThan(0);
    expect(seg2.every((r) => r.CLM_FROM_DT === '' && r.CLM_THRU_DT === '')).toBe(true);
    const op1 = new Set(file('outpatient').filter((r) => r.SEGMENT === '1').map((r) => r.CLM_ID));
    expect(seg2.every((r) => op1.has(r.CLM_ID))).toBe(true);
  });

  it('fills wide carrier lines up to 13, with 0.00 in unused amount slots', () => {
    const car = [...file('carrier', 'A'), ...file('carrier', 'B')];
    expect(car.some((r) => r.HCPCS_CD_13 !== '')).toBe(true);
    const one = car.find((r) => r.HCPCS_CD_1 !== '' && r.HCPCS_CD_2 === '')!;
    expect(one.LINE_NCH_PMT_AMT_2).toBe('0.00');
    expect(one.PRF_PHYSN_NPI_2).toBe('');
    expect(one.TAX_NUM_1).toMatch(/^\d{9}$/);
    expect(car.some((r) => r.LINE_PRCSG_IND_CD_1 !== 'A')).toBe(true);
  });
});

describe('generateSynpuf NPPES extract', () => {
  it('quotes all 330 values and covers part of the NPIs the claims use', () => {
    const raw = readFileSync(join(out, NPPES_FILE_NAME), 'utf8').split('\r\n');
    raw.pop();
    expect(raw[0]).toBe(NPPES_COLUMNS.map((c) => `"${c}"`).join(','));
    const rows = raw.slice(1).map((l) => {
      expect(l.startsWith('"') && l.endsWith('"')).toBe(true);
      const v = l.slice(1, -1).split('","');
      expect(v).toHaveLength(330);
      return v;
    });
    const npis = new Set(rows.map((v) => v[0]));
    expect(rows.some((v) => v[1] === '1') && rows.some((v) => v[1] === '2')).toBe(true);
    expect(rows.filter((v) => v[1] === '1').every((v) => /^[0-9]{3}[0-9A-Z]{6}X$/.test(v[47]!))).toBe(true);
    const used = new Set<string>();
    for (const r of [...file('carrier', 'A'), ...file('carrier', 'B')]) if (r.PRF_PHYSN_NPI_1) used.add(r.PRF_PHYSN_NPI_1);
    for (const r of file('inpatient')) if (r.AT_PHYSN_NPI) used.add(r.AT_PHYSN_NPI);
    const covered = [...used].filter((n) => npis.has(n)).length / used.size;
    expect(covered).toBeGreaterThan(0.6);
    expect(covered).toBeLessThan(0.85);
  });
});

describe('generateSynpuf determinism and validation', () => {
  it('gives the same bytes for the same seed and different bytes for another seed', async () => {
    const [a, b, c] = [tmp(), tmp(), tmp()];
    await generateSynpuf({ beneficiaries: 200, seed: 99, outDir: a });
    await generateSynpuf({ beneficiaries: 200, seed: 99, outDir: b });
    await generateSynpuf({ beneficiaries: 200, seed: 100, outDir: c });
    expect(dirHash(a)).toBe(dirHash(b));
    expect(dirHash(a)).not.toBe(dirHash(c));
  });

  it('rejects bad options with a usage error and a hint', async () => {
    await expect(generateSynpuf({ beneficiaries: 0, seed: 1, outDir: tmp() })).rejects.toThrow(MflowError);
    await expect(generateSynpuf({ beneficiaries: 10, seed: -1, outDir: tmp() })).rejects.toThrow(/--seed/);
    await expect(generateSynpuf({ beneficiaries: 10, seed: 1, outDir: tmp(), nppesCoverage: 2 })).rejects.toThrow(/nppesCoverage/);
  });
});
