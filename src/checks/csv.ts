import { createReadStream, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { MflowError } from '../errors.js';

/**
 * Streams the rows of a DE-SynPUF CSV as objects keyed by header name. The check reads the files
 * with nothing but Node (no DuckDB, no ingestion code), so that it cannot share a bug with the
 * pipeline it checks. SynPUF data rows are unquoted; the header is quoted.
 */
export async function* readRows(path: string): AsyncGenerator<Record<string, string>> {
  const rl = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  let header: string[] | null = null;
  for await (const raw of rl) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line === '') continue;
    const cells = line.split(',');
    if (!header) {
      header = cells.map((c) => c.replace(/^"|"$/g, ''));
      continue;
    }
    const row: Record<string, string> = {};
    for (let i = 0; i < header.length; i++) row[header[i]] = cells[i] ?? '';
    yield row;
  }
}

/** Files in dir whose name matches re, sorted; an empty match is an error (a typo'd folder would pass vacuously). */
export function filesMatching(dir: string, re: RegExp): string[] {
  const out = readdirSync(dir).filter((f) => re.test(f)).sort().map((f) => join(dir, f));
  if (out.length === 0) throw new MflowError('CHECK', `no file in ${dir} matches ${re}`, { file: dir, hint: 'generate the data first (mflow generate synpuf) or pass the folder that holds it' });
  return out;
}

/** '4000.00' / '-10.5' / '' -> integer cents, so sums are exact. */
export function cents(v: string | undefined): number {
  const s = (v ?? '').trim();
  if (s === '') return 0;
  const neg = s.startsWith('-');
  const [whole, frac = ''] = (neg ? s.slice(1) : s).split('.');
  const c = Number(whole || '0') * 100 + Number((frac + '00').slice(0, 2));
  return neg ? -c : c;
}

/** 'YYYYMMDD' -> days since 1970-01-01, or null when empty or invalid. */
export function dayNumber(v: string | undefined): number | null {
  const s = (v ?? '').trim();
  if (!/^\d{8}$/.test(s)) return null;
  const t = Date.UTC(Number(s.slice(0, 4)), Number(s.slice(4, 6)) - 1, Number(s.slice(6, 8)));
  return Number.isNaN(t) ? null : t / 86_400_000;
}

export function yearOf(day: number): number {
  return new Date(day * 86_400_000).getUTCFullYear();
}

/** First day of the month of a day number. */
export function monthStart(day: number): number {
  const d = new Date(day * 86_400_000);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1) / 86_400_000;
}
