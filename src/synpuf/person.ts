/**
 * One synthetic beneficiary: demographics, three yearly summaries, and every claim of
 * 2008-2010, produced from the beneficiary's own random stream and written straight to the
 * output files. Nothing survives the call, so a run's memory does not grow with N.
 */
import {
  CARRIER_LINES, CARRIER_SERVICES, CHRONIC_DX, CHRONIC_PERSISTENCE, CHRONIC_PREVALENCE, DRG_GROUPS,
  DRG_JUNK, IP_DEDUCTIBLE, NDC_LABELERS, OP_DX, OP_HCPCS, PROCESSING_IND, PTB_DEDUCTIBLE, RACE,
  SECONDARY_DX, SEX, SSA_STATES, STATE_INDEX, type DrgGroup,
} from './distributions.js';
import { SIM_START, Y2008, Y2011, YEAR_STARTS, dayOf, firstOfMonth, monthOf, yearOf, ymd } from './dates.js';
import { CARRIER_LINE_SLOTS } from './layouts.js';
import type { ProviderPools } from './providers.js';
import { Rng, hashKeys, mix32 } from './random.js';
import type { CsvSink } from './csv-sink.js';

export interface PersonSinks {
  beneficiary: readonly [CsvSink, CsvSink, CsvSink];
  inpatient: CsvSink;
  outpatient: CsvSink;
  carrier: CsvSink;
  pde: CsvSink;
}

export interface PersonContext {
  seed: number;
  sample: number;
  beneficiaries: number;
  pools: ProviderPools;
}

/** Chance that a discharge is followed by a readmission scheduled 1..30 days later (tuned so
 * all-cause 30-day readmissions land near the Medicare FFS rate of about 15-18%). */
const READMIT_P = 0.14;
const OVERLAP_P = 0.027; // spec: 155 of 5,768 admissions start before the previous discharge
const SAME_DAY_P = 0.005; // spec: 28 of 5,768 start on the discharge day
const IP_SEGMENT2_P = 0.0015; // spec: 7 of 5,775 inpatient rows
const OP_SEGMENT2_P = 0.01; // spec: 106 of 11,084 outpatient rows
const DEATH_IN_STAY_P = 0.2;

const CRLF = '\r\n';
const EMPTY_HCPCS_45 = ','.repeat(45);
/** Tails for k unused carrier slots, precomputed: empty codes and zero amounts. */
const EMPTY_SLOTS = Array.from({ length: CARRIER_LINE_SLOTS + 1 }, (_, k) => ','.repeat(k));
const ZERO_SLOTS = Array.from({ length: CARRIER_LINE_SLOTS + 1 }, (_, k) => ',0.00'.repeat(k));
const GENERIC_PX = ['9904', '3893', '8872', '9671', '9390', '4516', '4513', '3995', '9604', '8741', '0040', '8622'] as const;

function amt(n: number): string {
  return Number.isInteger(n) ? n + '.00' : n.toFixed(2);
}
function hex8(n: number): string {
  return (n >>> 0).toString(16).toUpperCase().padStart(8, '0');
}
function round10(x: number): number {
  return Math.round(x / 10) * 10;
}
function pad(n: number, w: number): string {
  return String(n).padStart(w, '0');
}

interface Stay {
  admit: number;
  discharge: number;
  group: DrgGroup;
  prvdr: string;
  attending: number;
  deathInStay: boolean;
}

interface YearState {
  alive: boolean;
  chronic: boolean[];
  nChronic: number;
  esrd: boolean;
  hi: number;
  smi: number;
  hmo: number;
  partD: number;
  /** Last day (exclusive) on which this person can have claims in this year. */
  end: number;
}

/** Per-year totals for the beneficiary summary: [IP pay, IP bene, IP primary, OP..., CAR...]. */
type Totals = number[];

export function generatePerson(ctx: PersonContext, index: number, sinks: PersonSinks): void {
  const rng = new Rng(hashKeys(ctx.seed, ctx.sample, index, 0x5eed));
  const { pools } = ctx;
  // IDs are drawn in ascending order so every file comes out sorted by DESYNPUF_ID (spec §1).
  const gap = Math.floor(4294967296 / ctx.beneficiaries);
  const id = hex8(index * gap + rng.int(0, gap - 1)) + hex8(rng.u32());
  // Claim IDs: kind digit + sample + scrambled beneficiary index + scrambled sequence, 15 digits,
  // unique across files and samples without any shared counter.
  const idPrefix = pad(ctx.sample % 100, 2) + pad((index * 7_654_321 + 1_234_567) % 10_000_000, 7);
  const seqId = (seq: number): string => pad((seq * 7919 + (index % 99_991)) % 100_000, 5);

  // Demographics: fixed across years (spec §3.1).
  const frailty = rng.normal();
  const risk = Math.exp(0.45 * frailty);
  const under65 = rng.chance(0.15);
  const birthYear = under65
    ? rng.int(1943, 1983)
    : 2008 - (65 + Math.min(35, Math.floor(-Math.log(1 - rng.float()) * 11)));
  const birth = ymd(dayOf(birthYear, rng.int(1, 12), 1));
  const age = 2008 - birthYear;
  const sex = rng.pickW(SEX);
  const race = rng.pickW(RACE);
  const state = rng.pickW(STATE_INDEX);
  const stateCode = SSA_STATES[state]![0];
  const county = rng.chance(0.03) ? (rng.chance(0.5) ? '000' : '999') : pad(rng.int(1, 99) * 10 + (rng.chance(0.2) ? rng.int(1, 9) : 0), 3);
  const hiKind = rng.float();
  const smiKind = rng.float();
  const hmoKind = rng.float();
  const partDKind = rng.float();

  // Yearly health state, coverage and death.
  const years: YearState[] = [];
  let deathDay = -1;
  let prev: YearState | undefined;
  for (let y = 0; y < 3; y++) {
    const chronic: boolean[] = [];
    let n = 0;
    CHRONIC_PREVALENCE.forEach((base, c) => {
      const p = Math.min(0.92, base * risk * (age >= 80 ? 1.15 : 1) * 0.88);
      let on: boolean;
      if (!prev) on = rng.chance(p);
      else if (prev.chronic[c]) on = rng.chance(CHRONIC_PERSISTENCE);
      else on = rng.chance(Math.min(1, (p * (1 - CHRONIC_PERSISTENCE)) / (1 - p)));
      chronic.push(on);
      if (on) n++;
    });
    const ckd = chronic[2]!;
    const esrd = prev ? (prev.esrd ? rng.chance(0.8) : rng.chance(ckd ? 0.06 : 0.008)) : rng.chance(ckd ? 0.25 : 0.03);
    const pDeath = 0.0065 * (1 + 0.45 * n) * Math.exp(0.055 * (age + y - 76)) * (esrd ? 1.8 : 1);
    const yearStart = YEAR_STARTS[y]!;
    let months = 12;
    let end = YEAR_STARTS[y + 1]!;
    if (rng.chance(pDeath)) {
      deathDay = yearStart + rng.int(0, YEAR_STARTS[y + 1]! - yearStart - 1);
      months = monthOf(deathDay);
      // Death dates are coarsened to the 1st of the month (spec §2); claims stop before it.
      end = firstOfMonth(deathDay);
    }
    const cover = (kind: number, full: number, none: number): number =>
      kind < full ? months : kind < full + none ? 0 : Math.min(months, rng.int(1, 11));
    const ys: YearState = {
      alive: true, chronic, nChronic: n, esrd,
      hi: cover(hiKind, 0.96, 0.025), smi: cover(smiKind, 0.9, 0.06),
      hmo: hmoKind < 0.72 ? 0 : hmoKind < 0.94 ? months : Math.min(months, rng.int(1, 11)),
      partD: cover(partDKind, 0.52, 0.41), end,
    };
    years.push(ys);
    prev = ys;
    if (deathDay >= 0) break;
  }
  const lastEnd = years[years.length - 1]!.end;
  const deathDt = deathDay >= 0 ? firstOfMonth(deathDay) : -1;
  const yearIdx = (day: number): number => Math.min(years.length - 1, Math.max(0, yearOf(day) - 2008));

  const totals: Totals[] = years.map(() => [0, 0, 0, 0, 0, 0, 0, 0, 0]);
  const addTotals = (day: number, offset: number, a: number, b: number, c: number): void => {
    const t = totals[yearIdx(day)]!;
    t[offset] += a;
    t[offset + 1] += b;
    t[offset + 2] += c;
  };

  const secondaryDx = (ys: YearState): string => {
    if (ys.nChronic > 0 && rng.chance(0.5)) {
      let c = rng.int(0, ys.nChronic - 1);
      for (let k = 0; k < ys.chronic.length; k++) {
        if (ys.chronic[k] && c-- === 0) return rng.pick(CHRONIC_DX[k]!);
      }
    }
    return rng.pickW(SECONDARY_DX);
  };
  const dxList = (principal: string, ys: YearState, count: number, slots: number): string => {
    const list = [principal];
    while (list.length < count) {
      const d = secondaryDx(ys);
      if (!list.includes(d)) list.push(d);
      else if (rng.chance(0.3)) break;
    }
    let s = '';
    for (let k = 0; k < slots; k++) s += ',' + (list[k] ?? '');
    return s;
  };

  // ---- Inpatient stays: a renewal process with readmissions, transfers and overlaps. ----
  const ipRate = (day: number): number => {
    const ys = years[yearIdx(day)]!;
    return (0.058 * (1 + 0.5 * ys.nChronic) * (ys.esrd ? 1.7 : 1) * risk * (age >= 80 ? 1.3 : 1)) / 365;
  };
  const expGap = (rate: number): number => Math.floor(-Math.log(1 - rng.float()) / rate);
  const makeStay = (admit: number, prvdr?: string): Stay => {
    const group = rng.pickW(DRG_GROUPS);
    const los = rng.chance(0.014) ? 0 : Math.min(90, Math.max(1, Math.round(rng.logNormal(group.los, 0.55))));
    return {
      admit, discharge: admit + los, group, prvdr: prvdr ?? pools.prvdrNum(rng, state),
      attending: pools.physician(rng, state), deathInStay: false,
    };
  };
  const stays: Stay[] = [];
  let t = SIM_START + expGap(ipRate(SIM_START));
  while (t < lastEnd) {
    const s = makeStay(t);
    if (s.discharge >= lastEnd) {
      if (deathDay < 0) break; // would be billed after 2010
      s.discharge = Math.max(deathDt, Math.min(s.discharge, deathDay));
      s.deathInStay = true;
      stays.push(s);
      break;
    }
    stays.push(s);
    const r = rng.float();
    const los = s.discharge - s.admit;
    if (r < OVERLAP_P && los >= 2) t = s.admit + rng.int(1, los - 1);
    else if (r < OVERLAP_P + SAME_DAY_P) t = s.discharge;
    else if (r < OVERLAP_P + SAME_DAY_P + READMIT_P) t = s.discharge + 1 + Math.floor(29 * rng.float() ** 1.6);
    else t = s.discharge + 1 + expGap(ipRate(s.discharge));
  }
  const last = stays[stays.length - 1];
  if (deathDay >= 0 && !last?.deathInStay && rng.chance(DEATH_IN_STAY_P)) {
    const admit = deathDt - rng.int(1, 12);
    if (!last || admit >= last.discharge) {
      const s = makeStay(admit);
      s.discharge = deathDay;
      s.deathInStay = true;
      stays.push(s);
    }
  }

  // ---- Claim rows, collected per file (one person's rows only) and written after the summary. ----
  let ipRows = '';
  let ipCount = 0;
  let ipSeq = 0;
  for (const s of stays) {
    if (s.discharge < Y2008) continue; // stays that ended in 2007 are outside the data
    const ys = years[yearIdx(s.discharge)]!;
    const clmId = '7' + idPrefix + seqId(ipSeq++);
    const claimYear = yearOf(s.admit);
    const los = s.discharge - s.admit;
    let pay = rng.chance(0.992) ? Math.max(1000, Math.round(rng.logNormal(s.group.pay, 0.5) / 1000) * 1000) : round10(rng.logNormal(s.group.pay, 0.5));
    if (rng.chance(0.0014)) pay = -1000 * rng.int(1, 5);
    const primary = rng.chance(0.04) ? rng.int(1, 40) * 100 : 0;
    const at = rng.chance(0.991) ? pools.npi(s.attending) : '';
    const op = rng.chance(0.59) ? (rng.chance(0.7) && at ? at : pools.npi(pools.physician(rng, state))) : '';
    const ot = rng.chance(0.11) ? pools.npi(rng.chance(0.15) ? pools.organization(rng, state) : pools.physician(rng, state)) : '';
    const principal = rng.pick(s.group.dx);
    const admitting = rng.chance(0.009) ? '' : rng.chance(0.6) ? principal : rng.pickW(SECONDARY_DX);
    const passThru = rng.chance(0.1) ? rng.int(1, 40) * 10 : 0;
    const deductible = rng.chance(0.97) ? amt(IP_DEDUCTIBLE[claimYear]!) : '';
    const coins = los > 60 ? (los - 60) * (IP_DEDUCTIBLE[claimYear]! / 4) : 0;
    const util = rng.chance(0.95) ? los : Math.max(0, los - rng.int(1, 3));
    const drg = rng.chance(0.005) ? rng.pick(DRG_JUNK) : rng.pick(s.group.drgs);
    const px: string[] = [];
    if (s.group.px.length > 0) px.push(rng.pick(s.group.px));
    if (px.length > 0 || rng.chance(0.3)) while (px.length < 6 && rng.chance(0.4)) px.push(rng.pick(GENERIC_PX));
    let pxs = '';
    for (let k = 0; k < 6; k++) pxs += ',' + (px[k] ?? '');
    ipRows +=
      `${id},${clmId},1,${ymd(s.admit)},${ymd(s.discharge)},${s.prvdr},${amt(pay)},${amt(primary)},${at},${op},${ot},` +
      `${ymd(s.admit)},${admitting},${amt(passThru)},${deductible},${amt(coins)},0.00,${util},${ymd(s.discharge)},${drg}` +
      dxList(principal, ys, rng.int(3, 10), 10) + pxs + EMPTY_HCPCS_45 + CRLF;
    ipCount++;
    addTotals(s.discharge, 0, pay, deductible ? IP_DEDUCTIBLE[claimYear]! : 0, primary);
    if (rng.chance(IP_SEGMENT2_P)) {
      const pay2 = rng.int(1, 10) * 1000;
      ipRows +=
        `${id},${clmId},2,,,${pools.prvdrNum(rng, state)},${amt(pay2)},0.00,,,,${ymd(s.admit)},,0.00,,0.00,0.00,${util},` +
        `${ymd(s.discharge)},${rng.pick(DRG_JUNK)}` + ','.repeat(16) + EMPTY_HCPCS_45 + CRLF;
      ipCount++;
    }
  }

  // ---- Outpatient claims. ----
  interface Visit { from: number; thru: number }
  const visits = (y: number, rate: number, multiDay: number, maxSpan: number): Visit[] => {
    const ys = years[y]!;
    const start = YEAR_STARTS[y]!;
    const out: Visit[] = [];
    const n = rng.poisson(rate);
    for (let k = 0; k < n; k++) {
      if (ys.end <= start) break;
      const from = rng.int(start, ys.end - 1);
      const thru = rng.chance(multiDay) ? Math.min(ys.end - 1, from + rng.int(1, maxSpan)) : from;
      out.push({ from, thru });
    }
    // A few claims began in December 2007 and ended in 2008 (spec §2).
    if (y === 0 && ys.end > Y2008 + 10 && rng.chance(0.0015 * rate)) out.push({ from: Y2008 - rng.int(1, 20), thru: Y2008 + rng.int(0, 10) });
    return out.sort((a, b) => a.from - b.from || a.thru - b.thru);
  };
  let opRows = '';
  let opCount = 0;
  let opSeq = 0;
  for (let y = 0; y < years.length; y++) {
    const ys = years[y]!;
    const rate = 0.5 * (1 + 0.45 * ys.nChronic) * risk * (ys.esrd ? 2.5 : 1);
    for (const v of visits(y, rate, 0.11, 30)) {
      const clmId = '5' + idPrefix + seqId(opSeq++);
      let pay = round10(rng.logNormal(120, 1.0));
      if (rng.chance(0.003)) pay = -round10(rng.int(10, 300));
      const primary = rng.chance(0.03) ? round10(rng.int(10, 500)) : 0;
      const at = rng.chance(0.97) ? pools.npi(pools.physician(rng, state)) : '';
      const op = rng.chance(0.15) ? pools.npi(pools.physician(rng, state)) : '';
      const ot = rng.chance(0.05) ? pools.npi(pools.physician(rng, state)) : '';
      const dx = dxList(rng.pickW(OP_DX), ys, rng.int(1, 6), 10);
      const px = rng.chance(0.005) ? rng.pick(GENERIC_PX) + ',,,,,' : ',,,,,';
      const ded = rng.chance(0.08) ? rng.int(1, 13) * 10 : 0;
      const coins = Math.max(0, round10(Math.abs(pay) * 0.25));
      const admitting = rng.chance(0.26) ? rng.pickW(OP_DX) : '';
      const nH = rng.chance(0.17) ? 0 : Math.min(45, 1 + Math.floor(-Math.log(1 - rng.float()) * 2.5));
      let hcpcs = '';
      for (let k = 0; k < 45; k++) hcpcs += ',' + (k < nH ? rng.pickW(OP_HCPCS) : '');
      const prvdr = pools.prvdrNum(rng, state);
      opRows +=
        `${id},${clmId},1,${ymd(v.from)},${ymd(v.thru)},${prvdr},${amt(pay)},${amt(primary)},${at},${op},${ot},0.00` +
        dx + ',' + px + `,${amt(ded)},${amt(coins)},${admitting}` + hcpcs + CRLF;
      opCount++;
      addTotals(v.thru, 3, pay, ded + coins, primary);
      if (rng.chance(OP_SEGMENT2_P)) {
        const pay2 = round10(rng.logNormal(60, 0.8));
        opRows +=
          `${id},${clmId},2,,,${pools.prvdrNum(rng, state)},${amt(pay2)},0.00,,,,0.00` + ','.repeat(16) +
          `,0.00,0.00,,${rng.pickW(OP_HCPCS)}` + ','.repeat(44) + CRLF;
        opCount++;
      }
    }
  }

  // ---- Carrier claims, wide: up to 13 line items per row. ----
  let carRows = '';
  let carCount = 0;
  let carSeq = 0;
  const carrierClaim = (v: Visit, ys: YearState, forced?: { physician: number; lines: string[] }): void => {
    const clmId = '4' + idPrefix + seqId(carSeq++);
    const physician = forced?.physician ?? pools.physician(rng, state);
    const nLines = forced ? Math.min(CARRIER_LINE_SLOTS, forced.lines.length) : rng.pickW(CARRIER_LINES);
    const nDx = Math.min(8, 1 + Math.floor(-Math.log(1 - rng.float()) * 1.8));
    const dxCodes: string[] = [];
    for (let k = 0; k < nDx; k++) dxCodes.push(k === 0 ? (rng.chance(0.5) ? rng.pickW(OP_DX) : secondaryDx(ys)) : secondaryDx(ys));
    const early = monthOf(v.from) <= 3;
    let org = -1;
    // The ten wide column groups, each built as one comma-led string.
    let cNpi = '', cTax = '', cHcpcs = '', cPay = '', cDed = '', cPrim = '', cCoins = '', cAllowed = '', cInd = '', cDx = '';
    let sumPay = 0;
    let sumBene = 0;
    let sumPrimary = 0;
    for (let k = 0; k < nLines; k++) {
      let svc = rng.pickW(CARRIER_SERVICES);
      if (forced) svc = { hcpcs: forced.lines[k]!, fee: forced.lines[k] === '99223' ? 180 : 70, org: false };
      let prov: number;
      if (svc.org) prov = org >= 0 ? org : (org = pools.organization(rng, state));
      else prov = rng.chance(0.8) ? physician : pools.physician(rng, state);
      const allowed = svc.fee > 0 ? round10(rng.logNormal(svc.fee, 0.35)) : 0;
      const ind = rng.pickW(PROCESSING_IND);
      const ded = early && rng.chance(0.2) ? Math.min(allowed, rng.int(1, PTB_DEDUCTIBLE[yearOf(v.from)]! / 10) * 10) : 0;
      const primary = rng.chance(0.03) ? allowed : 0;
      let pay = ind === 'A' && primary === 0 ? round10((allowed - ded) * 0.8) : 0;
      if (rng.chance(0.0005)) pay = -pay;
      const coins = Math.max(0, allowed - ded - primary - Math.abs(pay));
      sumPay += pay;
      sumBene += ded + coins;
      sumPrimary += primary;
      cNpi += ',' + pools.npi(prov);
      cTax += ',' + pools.taxNum(prov);
      cHcpcs += ',' + svc.hcpcs;
      cPay += ',' + amt(pay);
      cDed += ',' + amt(ded);
      cPrim += ',' + amt(primary);
      cCoins += ',' + amt(coins);
      cAllowed += ',' + amt(allowed);
      cInd += ',' + ind;
      cDx += ',' + (rng.chance(0.7) ? dxCodes[0]! : rng.pick(dxCodes));
    }
    // Unused slots: empty codes, `0.00` amounts (spec §3.4).
    const unused = CARRIER_LINE_SLOTS - nLines;
    const emptyTail = EMPTY_SLOTS[unused]!;
    const zeroTail = ZERO_SLOTS[unused]!;
    let dx = '';
    for (let k = 0; k < 8; k++) dx += ',' + (dxCodes[k] ?? '');
    carRows +=
      `${id},${clmId},${ymd(v.from)},${ymd(v.thru)}${dx}` +
      cNpi + emptyTail + cTax + emptyTail + cHcpcs + emptyTail +
      cPay + zeroTail + cDed + zeroTail + cPrim + zeroTail + cCoins + zeroTail + cAllowed + zeroTail +
      cInd + emptyTail + cDx + emptyTail + CRLF;
    carCount++;
    addTotals(v.thru, 6, sumPay, sumBene, sumPrimary);
  };
  const carClaims: { v: Visit; y: number; forced?: { physician: number; lines: string[] } }[] = [];
  for (let y = 0; y < years.length; y++) {
    const ys = years[y]!;
    const rate = 1.7 * (1 + 0.5 * ys.nChronic) * risk;
    for (const v of visits(y, rate, 0.1, 10)) carClaims.push({ v, y });
  }
  // The attending physician bills the hospital visits of each stay on one carrier claim.
  for (const s of stays) {
    if (s.discharge < Y2008 || s.discharge - s.admit < 1) continue;
    const lines = ['99223'];
    for (let d = 1; d < s.discharge - s.admit && lines.length < 12; d++) lines.push('99232');
    lines.push('99238');
    // A physician bills no visit after the (coarsened) death date, even when the stay runs past it.
    const thru = s.deathInStay ? Math.max(s.admit, deathDt - 1) : s.discharge;
    carClaims.push({ v: { from: s.admit, thru }, y: yearIdx(thru), forced: { physician: s.attending, lines } });
  }
  carClaims.sort((a, b) => a.v.from - b.v.from || a.v.thru - b.v.thru);
  for (const c of carClaims) carrierClaim(c.v, years[c.y]!, c.forced);

  // ---- Part D fills: chronic regimens refilled on schedule, plus a few acute fills. ----
  let pdeRows = '';
  let pdeCount = 0;
  const fills: { day: number; drug: number; days: number; qty: number }[] = [];
  const nRegimens = Math.min(8, rng.poisson(0.5 + 0.45 * years[0]!.nChronic));
  const regimens = Array.from({ length: nRegimens }, () => {
    const days = rng.chance(0.75) ? 30 : rng.chance(0.8) ? 90 : rng.int(10, 60);
    return { drug: rng.int(0, 1499), days, qty: days * rng.pick([1, 1, 2, 0.5, 3]), offset: rng.int(0, days - 1) };
  });
  for (let y = 0; y < years.length; y++) {
    const ys = years[y]!;
    if (ys.partD === 0) continue;
    const start = YEAR_STARTS[y]! + (12 - ys.partD) * 30 * (rng.chance(0.5) ? 1 : 0);
    const end = Math.min(ys.end, start + ys.partD * 30.5);
    for (const r of regimens) {
      for (let d = start + r.offset; d < end; d += r.days + rng.int(-3, 8)) fills.push({ day: d, drug: r.drug, days: r.days, qty: r.qty });
    }
    const acute = rng.poisson(1.2 * (ys.partD / 12));
    for (let k = 0; k < acute; k++) {
      const days = rng.int(5, 14);
      fills.push({ day: rng.int(start, Math.max(start, Math.floor(end) - 1)), drug: 1500 + rng.int(0, 499), days, qty: days * 2 });
    }
  }
  fills.sort((a, b) => a.day - b.day || a.drug - b.drug);
  let pdeSeq = 0;
  for (const f of fills) {
    if (f.day >= lastEnd) continue;
    const pdeId = '8' + idPrefix + seqId(pdeSeq++);
    const cost = rng.chance(0.02) ? 0 : round10(rng.logNormal(drugCost(f.drug), 0.3));
    const pay = round10(rng.chance(0.3) ? 0 : rng.logNormal(12, 0.9));
    const qty = rng.chance(0.05) ? '0.000' : Number.isInteger(f.qty) ? f.qty + '.000' : f.qty.toFixed(3);
    const days = rng.chance(0.02) ? 0 : f.days;
    pdeRows += `${id},${pdeId},${ymd(f.day)},${ndc(f.drug)},${qty},${days},${amt(pay)},${amt(cost)}${CRLF}`;
    pdeCount++;
  }

  // ---- Beneficiary summaries: present up to the year of death only (spec §3.1). ----
  years.forEach((ys, y) => {
    const tot = totals[y]!;
    // The synthesis broke reconciliation with the claims for about a third of years (spec §2).
    if (rng.chance(0.36)) for (let k = 0; k < 9; k++) tot[k] = round10(tot[k]! * (0.4 + 1.2 * rng.float()));
    if (rng.chance(0.002)) tot[3] = -round10(rng.int(10, 500));
    const death = deathDay >= 0 && y === years.length - 1 ? ymd(deathDt) : '';
    let flags = '';
    for (const c of ys.chronic) flags += c ? ',1' : ',2';
    let money = '';
    for (const v of tot) money += ',' + amt(round10(v));
    sinks.beneficiary[y]!.add(
      `${id},${birth},${death},${sex},${race},${ys.esrd ? 'Y' : '0'},${stateCode},${county},${ys.hi},${ys.smi},${ys.hmo},${pad(ys.partD, 2)}` +
        flags + money + CRLF,
    );
  });
  sinks.inpatient.addBlock(ipRows, ipCount);
  sinks.outpatient.addBlock(opRows, opCount);
  sinks.carrier.addBlock(carRows, carCount);
  sinks.pde.addBlock(pdeRows, pdeCount);
}

/** A fixed catalogue of 2,000 drugs: 11-digit NDC with leading zeros (spec §3.5). */
const NDC_CACHE: string[] = [];
function ndc(drug: number): string {
  return (NDC_CACHE[drug] ??= formatNdc(drug));
}
function formatNdc(drug: number): string {
  const h = hashKeys(drug, 0x0dc);
  return NDC_LABELERS[h % NDC_LABELERS.length]! + pad(mix32(h) % 10000, 4) + pad((h >>> 12) % 100, 2);
}

function drugCost(drug: number): number {
  const h = mix32(hashKeys(drug, 0xc057));
  return 10 + (h % 1000) * (h % 7 === 0 ? 1.5 : 0.15);
}
