/**
 * Python `dict` and `list` methods on plain JS objects and arrays (`d.items()`, `l.append(x)`).
 * Only plain objects get dict methods: objects the host exposes (dbt's `config`, `adapter`) keep
 * their own methods of the same name.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
import { isKwargs, pyRepr, splitArgs, tuple } from './python-values.js';

type Dict = Record<string, any>;

function mergeInto(target: Dict, args: unknown[]): void {
  for (const a of args) {
    if (a == null) continue;
    if (Array.isArray(a)) for (const [k, v] of a as [string, unknown][]) target[k] = v;
    else for (const k of Object.keys(a as Dict)) if (!(isKwargs(a) && k === '__keywords')) target[k] = (a as Dict)[k];
  }
}

export const DICT_METHODS: Record<string, (this: Dict, ...args: any[]) => unknown> = {
  items() { return Object.keys(this).map((k) => tuple([k, this[k]])); },
  keys() { return Object.keys(this); },
  values() { return Object.keys(this).map((k) => this[k]); },
  get(key: string, def?: unknown) {
    return Object.prototype.hasOwnProperty.call(this, key) ? this[key] : def === undefined ? null : def;
  },
  update(...args: unknown[]) { mergeInto(this, args); return null; },
  pop(key: string, ...rest: unknown[]) {
    if (Object.prototype.hasOwnProperty.call(this, key)) {
      const v = this[key];
      delete this[key];
      return v;
    }
    if (rest.length) return rest[0];
    throw new Error(`KeyError: ${pyRepr(key)}`);
  },
  setdefault(key: string, def: unknown = null) {
    if (!Object.prototype.hasOwnProperty.call(this, key)) this[key] = def;
    return this[key];
  },
  copy() { return { ...this }; },
  has_key(key: string) { return Object.prototype.hasOwnProperty.call(this, key); },
  clear() { for (const k of Object.keys(this)) delete this[k]; return null; },
};
DICT_METHODS.iteritems = DICT_METHODS.items;
DICT_METHODS.iterkeys = DICT_METHODS.keys;
DICT_METHODS.itervalues = DICT_METHODS.values;

export const LIST_METHODS: Record<string, (this: any[], ...args: any[]) => unknown> = {
  append(x: unknown) { this.push(x); return null; },
  extend(xs: unknown) { for (const x of Array.from(xs as Iterable<unknown>)) this.push(x); return null; },
  pop(i?: unknown) {
    if (!this.length) throw new Error('pop from empty list');
    if (i == null) return this.pop();
    let idx = Number(i);
    if (idx < 0) idx += this.length;
    if (idx < 0 || idx >= this.length) throw new Error('pop index out of range');
    return this.splice(idx, 1)[0];
  },
  insert(i: unknown, x: unknown) {
    let idx = Number(i);
    if (idx < 0) idx = Math.max(0, idx + this.length);
    this.splice(idx, 0, x);
    return null;
  },
  remove(x: unknown) {
    const i = this.indexOf(x);
    if (i < 0) throw new Error('list.remove(x): x not in list');
    this.splice(i, 1);
    return null;
  },
  index(x: unknown) {
    const i = this.indexOf(x);
    if (i < 0) throw new Error(`${pyRepr(x)} is not in list`);
    return i;
  },
  count(x: unknown) { return this.filter((y) => y === x).length; },
  reverse() { this.reverse(); return null; },
  sort(...args: unknown[]) {
    const { kw } = splitArgs(args);
    this.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    if (kw.reverse) this.reverse();
    return null;
  },
  copy() { return this.slice(); },
  clear() { this.length = 0; return null; },
};
