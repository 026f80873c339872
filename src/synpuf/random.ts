/**
 * Seeded pseudo-random numbers. The generator must give the same bytes for the same seed on
 * every machine, so it never touches Math.random: every choice comes from an sfc32 stream.
 * Each beneficiary gets its own stream derived from (seed, sample, index), which keeps the
 * output independent of buffering and lets one person be regenerated alone when debugging.
 */

/** 32-bit integer hash (murmur3 finaliser); mixes seeds and indexes into stream keys. */
export function mix32(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Hash any number of 32-bit keys into one; order matters. */
export function hashKeys(...keys: number[]): number {
  let h = 0x9e3779b9;
  for (const k of keys) h = mix32((h ^ mix32(k >>> 0)) + 0x6a09e667);
  return h >>> 0;
}

/** A weighted choice table built once; `pick` is a binary search over cumulative weights. */
export interface Weighted<T> {
  readonly items: readonly T[];
  readonly cum: Float64Array;
}

export function weighted<T>(pairs: readonly (readonly [T, number])[]): Weighted<T> {
  const cum = new Float64Array(pairs.length);
  let total = 0;
  pairs.forEach(([, w], i) => {
    total += w;
    cum[i] = total;
  });
  for (let i = 0; i < cum.length; i++) cum[i]! /= total;
  return { items: pairs.map(([v]) => v), cum };
}

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    this.a = 0x9e3779b9;
    this.b = 0x243f6a88;
    this.c = 0xb7e15162;
    this.d = seed >>> 0;
    for (let i = 0; i < 12; i++) this.u32();
  }

  /** sfc32: small, fast, passes PractRand to 2^42 bytes; plenty for synthetic claims. */
  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.u32() / 4294967296;
  }

  /** Uniform integer in [lo, hi] inclusive. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.float() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.float() * items.length)]!;
  }

  pickW<T>(table: Weighted<T>): T {
    const u = this.float();
    const cum = table.cum;
    let lo = 0;
    let hi = cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cum[mid]! > u) hi = mid;
      else lo = mid + 1;
    }
    return table.items[lo]!;
  }

  /** Standard normal (Box-Muller, one value per call for a simple, reproducible stream). */
  normal(): number {
    const u = 1 - this.float();
    const v = this.float();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Log-normal with the given median and log-scale spread. */
  logNormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }

  /** Poisson count (Knuth for small means, normal approximation above 30). */
  poisson(mean: number): number {
    if (mean <= 0) return 0;
    if (mean > 30) return Math.max(0, Math.round(mean + Math.sqrt(mean) * this.normal()));
    const limit = Math.exp(-mean);
    let k = 0;
    let p = this.float();
    while (p > limit) {
      k++;
      p *= this.float();
    }
    return k;
  }

  /** Decimal digits with leading zeros, e.g. NPIs and NDCs. */
  digits(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += String.fromCharCode(48 + Math.floor(this.float() * 10));
    return s;
  }
}
