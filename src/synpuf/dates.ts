/**
 * Dates as day numbers (days since 1970-01-01, UTC) so stays and gaps are plain integer
 * arithmetic; formatting to CMS `YYYYMMDD` goes through a lookup table because the writer
 * formats tens of millions of dates on a 1M-beneficiary run.
 */

const MS_PER_DAY = 86_400_000;

export function dayOf(year: number, month: number, day: number): number {
  return Math.round(Date.UTC(year, month - 1, day) / MS_PER_DAY);
}

/** Table range: covers stays starting in Dec 2007 and discharges spilling into 2011. */
const FIRST = dayOf(2007, 1, 1);
const LAST = dayOf(2011, 12, 31);
const TABLE: string[] = [];
for (let d = FIRST; d <= LAST; d++) {
  const dt = new Date(d * MS_PER_DAY);
  TABLE.push(
    String(dt.getUTCFullYear()) +
      String(dt.getUTCMonth() + 1).padStart(2, '0') +
      String(dt.getUTCDate()).padStart(2, '0'),
  );
}

const YEAR_TABLE = Uint16Array.from(TABLE, (s) => Number(s.slice(0, 4)));
const MONTH_TABLE = Uint8Array.from(TABLE, (s) => Number(s.slice(4, 6)));

/** `YYYYMMDD`; falls back to Date for days outside the table (birth dates). */
export function ymd(day: number): string {
  if (day >= FIRST && day <= LAST) return TABLE[day - FIRST]!;
  const dt = new Date(day * MS_PER_DAY);
  return (
    String(dt.getUTCFullYear()) +
    String(dt.getUTCMonth() + 1).padStart(2, '0') +
    String(dt.getUTCDate()).padStart(2, '0')
  );
}

export function yearOf(day: number): number {
  if (day >= FIRST && day <= LAST) return YEAR_TABLE[day - FIRST]!;
  return new Date(day * MS_PER_DAY).getUTCFullYear();
}

export function monthOf(day: number): number {
  if (day >= FIRST && day <= LAST) return MONTH_TABLE[day - FIRST]!;
  return new Date(day * MS_PER_DAY).getUTCMonth() + 1;
}

/** First day of the month that contains `day`: CMS coarsens birth and death dates to it. */
export function firstOfMonth(day: number): number {
  const dt = new Date(day * MS_PER_DAY);
  return dayOf(dt.getUTCFullYear(), dt.getUTCMonth() + 1, 1);
}

export const Y2008 = dayOf(2008, 1, 1);
export const Y2009 = dayOf(2009, 1, 1);
export const Y2010 = dayOf(2010, 1, 1);
export const Y2011 = dayOf(2011, 1, 1);
/** Simulated time starts a month early so some stays begin in Dec 2007, as in the real files. */
export const SIM_START = dayOf(2007, 12, 1);
export const YEAR_STARTS = [Y2008, Y2009, Y2010, Y2011] as const;
