/**
 * JSON output as Python's json.dumps writes it (`{"a": 1, "b": [1, 2]}` with spaces after `,` and
 * `:`), which is what dbt projects compare against in tests and put into SQL comments.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
import { isKwargs } from './python-values.js';

export interface DumpOptions {
  sortKeys?: boolean;
  indent?: number | null;
  /** Jinja's `|tojson` escapes `< > & '` so the result is safe inside HTML. */
  htmlSafe?: boolean;
}

export function pyJsonDumps(value: unknown, opts: DumpOptions = {}): string {
  const indent = opts.indent ?? null;
  const out = dump(value, opts, indent, 0);
  return opts.htmlSafe ? out.replace(/[<>&']/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0')) : out;
}

function dump(v: any, opts: DumpOptions, indent: number | null, depth: number): string {
  if (v === undefined || v === null) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
  if (typeof v === 'string' || v instanceof String) return JSON.stringify(String(v)).replace(/[\u007f-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Date) return JSON.stringify(v.toISOString());
  const nl = indent === null ? '' : '\n' + ' '.repeat(indent * (depth + 1));
  const end = indent === null ? '' : '\n' + ' '.repeat(indent * depth);
  const sep = indent === null ? ', ' : ',';
  if (Array.isArray(v) || v instanceof Set) {
    const items = Array.from(v as Iterable<unknown>);
    if (!items.length) return '[]';
    return '[' + items.map((x) => nl + dump(x, opts, indent, depth + 1)).join(sep) + end + ']';
  }
  if (typeof v === 'object') {
    if (typeof v.toJSON === 'function') return dump(v.toJSON(), opts, indent, depth);
    let keys = Object.keys(v).filter((k) => !(k === '__keywords' && isKwargs(v)) && v[k] !== undefined && typeof v[k] !== 'function');
    if (opts.sortKeys) keys = keys.sort();
    if (!keys.length) return '{}';
    return '{' + keys.map((k) => nl + JSON.stringify(k) + ': ' + dump(v[k], opts, indent, depth + 1)).join(sep) + end + '}';
  }
  throw new Error(`Object of type ${typeof v} is not JSON serializable`);
}
