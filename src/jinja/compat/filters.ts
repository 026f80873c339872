/**
 * Jinja2 and dbt filters that nunjucks lacks or implements without keyword arguments:
 * `tojson`, `map`, `unique`, `min`, `max`, `format`, `list`, `string`, `items`, `select`,
 * `reject`, `selectattr`/`rejectattr` with tests, `join`/`sum` with `attribute=`, `attr`,
 * and dbt's `as_text`, `as_bool`, `as_number`, `as_native`.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
import type nunjucks from 'nunjucks';
import { pyJsonDumps } from './json.js';
import { isKwargs, isPlainObject, percentFormat, pyRepr, pyStr, pyTruthy, splitArgs, tuple } from './python-values.js';

/** `attribute='a.b'` and `attribute=0` as Jinja resolves them. */
function attrGetter(attr: unknown, def?: unknown): (x: any) => unknown {
  const parts = typeof attr === 'number' ? [attr] : String(attr).split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  return (x) => {
    let v = x;
    for (const p of parts) v = v == null ? undefined : v[p as any];
    return v === undefined ? def : v;
  };
}

function toList(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (v == null) return [];
  if (typeof v === 'string') return Array.from(v);
  if (isPlainObject(v)) return Object.keys(v);
  if (typeof (v as any)[Symbol.iterator] === 'function') return Array.from(v as Iterable<unknown>);
  throw new Error(`cannot convert ${pyRepr(v)} to a list`);
}

function cmpKey(caseSensitive: boolean) {
  return (v: unknown) => (!caseSensitive && typeof v === 'string' ? v.toLowerCase() : v);
}

function runTest(env: nunjucks.Environment, ctx: unknown, name: unknown, value: unknown, args: unknown[]): boolean {
  if (name === undefined) return pyTruthy(value);
  const test = (env as any).getTest(String(name));
  return test.call(ctx, value, ...args) === true;
}

function selector(env: nunjucks.Environment, keep: boolean, byAttr: boolean) {
  return function (this: unknown, seq: unknown, ...args: unknown[]) {
    const { pos } = splitArgs(args);
    const get = byAttr ? attrGetter(pos.shift()) : (x: unknown) => x;
    const test = pos.shift();
    return toList(seq).filter((item) => runTest(env, this, test, get(item), pos) === keep);
  };
}

function pick(seq: unknown, args: unknown[], max: boolean): unknown {
  const { kw } = splitArgs(args);
  const items = toList(seq);
  if (!items.length) return undefined;
  const get = kw.attribute !== undefined ? attrGetter(kw.attribute) : (x: unknown) => x;
  const key = cmpKey(!!kw.case_sensitive);
  let best = items[0];
  for (const it of items.slice(1)) {
    const a = key(get(it)) as any;
    const b = key(get(best)) as any;
    if (max ? a > b : a < b) best = it;
  }
  return best;
}

function asNative(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  const s = v.trim();
  if (/^[-+]?\d+$/.test(s)) return parseInt(s, 10);
  if (/^[-+]?(\d+\.\d*|\.\d+|\d+)([eE][-+]?\d+)?$/.test(s)) return parseFloat(s);
  if (s === 'True') return true;
  if (s === 'False') return false;
  if (s === 'None') return null;
  if (/^[[{]/.test(s)) {
    try {
      return JSON.parse(s.replace(/'/g, '"').replace(/\bTrue\b/g, 'true').replace(/\bFalse\b/g, 'false').replace(/\bNone\b/g, 'null'));
    } catch {
      return v;
    }
  }
  return v;
}

export function addJinjaFilters(env: nunjucks.Environment): void {
  const add = (name: string, fn: (...args: any[]) => unknown) => env.addFilter(name, fn);

  add('tojson', (v: unknown, ...args: unknown[]) => {
    const { pos, kw } = splitArgs(args);
    const indent = (pos[0] ?? kw.indent) as number | undefined;
    return pyJsonDumps(v, { sortKeys: true, indent: indent ?? null, htmlSafe: true });
  });
  add('as_text', (v: unknown) => pyStr(v));
  add('as_bool', (v: unknown) => {
    const n = asNative(v);
    if (typeof n !== 'boolean') throw new Error(`as_bool: expected a boolean, got ${pyRepr(v)}`);
    return n;
  });
  add('as_number', (v: unknown) => {
    const n = asNative(v);
    if (typeof n !== 'number') throw new Error(`as_number: expected a number, got ${pyRepr(v)}`);
    return n;
  });
  add('as_native', asNative);

  add('map', function (this: unknown, seq: unknown, ...args: unknown[]) {
    const { pos, kw } = splitArgs(args);
    if (kw.attribute !== undefined) return toList(seq).map(attrGetter(kw.attribute, kw.default));
    if (!pos.length) throw new Error("map: give a filter name or attribute='...'");
    const [name, ...rest] = pos;
    const f = (env as any).getFilter(String(name));
    return toList(seq).map((x) => f.call(this, x, ...rest));
  });
  add('unique', (seq: unknown, ...args: unknown[]) => {
    const { kw } = splitArgs(args);
    const get = kw.attribute !== undefined ? attrGetter(kw.attribute) : (x: unknown) => x;
    const key = cmpKey(!!kw.case_sensitive);
    const seen = new Set<unknown>();
    const out: unknown[] = [];
    for (const it of toList(seq)) {
      const k = key(get(it));
      if (!seen.has(k)) {
        seen.add(k);
        out.push(it);
      }
    }
    return out;
  });
  add('min', (seq: unknown, ...args: unknown[]) => pick(seq, args, false));
  add('max', (seq: unknown, ...args: unknown[]) => pick(seq, args, true));
  add('format', (fmt: unknown, ...args: unknown[]) => {
    const { pos, kw } = splitArgs(args);
    return percentFormat(String(fmt), Object.keys(kw).length ? kw : pos);
  });
  add('int', (v: unknown, ...args: unknown[]) => {
    const { pos, kw } = splitArgs(args);
    const def = (pos[0] ?? kw.default ?? 0) as number;
    const base = Number(pos[1] ?? kw.base ?? 10);
    if (typeof v === 'number') return Number.isFinite(v) ? Math.trunc(v) : def;
    if (typeof v === 'boolean') return Number(v);
    if (typeof v === 'string' || v instanceof String) {
      const s = String(v).trim().replace(/_/g, '');
      if (base === 10 && /^[-+]?\d+$/.test(s)) return parseInt(s, 10);
      if (base !== 10 && s && !Number.isNaN(parseInt(s, base))) return parseInt(s, base);
      const f = Number(s);
      return s !== '' && Number.isFinite(f) ? Math.trunc(f) : def;
    }
    return def;
  });
  add('float', (v: unknown, ...args: unknown[]) => {
    const { pos, kw } = splitArgs(args);
    const def = (pos[0] ?? kw.default ?? 0) as number;
    if (typeof v === 'number') return v;
    if (typeof v === 'boolean') return Number(v);
    const s = typeof v === 'string' || v instanceof String ? String(v).trim() : '';
    const f = Number(s);
    return s !== '' && !Number.isNaN(f) ? f : def;
  });
  add('trim', (v: unknown, chars?: unknown) => {
    const s = pyStr(v);
    if (chars == null || isKwargs(chars)) return s.trim();
    const set = String(chars);
    let a = 0;
    let b = s.length;
    while (a < b && set.includes(s[a])) a++;
    while (b > a && set.includes(s[b - 1])) b--;
    return s.slice(a, b);
  });
  // Jinja's groupby: (grouper, list) tuples sorted by key, also readable as .grouper / .list
  add('groupby', (seq: unknown, ...args: unknown[]) => {
    const { pos, kw } = splitArgs(args);
    const get = attrGetter(pos[0] ?? kw.attribute, pos[1] ?? kw.default);
    const groups = new Map<unknown, unknown[]>();
    for (const it of toList(seq)) {
      const k = get(it);
      if (!groups.has(k)) groups.set(k, []);
      groups.get(k)!.push(it);
    }
    const keys = [...groups.keys()].sort((a: any, b: any) => (a < b ? -1 : a > b ? 1 : 0));
    return keys.map((k) => Object.assign(tuple([k, groups.get(k)!]), { grouper: k, list: groups.get(k)! }));
  });
  add('count', (env as any).getFilter('length'));
  add('list', (v: unknown) => toList(v).slice());
  add('string', (v: unknown) => pyStr(v));
  add('items', (v: unknown) => (v == null ? [] : Object.keys(v as object).map((k) => tuple([k, (v as any)[k]]))));
  add('attr', (v: any, name: unknown) => (v == null ? undefined : v[String(name)]));
  add('select', selector(env, true, false));
  add('reject', selector(env, false, false));
  add('selectattr', selector(env, true, true));
  add('rejectattr', selector(env, false, true));
  add('join', (seq: unknown, ...args: unknown[]) => {
    const { pos, kw } = splitArgs(args);
    const d = (pos[0] ?? kw.d ?? '') as string;
    const attr = pos[1] ?? kw.attribute;
    const items = toList(seq);
    return (attr !== undefined ? items.map(attrGetter(attr)) : items).map(pyStr).join(d);
  });
  add('sum', (seq: unknown, ...args: unknown[]) => {
    const { pos, kw } = splitArgs(args);
    const attr = pos[0] ?? kw.attribute;
    const start = (pos[1] ?? kw.start ?? 0) as number;
    const items = toList(seq);
    return (attr !== undefined ? items.map(attrGetter(attr)) : items).reduce((a: any, b: any) => a + b, start);
  });
}
