/**
 * Runtime helpers the patched compiler emits calls to (`runtime.jinjaAdd(...)` etc.): Python
 * operators, attribute/method lookup, loop objects, macro argument binding and error locations.
 * They are installed on nunjucks' runtime object, which every compiled template receives.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
import { MflowError } from '../../errors.js';
import { DICT_METHODS, LIST_METHODS } from './collection-methods.js';
import { isKwargs, isPlainObject, percentFormat, pyRepr, pySlice, pyStr, pyTypeName, tuple } from './python-values.js';
import { STRING_METHODS } from './string-methods.js';

const hasOwn = Object.prototype.hasOwnProperty;

/** Thrown by dbt's `return(value)`; the enclosing macro call evaluates to `value`. */
export class JinjaReturn {
  constructor(readonly value: unknown) {}
}

/** Marks a macro parameter the caller did not pass, so its default applies (an explicit None does not). */
export const MISSING: unique symbol = Symbol('jinja.missing');

/** Where a template error happened; the innermost frame wins. */
export interface JinjaLocation {
  file: string;
  line: number;
  column: number;
}
const LOC = Symbol('jinja.location');

export function errorLocation(e: unknown): JinjaLocation | undefined {
  return e !== null && typeof e === 'object' ? (e as any)[LOC] : undefined;
}

function isSuspend(e: unknown): boolean {
  return e !== null && typeof e === 'object' && !!(e as any).__mflowSuspend;
}

/**
 * Records the template position on an error on its way out of a macro or template body. Suspend
 * signals and `return()` pass unchanged; MflowErrors gain file/line only if they have none.
 */
export function locate(e: unknown, file: string | undefined, lineno: number, colno: number): unknown {
  if (e instanceof JinjaReturn || isSuspend(e)) return e;
  if (e === null || typeof e !== 'object') e = new Error(String(e));
  const err = e as any;
  const line = (lineno ?? 0) + 1;
  const column = (colno ?? 0) + 1;
  if (err instanceof MflowError) {
    if (!err.file && err.line === undefined) {
      // no file yet when the template's code was shared; renderTemplate names it
      if (file) err.file = file;
      err.line = line;
      err.column = column;
    }
    return err;
  }
  if (!err[LOC] && Object.isExtensible(err)) {
    Object.defineProperty(err, LOC, { value: { file, line, column }, enumerable: false });
  }
  return err;
}

export function suppressValue(v: unknown): unknown {
  return typeof v === 'string' ? v : pyStr(v);
}

export function concat(a: unknown, b: unknown): string {
  return (typeof a === 'string' ? a : pyStr(a)) + (typeof b === 'string' ? b : pyStr(b));
}

export function add(a: any, b: any): any {
  if (Array.isArray(a) && Array.isArray(b)) return a.concat(b);
  // Python objects with operators (datetime + timedelta).
  if (a && typeof a === 'object' && typeof a.__add__ === 'function') return a.__add__(b);
  return a + b;
}

export function sub(a: any, b: any): any {
  if (a && typeof a === 'object' && typeof a.__sub__ === 'function') return a.__sub__(b);
  return a - b;
}

export function mul(a: any, b: any): any {
  if (typeof a === 'string' && typeof b === 'number') return b > 0 ? a.repeat(b) : '';
  if (typeof b === 'string' && typeof a === 'number') return a > 0 ? b.repeat(a) : '';
  if (Array.isArray(a) && typeof b === 'number') {
    const out: unknown[] = [];
    for (let i = 0; i < b; i++) out.push(...a);
    return out;
  }
  return a * b;
}

export function mod(a: any, b: any): any {
  if (typeof a === 'string' || a instanceof String) return percentFormat(String(a), b);
  const r = a % b;
  return r !== 0 && r < 0 !== b < 0 ? r + b : r;
}

function index(len: number, key: number): number {
  return key < 0 ? key + len : key;
}

/** `obj.key` (dot form): Python methods win over same-named dict keys, as with Jinja's getattr. */
export function memberLookup(obj: any, key: any, stop?: any, step?: any): any {
  if (arguments.length === 4) return pySlice(obj, key, stop, step);
  return lookup(obj, key, true);
}

/** `obj[key]`: dict keys win over methods, as with Jinja's getitem. */
export function itemLookup(obj: any, key: any): any {
  return lookup(obj, key, false);
}

function lookup(obj: any, key: any, dot: boolean): any {
  if (obj === undefined || obj === null) return undefined;
  if (typeof obj === 'string') {
    if (typeof key === 'number') return obj[index(obj.length, key)];
    if (hasOwn.call(STRING_METHODS, key)) return STRING_METHODS[key].bind(obj);
    return (obj as any)[key];
  }
  if (Array.isArray(obj)) {
    if (typeof key === 'number') return obj[index(obj.length, key)];
    if (hasOwn.call(LIST_METHODS, key)) return LIST_METHODS[key].bind(obj);
  } else if (isPlainObject(obj) && hasOwn.call(DICT_METHODS, key) && (dot || !hasOwn.call(obj, key))) {
    return DICT_METHODS[key].bind(obj);
  }
  const v = obj[key];
  // A function that also carries attributes (Python's `datetime.datetime`, callable with
  // `.strptime`) is returned as it is: binding would drop them.
  if (typeof v === 'function' && !v.jinjaMacro) return Object.keys(v).length ? v : v.bind(obj);
  return v;
}

/** `obj.key(args)`: calls with `this` bound, without creating a bound function per call. */
export function callMember(obj: any, key: any, dot: boolean, name: string, context: unknown, args: unknown[]): unknown {
  let fn: any;
  if (obj === undefined || obj === null) {
    throw new Error(`Unable to call \`${name}\`: the object is ${obj === null ? 'None' : 'undefined'}`);
  }
  if (typeof obj === 'string') fn = hasOwn.call(STRING_METHODS, key) ? STRING_METHODS[key] : undefined;
  else if (Array.isArray(obj)) fn = hasOwn.call(LIST_METHODS, key) ? LIST_METHODS[key] : obj[key];
  else if (isPlainObject(obj) && hasOwn.call(DICT_METHODS, key) && (dot || !hasOwn.call(obj, key))) fn = DICT_METHODS[key];
  else fn = obj[key];
  if (typeof fn !== 'function') {
    throw new Error(
      fn === undefined
        ? `Unable to call \`${name}\`: ${pyTypeName(obj)} has no method '${String(key)}'`
        : `Unable to call \`${name}\`, which is not a function`,
    );
  }
  return fn.apply(obj, args);
}

export function callWrap(fn: any, name: string, context: unknown, args: unknown[]): unknown {
  if (typeof fn !== 'function') {
    throw new Error(
      fn === undefined || fn === null
        ? `\`${name}\` is undefined: no macro, global or variable of that name exists`
        : `\`${name}\` is not callable (it is a ${pyTypeName(fn)})`,
    );
  }
  return fn.apply(context, args);
}

/** What a `for` loop iterates: dicts give keys (or key/value pairs when unpacking two names). */
export function iterable(v: any, names: number): unknown[] {
  if (Array.isArray(v)) return v;
  if (v === undefined) return [];
  if (v === null) throw new Error("'NoneType' object is not iterable");
  if (typeof v === 'string') return Array.from(v);
  if (isPlainObject(v)) return names > 1 ? Object.keys(v).map((k) => tuple([k, v[k]])) : Object.keys(v);
  if (v instanceof Map) return names > 1 ? Array.from(v.entries()) : Array.from(v.keys());
  if (typeof v === 'object' && typeof v[Symbol.iterator] === 'function') return Array.from(v);
  if (typeof v === 'object') return names > 1 ? Object.keys(v).map((k) => [k, v[k]]) : Object.keys(v);
  throw new Error(`'${pyTypeName(v)}' object is not iterable`);
}

/** Jinja's `loop` variable; one object per loop, so an iteration only moves `i`. */
export class JinjaLoop {
  i = 0;
  private lastChanged?: unknown[];
  constructor(private readonly items: unknown[]) {}
  get length() { return this.items.length; }
  get index() { return this.i + 1; }
  get index0() { return this.i; }
  get revindex() { return this.items.length - this.i; }
  get revindex0() { return this.items.length - this.i - 1; }
  get first() { return this.i === 0; }
  get last() { return this.i === this.items.length - 1; }
  get previtem() { return this.i > 0 ? this.items[this.i - 1] : undefined; }
  get nextitem() { return this.i < this.items.length - 1 ? this.items[this.i + 1] : undefined; }
  cycle(...args: unknown[]) {
    if (!args.length) throw new Error('loop.cycle() needs at least one value');
    return args[this.i % args.length];
  }
  changed(...args: unknown[]) {
    const prev = this.lastChanged;
    const same = prev !== undefined && prev.length === args.length && prev.every((x, k) => x === args[k]);
    this.lastChanged = args;
    return !same;
  }
}

/** Unpacks `{% set a, b = pair %}`. */
export function unpack(v: any, n: number): unknown[] {
  const arr = typeof v === 'string' ? Array.from(v) : Array.isArray(v) ? v : Array.from(v ?? []);
  if (arr.length !== n) throw new Error(`cannot unpack ${arr.length} value(s) into ${n} name(s)`);
  return arr;
}

/** `{% set ns.attr = v %}`. */
export function setAttr(obj: any, key: string, value: unknown): void {
  if (obj === null || typeof obj !== 'object') {
    throw new Error(`cannot set attribute '${key}' on ${pyRepr(obj)}: only namespace() objects and dicts can be assigned to`);
  }
  obj[key] = value;
}

const EMPTY_TUPLE: unknown[] = Object.freeze(tuple([] as unknown[])) as unknown as unknown[];

export type MacroBody = (this: unknown, args: unknown[], varargs: unknown[], kwargs: Record<string, unknown>, caller: unknown) => unknown;

/**
 * Binds a call's positional and keyword arguments to a macro's parameters the way Jinja does:
 * surplus positionals go to `varargs`, unknown keywords to `kwargs` (an error if the macro never
 * reads them, rather than silently dropping them), and dbt's `return()` becomes the call's value.
 */
export function makeMacro(name: string, params: string[], usesVarargs: boolean, usesKwargs: boolean, body: MacroBody) {
  const n = params.length;
  const macro = function (this: unknown, ...call: unknown[]) {
    let np = call.length;
    let kw: Record<string, unknown> | undefined;
    if (np && isKwargs(call[np - 1])) {
      kw = call[np - 1] as Record<string, unknown>;
      np--;
    }
    const vals = new Array<unknown>(n);
    for (let i = 0; i < n; i++) vals[i] = i < np ? call[i] : MISSING;
    let varargs: unknown[] = EMPTY_TUPLE;
    if (np > n) {
      if (!usesVarargs) throw new Error(`macro '${name}' takes not more than ${n} argument(s), got ${np}`);
      varargs = tuple(call.slice(n, np));
    }
    const kwargs: Record<string, unknown> = {};
    let caller: unknown;
    if (kw) {
      for (const k of Object.keys(kw)) {
        if (k === '__keywords') continue;
        const i = params.indexOf(k);
        if (i >= 0) {
          if (i < np) throw new Error(`macro '${name}' got multiple values for argument '${k}'`);
          vals[i] = kw[k];
        } else if (k === 'caller') caller = kw[k];
        else if (usesKwargs) kwargs[k] = kw[k];
        else throw new Error(`macro '${name}' takes no keyword argument '${k}'`);
      }
    }
    try {
      return body.call(this, vals, varargs, kwargs, caller);
    } catch (e) {
      if (e instanceof JinjaReturn) return e.value;
      throw e;
    }
  };
  (macro as any).jinjaMacro = name;
  return macro;
}

export function makeTuple(items: unknown[]): unknown[] {
  return tuple(items);
}

/** `f(**d)`: the mapping's entries become keyword arguments. */
export function kwSplat(v: unknown): Record<string, unknown> {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw new Error(`argument after ** must be a mapping, not ${pyTypeName(v)}`);
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) if (k !== '__keywords') out[k] = (v as Record<string, unknown>)[k];
  return out;
}

/** Python `==`: lists and dicts compare by value, `'1' == 1` is false, `True == 1` is true. */
export function pyEq(a: any, b: any): boolean {
  if (a === b) return true;
  if (a == null || b == null) return a == null && b == null;
  const ta = typeof a;
  const tb = typeof b;
  if (ta === 'object' && a instanceof String) return pyEq(String(a), b);
  if (tb === 'object' && b instanceof String) return pyEq(a, String(b));
  if ((ta === 'number' || ta === 'boolean') && (tb === 'number' || tb === 'boolean')) return Number(a) === Number(b);
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => pyEq(x, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && pyEq(a[k], b[k]));
  }
  return false;
}

function compareOne(a: any, op: string, b: any): boolean {
  switch (op) {
    case '==':
    case '===':
      return pyEq(a, b);
    case '!=':
    case '!==':
      return !pyEq(a, b);
    case '<':
      return a < b;
    case '>':
      return a > b;
    case '<=':
      return a <= b;
    case '>=':
      return a >= b;
    default:
      throw new Error(`unknown comparison ${op}`);
  }
}

/** `a < b < c` means `a < b and b < c`, as in Python (JS would compare `(a < b) < c`). */
export function compareChain(values: unknown[], ops: string[]): boolean {
  for (let i = 0; i < ops.length; i++) if (!compareOne(values[i], ops[i], values[i + 1])) return false;
  return true;
}
