/**
 * DuckDB values → Snowflake's JSON result encoding (rowtype + string rowset), the only format the
 * Node driver reads. See /work/shared/specs/snowflake-protocol.md section 5.4.
 */
import type { DuckDBType } from '@duckdb/node-api';

export interface RowType {
  name: string;
  database: string;
  schema: string;
  table: string;
  type: string;
  precision: number | null;
  scale: number | null;
  nullable: boolean;
  byteLength: number | null;
  length: number | null;
  collation: null;
}

function col(name: string, type: string, extra: Partial<RowType> = {}): RowType {
  return { name, database: '', schema: '', table: '', type, precision: null, scale: null, nullable: true, byteLength: null, length: null, collation: null, ...extra };
}

export function textColumn(name: string): RowType {
  return col(name, 'text', { length: 16777216, byteLength: 16777216 });
}

export function fixedColumn(name: string): RowType {
  return col(name, 'fixed', { precision: 38, scale: 0 });
}

/** Snowflake rowtype for a DuckDB column type. */
export function rowTypeFor(name: string, t: DuckDBType): RowType {
  const s = t.toString();
  if (t.alias === 'JSON' || s === 'JSON') return col(name, 'variant');
  if (/^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT)$/.test(s)) return fixedColumn(name);
  const dec = /^DECIMAL\((\d+),(\d+)\)$/.exec(s);
  if (dec) return col(name, 'fixed', { precision: Number(dec[1]), scale: Number(dec[2]) });
  if (s === 'FLOAT' || s === 'DOUBLE') return col(name, 'real');
  if (s === 'BOOLEAN') return col(name, 'boolean');
  if (s === 'DATE') return col(name, 'date');
  if (s === 'TIME') return col(name, 'time', { scale: 9 });
  if (s === 'TIMESTAMP WITH TIME ZONE') return col(name, 'timestamp_tz', { scale: 9 });
  if (s.startsWith('TIMESTAMP')) return col(name, 'timestamp_ntz', { scale: 9 });
  if (s === 'BLOB') return col(name, 'binary', { length: 8388608, byteLength: 8388608 });
  if (s.endsWith('[]') || s.startsWith('STRUCT') || s.startsWith('MAP')) return col(name, s.endsWith('[]') ? 'array' : 'object');
  return textColumn(name);
}

function epochFromMicros(micros: bigint): string {
  const neg = micros < 0n;
  const abs = neg ? -micros : micros;
  const secs = abs / 1_000_000n;
  const frac = (abs % 1_000_000n).toString().padStart(6, '0') + '000';
  if (!neg) return `${secs}.${frac}`;
  // Negative epochs: Snowflake writes -secs.frac as a plain decimal number.
  const total = Number(-micros) / 1e6;
  return `-${total.toFixed(9)}`;
}

function jsonable(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return Number(v);
  if (Array.isArray(v)) return v.map(jsonable);
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if ('items' in o && Array.isArray(o.items)) return (o.items as unknown[]).map(jsonable);
    if ('entries' in o && typeof o.entries === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(o.entries as Record<string, unknown>)) out[k] = jsonable(x);
      return out;
    }
    return String(v);
  }
  return v;
}

/** One DuckDB value as the string Snowflake would put in the rowset. */
export function encodeValue(v: unknown, rt: RowType): string | null {
  if (v === null || v === undefined) return null;
  switch (rt.type) {
    case 'boolean':
      return v ? '1' : '0';
    case 'date':
      return String((v as { days: number }).days);
    case 'time': {
      const m = (v as { micros: bigint }).micros;
      return `${m / 1_000_000n}.${(m % 1_000_000n).toString().padStart(6, '0')}000`;
    }
    case 'timestamp_ntz':
      return epochFromMicros((v as { micros: bigint }).micros);
    case 'timestamp_tz':
      // DuckDB stores instants in UTC; offset index 1440 means +00:00.
      return `${epochFromMicros((v as { micros: bigint }).micros)} 1440`;
    case 'binary':
      return Buffer.from((v as { bytes: Uint8Array }).bytes).toString('hex').toUpperCase();
    case 'variant':
      return typeof v === 'string' ? v : JSON.stringify(jsonable(v));
    case 'array':
    case 'object':
      return JSON.stringify(jsonable(v));
    case 'real':
      return String(v);
    default:
      return typeof v === 'object' ? String(v) : String(v);
  }
}
