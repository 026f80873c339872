/**
 * Jinja2 globals nunjucks lacks or gets wrong (`namespace`, `dict`, `cycler`, `joiner`) and the dbt built-ins that are pure
 * functions of their arguments (`return`, `tojson`, `fromjson`, `zip`). Context-dependent dbt
 * globals (ref, config, ...) belong to the compiler, not here.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
import type nunjucks from 'nunjucks';
import { pyJsonDumps } from './json.js';
import { isPlainObject, splitArgs, tuple } from './python-values.js';
import { JinjaReturn } from './runtime-values.js';

/** `namespace()` objects: the sanctioned way to carry state out of a Jinja for loop. */
export class Namespace {
  [key: string]: unknown;
}

export function addJinjaGlobals(env: nunjucks.Environment): void {
  env.addGlobal('namespace', (...args: unknown[]) => {
    const { pos, kw } = splitArgs(args);
    const ns = new Namespace();
    for (const p of pos) if (isPlainObject(p)) Object.assign(ns, p);
    return Object.assign(ns, kw);
  });
  env.addGlobal('dict', (...args: unknown[]) => {
    const { pos, kw } = splitArgs(args);
    const d: Record<string, unknown> = {};
    for (const p of pos) {
      if (Array.isArray(p)) for (const [k, v] of p as [string, unknown][]) d[k] = v;
      else if (p && typeof p === 'object') Object.assign(d, p);
    }
    return Object.assign(d, kw);
  });
  env.addGlobal('return', (value: unknown) => {
    throw new JinjaReturn(value);
  });
  env.addGlobal('tojson', (value: unknown, ...args: unknown[]) => {
    const { pos, kw } = splitArgs(args);
    const sortKeys = pos[1] ?? kw.sort_keys;
    return pyJsonDumps(value, { sortKeys: !!sortKeys });
  });
  env.addGlobal('fromjson', (s: unknown, ...args: unknown[]) => {
    try {
      return JSON.parse(String(s));
    } catch (e) {
      const { pos, kw } = splitArgs(args);
      const def = pos[0] ?? kw.default;
      if (def !== undefined) return def;
      throw e;
    }
  });
  // nunjucks has both, but its cycler's `current` is the item last returned (Jinja2: the one next()
  // returns next) and its joiner's default separator is ',' (Jinja2: ', ').
  env.addGlobal('cycler', (...args: unknown[]) => {
    const items = splitArgs(args).pos;
    let i = 0;
    return {
      items,
      next() {
        const v = items[i];
        i = (i + 1) % Math.max(1, items.length);
        return v;
      },
      reset() {
        i = 0;
        return null;
      },
      get current() {
        return items[i];
      },
    };
  });
  env.addGlobal('joiner', (...args: unknown[]) => {
    const { pos, kw } = splitArgs(args);
    const sep = String(pos[0] ?? kw.sep ?? ', ');
    let used = false;
    return () => {
      if (used) return sep;
      used = true;
      return '';
    };
  });
  env.addGlobal('zip', (...lists: unknown[]) => {
    const arrs = lists.map((l) => Array.from(l as Iterable<unknown>));
    const n = arrs.length ? Math.min(...arrs.map((a) => a.length)) : 0;
    return Array.from({ length: n }, (_, i) => tuple(arrs.map((a) => a[i])));
  });
}

/** Tests (`x is boolean`) that Jinja2 has and nunjucks lacks. */
export function addJinjaTests(env: nunjucks.Environment): void {
  const add = (name: string, fn: (...a: any[]) => boolean) => (env as any).addTest(name, fn);
  add('none', (v) => v === null);
  add('boolean', (v) => typeof v === 'boolean');
  add('true', (v) => v === true);
  add('false', (v) => v === false);
  add('integer', (v) => typeof v === 'number' && Number.isInteger(v));
  add('float', (v) => typeof v === 'number' && !Number.isInteger(v));
  add('sequence', (v) => typeof v === 'string' || Array.isArray(v) || isPlainObject(v));
  add('in', (v, seq: any) => (typeof seq === 'string' ? seq.includes(String(v)) : Array.isArray(seq) ? seq.includes(v) : seq != null && Object.prototype.hasOwnProperty.call(seq, v)));
  // Objects that dbt exposes as mappings (its Relation) say so with `__jinjaMapping`.
  add('mapping', (v) => isPlainObject(v) || v instanceof Namespace || Boolean(v && typeof v === 'object' && (v as { __jinjaMapping?: boolean }).__jinjaMapping));
}
