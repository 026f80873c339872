/**
 * Provider pools shared by all beneficiaries of one generated sample. Nothing is stored per
 * provider: an NPI, tax number or PRVDR_NUM is a pure function of (seed, pool index), so the
 * claim writer and the NPPES writer agree without a lookup table and memory stays flat.
 *
 * Index space of NPIs: [0, individuals) are physicians, [individuals, +orgs) organizations,
 * then providers that exist only in NPPES. One affine permutation of 0..10^10-1 maps an index
 * to a unique 10-digit NPI with leading zeros kept.
 */
import { hashKeys, type Rng } from './random.js';
import { SSA_STATES } from './distributions.js';

const NPI_SPACE = 1e10;
const TAX_SPACE = 1e9;

/** (a * b) mod m for a < 2^21, b < m <= 1e10, exact in doubles by splitting b. */
function mulMod(a: number, b: number, m: number): number {
  const hi = Math.floor(b / 1e5);
  const lo = b % 1e5;
  return (((a * hi) % m) * 1e5 + a * lo) % m;
}

function oddCoprimeTo10(h: number, space: number): number {
  let a = (h % (space - 1)) + 1;
  while (a % 2 === 0 || a % 5 === 0) a++;
  return a;
}

export class ProviderPools {
  readonly individuals: number;
  readonly orgs: number;
  readonly nppesOnly: number;
  readonly groups: number;
  /** Start of each state's block in the individual and organization index ranges. */
  private readonly indStart: number[] = [];
  private readonly orgStart: number[] = [];
  /** Hospitals (PRVDR_NUM) per state. */
  private readonly hospitals: number[] = [];
  private readonly npiMul: number;
  private readonly npiAdd: number;
  private readonly taxMul: number;
  private readonly taxAdd: number;

  constructor(readonly seed: number, beneficiaries: number) {
    this.individuals = Math.max(400, Math.ceil(beneficiaries / 4));
    this.orgs = Math.max(60, Math.ceil(beneficiaries / 100));
    this.nppesOnly = Math.ceil((this.individuals + this.orgs) / 10);
    this.groups = Math.max(60, Math.ceil(this.individuals / 6));
    const total = SSA_STATES.reduce((s, x) => s + x[2], 0);
    let ind = 0;
    let org = 0;
    for (const [, , w] of SSA_STATES) {
      this.indStart.push(ind);
      this.orgStart.push(org);
      ind += Math.max(1, Math.round((w / total) * this.individuals));
      org += Math.max(1, Math.round((w / total) * this.orgs));
      this.hospitals.push(Math.max(3, Math.round((w / total) * Math.max(200, beneficiaries / 250))));
    }
    this.indStart.push(ind);
    this.orgStart.push(org);
    // Rounding may change the totals: the blocks define the pools.
    this.individuals = ind;
    this.orgs = org;
    this.npiMul = oddCoprimeTo10(hashKeys(seed, 11), NPI_SPACE);
    this.npiAdd = hashKeys(seed, 12) * 2.3283064365386963e-10 * NPI_SPACE;
    this.taxMul = oddCoprimeTo10(hashKeys(seed, 13), TAX_SPACE);
    this.taxAdd = hashKeys(seed, 14) % TAX_SPACE;
  }

  npiNumber(index: number): number {
    return (mulMod(index, this.npiMul, NPI_SPACE) + Math.floor(this.npiAdd)) % NPI_SPACE;
  }

  /** Formatted NPIs and TINs are cached: a carrier claim formats several per line. The caches
   * hold at most one string per pool member, which is bounded by N / 4. */
  private readonly npiCache: string[] = [];
  private readonly taxCache: string[] = [];

  npi(index: number): string {
    return (this.npiCache[index] ??= String(this.npiNumber(index)).padStart(10, '0'));
  }

  /** State (index into SSA_STATES) of a physician or organization: its practice location. */
  stateOf(index: number): number {
    const starts = index < this.individuals ? this.indStart : this.orgStart;
    const i = index < this.individuals ? index : index - this.individuals;
    if (index >= this.individuals + this.orgs) return hashKeys(this.seed, index, 3) % (SSA_STATES.length - 1);
    let lo = 0;
    let hi = SSA_STATES.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= i) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** A physician index: in the beneficiary's state 87% of the time (spec §3.2), else anywhere. */
  physician(rng: Rng, state: number): number {
    if (rng.chance(0.87)) return rng.int(this.indStart[state]!, this.indStart[state + 1]! - 1);
    return rng.int(0, this.individuals - 1);
  }

  organization(rng: Rng, state: number): number {
    const k = rng.chance(0.87)
      ? rng.int(this.orgStart[state]!, this.orgStart[state + 1]! - 1)
      : rng.int(0, this.orgs - 1);
    return this.individuals + k;
  }

  /** 9-digit TIN of the group practice a physician bills under. */
  taxNum(physician: number): string {
    return (this.taxCache[physician] ??= this.formatTax(physician));
  }

  private formatTax(physician: number): string {
    const g = hashKeys(this.seed, physician, 5) % this.groups;
    return String((mulMod(g, this.taxMul, TAX_SPACE) + this.taxAdd) % TAX_SPACE).padStart(9, '0');
  }

  /**
   * A PRVDR_NUM: 2-char SSA state then scrambled characters in the real pattern mix
   * `9999AA` 87%, `99999A` 8%, `99A9AA` 5% (spec §3.2). Unique per (state, hospital).
   */
  prvdrNum(rng: Rng, state: number): string {
    const s = rng.chance(0.87) ? state : rng.int(0, SSA_STATES.length - 1);
    const j = rng.int(0, this.hospitals[s]! - 1);
    return prvdrCode(SSA_STATES[s]![0], hashKeys(this.seed, s, j, 7), j);
  }
}

const L = (n: number): string => String.fromCharCode(65 + (n % 26));

function prvdrCode(state: string, h: number, j: number): string {
  const kind = h % 100;
  if (kind < 87) return state + String(j % 100).padStart(2, '0') + L(Math.floor(j / 100)) + L(Math.floor(j / 2600) + (h >>> 8));
  if (kind < 95) return state + String(j % 1000).padStart(3, '0') + L(Math.floor(j / 1000));
  return state + L(j) + String(Math.floor(j / 26) % 10) + L(Math.floor(j / 260)) + L(h >>> 8);
}
