import type { Dialect } from '../contracts/adapter.js';

/**
 * Type inference as dbt does it for seeds (agate's type tester): a column gets the first of
 * integer, number, date, timestamp, boolean that every non-empty value parses as, else text.
 * Like dbt, an all-empty column is an integer and `0`/`1` are integers, not booleans. Unlike
 * agate we do it in one SQL aggregate over the staged text, so a million rows cost one scan.
 */
export type SeedKind = 'integer' | 'bigint' | 'float' | 'date' | 'timestamp' | 'timestamptz' | 'boolean' | 'string';

export interface ColumnStats {
  nonNull: number;
  notInt: number;
  notNum: number;
  notDate: number;
  notTs: number;
  notBool: number;
  withZone: number;
  minInt: bigint | number | string | null;
  maxInt: bigint | number | string | null;
}

const INT = '[+-]?[0-9]+';
const NUM = '[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?';
const DATE = '[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}';
const TS = `${DATE}[ T][0-9]{1,2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)?(Z|[+-][0-9]{2}(:?[0-9]{2})?)?`;
const ZONE = '(Z|[+-][0-9]{2}(:?[0-9]{2})?)$';

/** The value as the typed parsers see it: trimmed, with '' and 'null' meaning no value. */
export function typedValue(col: string): string {
  return `case when trim(${col}) = '' or lower(trim(${col})) = 'null' then null else trim(${col}) end`;
}

export type Check = 'int' | 'num' | 'date' | 'ts' | 'bool';
export const ALL_CHECKS: Check[] = ['int', 'num', 'date', 'ts', 'bool'];

/**
 * One aggregate over the staged text that answers, per column, which types fit every value.
 * `checks` limits the work to the types still possible for a column (a first pass over a sample
 * rules most out, so the full pass usually tests one type per column); `limit` makes that sample.
 */
export function inferenceSql(stage: string, columns: string[], d: Dialect, checks?: Check[][], limit?: number): string {
  // Every column may be typed by column_types: then only the row count is asked for.
  const inner = columns.length ? columns.map((c, i) => `${typedValue(d.quote(c))} as v_${i}`).join(', ') : '1 as mflow_one';
  const parts: string[] = ['count(*) as mflow_rows'];
  columns.forEach((_, i) => {
    const v = `v_${i}`;
    const fails = (cond: string) => `count(*) filter (where ${v} is not null and ${cond})`;
    const want = new Set(checks?.[i] ?? ALL_CHECKS);
    parts.push(`count(${v}) as nn_${i}`);
    if (want.has('int')) {
      parts.push(`${fails(`not regexp_full_match(${v}, '${INT}')`)} as ni_${i}`);
      // Only read when every value is an integer, so the cast cannot fail then.
      parts.push(`min(try_cast(${v} as hugeint))::varchar as mi_${i}`, `max(try_cast(${v} as hugeint))::varchar as ma_${i}`);
    }
    if (want.has('num')) parts.push(`${fails(`not regexp_full_match(${v}, '${NUM}')`)} as nf_${i}`);
    if (want.has('date')) parts.push(`${fails(`(try_cast(${v} as date) is null or not regexp_full_match(${v}, '${DATE}'))`)} as nd_${i}`);
    if (want.has('ts')) {
      // The zone-aware cast (ICU) is slow; most values parse without it.
      parts.push(`${fails(`(coalesce(try_cast(${v} as timestamp), try_cast(${v} as timestamptz)) is null or not regexp_full_match(${v}, '${TS}'))`)} as nt_${i}`);
      parts.push(`count(*) filter (where regexp_matches(${v}, '${ZONE}')) as nz_${i}`);
    }
    if (want.has('bool')) parts.push(`${fails(`lower(${v}) not in ('true', 'false')`)} as nb_${i}`);
  });
  return `select\n  ${parts.join(',\n  ')}\nfrom (select ${inner} from ${stage}${limit ? ` limit ${limit}` : ''}) as mflow_values`;
}

/** Checks not computed count as failed. */
export function statsOf(row: Record<string, unknown>, columns: string[]): ColumnStats[] {
  const n = (v: unknown) => (v === undefined ? Infinity : Number(v ?? 0));
  return columns.map((_, i) => ({
    nonNull: Number(row[`nn_${i}`] ?? 0),
    notInt: n(row[`ni_${i}`]),
    notNum: n(row[`nf_${i}`]),
    notDate: n(row[`nd_${i}`]),
    notTs: n(row[`nt_${i}`]),
    notBool: n(row[`nb_${i}`]),
    withZone: Number(row[`nz_${i}`] ?? 0),
    minInt: (row[`mi_${i}`] as string | null) ?? null,
    maxInt: (row[`ma_${i}`] as string | null) ?? null,
  }));
}

/** Types a column can still have after a sample, best first (a number stays the fallback of an integer). */
export function survivors(s: ColumnStats): Check[] {
  const out: Check[] = [];
  if (s.notInt === 0) out.push('int', 'num');
  else if (s.notNum === 0) out.push('num');
  if (s.notDate === 0) out.push('date');
  if (s.notTs === 0) out.push('ts');
  if (s.notBool === 0) out.push('bool');
  return out;
}

export function passed(s: ColumnStats, c: Check): boolean {
  return ({ int: s.notInt, num: s.notNum, date: s.notDate, ts: s.notTs, bool: s.notBool } as const)[c] === 0;
}

const INT32 = 2n ** 31n;
const INT64 = 2n ** 63n;

export function kindOf(s: ColumnStats): SeedKind {
  if (s.notInt === 0) {
    if (s.nonNull === 0) return 'integer';
    const lo = BigInt(String(s.minInt));
    const hi = BigInt(String(s.maxInt));
    if (lo >= -INT32 && hi < INT32) return 'integer';
    if (lo >= -INT64 && hi < INT64) return 'bigint';
    return 'float';
  }
  if (s.notNum === 0) return 'float';
  if (s.notDate === 0) return 'date';
  if (s.notTs === 0) return s.withZone > 0 ? 'timestamptz' : 'timestamp';
  if (s.notBool === 0) return 'boolean';
  return 'string';
}

export function typeNameOf(kind: SeedKind, d: Dialect): string {
  return d.typeName(kind);
}

/** SQL turning the staged text of a column into its type; only values the inference accepted reach it. */
export function castExpr(col: string, kind: SeedKind, typeName: string): string {
  if (kind === 'string') return col;
  if (kind === 'boolean') return `case lower(trim(${col})) when 'true' then true when 'false' then false end`;
  return `cast(${typedValue(col)} as ${typeName})`;
}
