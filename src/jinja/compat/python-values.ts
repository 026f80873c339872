/**
 * Python value semantics that Jinja templates rely on: how values print (`True`, `None`,
 * `['a', 'b']`), `%`-formatting, `str.format`, slicing and keyword-argument objects. Kept free of
 * nunjucks so it can be unit tested and reused by filters, string methods and the runtime.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */

/** nunjucks passes keyword arguments as one trailing object tagged with `__keywords`. */
export function isKwargs(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && Object.prototype.hasOwnProperty.call(v, '__keywords');
}

/** Split a call's arguments into positional values and a plain kwargs object (tag removed). */
export function splitArgs(args: unknown[]): { pos: unknown[]; kw: Record<string, unknown> } {
  const last = args[args.length - 1];
  if (args.length && isKwargs(last)) {
    const kw: Record<string, unknown> = {};
    for (const k of Object.keys(last)) if (k !== '__keywords') kw[k] = last[k];
    return { pos: args.slice(0, -1), kw };
  }
  return { pos: args, kw: {} };
}

export function isPlainObject(v: unknown): v is Record<string, any> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const p = Object.getPrototypeOf(v);
  return p === Object.prototype || p === null;
}

const TUPLE = Symbol.for('mflow.jinja.tuple');

/** Marks an array as a Python tuple, so it prints `(1, 2)` like Jinja does. */
export function tuple<T extends unknown[]>(arr: T): T {
  Object.defineProperty(arr, TUPLE, { value: true, enumerable: false });
  return arr;
}

export function isTuple(v: unknown): boolean {
  return Array.isArray(v) && (v as any)[TUPLE] === true;
}

/** nunjucks' SafeString: an object whose `val` holds the string. */
function safeStringValue(v: any): string | undefined {
  return v instanceof String ? String(v) : undefined;
}

function reprString(s: string): string {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = '';
  for (const ch of s) {
    if (ch === '\\') out += '\\\\';
    else if (ch === q) out += '\\' + q;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else out += ch;
  }
  return q + out + q;
}

/** Python `repr()`. */
export function pyRepr(v: unknown): string {
  if (typeof v === 'string') return reprString(v);
  const s = safeStringValue(v);
  if (s !== undefined) return reprString(s);
  if (Array.isArray(v)) {
    if (isTuple(v)) return v.length === 1 ? `(${pyRepr(v[0])},)` : '(' + v.map(pyRepr).join(', ') + ')';
    return '[' + v.map(pyRepr).join(', ') + ']';
  }
  if (isPlainObject(v)) {
    return '{' + Object.keys(v).filter((k) => k !== '__keywords').map((k) => `${reprString(k)}: ${pyRepr(v[k])}`).join(', ') + '}';
  }
  return pyStr(v);
}

/** Python `str()`, which is also what `{{ value }}` prints in Jinja. */
export function pyStr(v: unknown): string {
  switch (typeof v) {
    case 'string':
      return v;
    case 'number':
      return numStr(v);
    case 'boolean':
      return v ? 'True' : 'False';
    case 'undefined':
      return '';
    case 'object':
      if (v === null) return 'None';
      if (v instanceof String) return String(v);
      if (Array.isArray(v) || isPlainObject(v)) return pyRepr(v);
      return String(v);
    default:
      return String(v);
  }
}

function numStr(n: number): string {
  if (n === Infinity) return 'inf';
  if (n === -Infinity) return '-inf';
  if (Number.isNaN(n)) return 'nan';
  return String(n);
}

/** Python truthiness: empty lists and dicts are false (JS says true). */
export function pyTruthy(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (isPlainObject(v)) return Object.keys(v).length > 0;
  if (v instanceof String) return v.length > 0;
  return !!v;
}

/** Python slice semantics for lists and strings (`x[1:]`, `x[:-1]`, `x[::-1]`). */
export function pySlice(obj: unknown, start: number | null, stop: number | null, step: number | null): unknown {
  const isStr = typeof obj === 'string' || obj instanceof String;
  const seq: any = isStr ? String(obj) : Array.isArray(obj) ? obj : obj == null ? [] : Array.from(obj as Iterable<unknown>);
  const len: number = seq.length;
  const st = step == null ? 1 : step;
  if (st === 0) throw new Error('slice step cannot be zero');
  const norm = (v: number | null, def: number, lo: number, hi: number) => {
    if (v == null) return def;
    let x = v < 0 ? v + len : v;
    if (x < lo) x = lo;
    if (x > hi) x = hi;
    return x;
  };
  const out: unknown[] = [];
  if (st > 0) {
    const a = norm(start, 0, 0, len);
    const b = norm(stop, len, 0, len);
    for (let i = a; i < b; i += st) out.push(seq[i]);
  } else {
    const a = norm(start, len - 1, -1, len - 1);
    const b = norm(stop, -1, -1, len - 1);
    for (let i = a; i > b; i += st) out.push(seq[i]);
  }
  return isStr ? out.join('') : out;
}

/** Python `%` string formatting: `"%s-%d" % (a, b)`, `"%(name)s" % d`. */
export function percentFormat(fmt: string, arg: unknown): string {
  const re = /%(?:\(([^)]*)\))?([#0\- +]*)(\*|\d+)?(?:\.(\*|\d+))?([diouxXeEfFgGcrsa%])/g;
  const tuple = Array.isArray(arg) ? arg : null;
  const mapping = !tuple && isPlainObject(arg) ? arg : null;
  let idx = 0;
  const next = () => {
    if (tuple) {
      if (idx >= tuple.length) throw new Error('not enough arguments for format string');
      return tuple[idx++];
    }
    if (idx++ > 0) throw new Error('not enough arguments for format string');
    return arg;
  };
  const out = fmt.replace(re, (_m, key: string | undefined, flags: string, width: string | undefined, prec: string | undefined, type: string) => {
    if (type === '%') return '%';
    const w = width === '*' ? Number(next()) : width ? Number(width) : undefined;
    const p = prec === '*' ? Number(next()) : prec !== undefined ? Number(prec) : undefined;
    const v = key !== undefined ? (mapping ?? {})[key] : next();
    return applySpec(v, type, flags, w, p);
  });
  if (tuple && idx < tuple.length) throw new Error('not all arguments converted during string formatting');
  return out;
}

function applySpec(v: unknown, type: string, flags: string, width: number | undefined, prec: number | undefined): string {
  let s: string;
  let numeric = false;
  switch (type) {
    case 's':
      s = pyStr(v);
      if (prec !== undefined) s = s.slice(0, prec);
      break;
    case 'r':
    case 'a':
      s = pyRepr(v);
      break;
    case 'c':
      s = typeof v === 'number' ? String.fromCharCode(v) : pyStr(v);
      break;
    default: {
      numeric = true;
      const n = toNumber(v, type);
      s = formatNumber(n, type, prec, flags.includes('#'));
      if (flags.includes('+') && n >= 0) s = '+' + s;
      else if (flags.includes(' ') && n >= 0) s = ' ' + s;
    }
  }
  if (width !== undefined && s.length < width) {
    if (flags.includes('-')) s = s.padEnd(width);
    else if (numeric && flags.includes('0')) {
      const sign = /^[+\- ]/.test(s) ? s[0] : '';
      s = sign + s.slice(sign.length).padStart(width - sign.length, '0');
    } else s = s.padStart(width);
  }
  return s;
}

function toNumber(v: unknown, type: string): number {
  const n = typeof v === 'number' ? v : typeof v === 'boolean' ? Number(v) : NaN;
  if (Number.isNaN(n) && !(typeof v === 'number')) {
    throw new Error(`%${type} format: a real number is required, not ${pyTypeName(v)}`);
  }
  return n;
}

export function pyTypeName(v: unknown): string {
  if (v === null || v === undefined) return 'NoneType';
  if (typeof v === 'string') return 'str';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (Array.isArray(v)) return 'list';
  if (isPlainObject(v)) return 'dict';
  return typeof v;
}

function formatNumber(n: number, type: string, prec: number | undefined, alt: boolean): string {
  switch (type) {
    case 'd':
    case 'i':
    case 'u':
      return String(Math.trunc(n));
    case 'x':
      return (alt ? '0x' : '') + Math.trunc(n).toString(16);
    case 'X':
      return (alt ? '0X' : '') + Math.trunc(n).toString(16).toUpperCase();
    case 'o':
      return (alt ? '0o' : '') + Math.trunc(n).toString(8);
    case 'e':
    case 'E': {
      const s = n.toExponential(prec ?? 6).replace(/e([+-])(\d)$/, 'e$10$2');
      return type === 'E' ? s.toUpperCase() : s;
    }
    case 'f':
    case 'F':
      return n.toFixed(prec ?? 6);
    case 'g':
    case 'G': {
      const s = String(Number(n.toPrecision(prec === 0 ? 1 : prec ?? 6)));
      return type === 'G' ? s.toUpperCase() : s;
    }
    case '%':
      return n.toFixed(prec ?? 6) + '%';
    default:
      return String(n);
  }
}

/** Python's format-spec mini language for `str.format` / `format()`: `[[fill]align][sign][#][0][width][,][.prec][type]`. */
export function formatSpec(v: unknown, spec: string): string {
  if (!spec) return pyStr(v);
  const m = /^(?:(.)?([<>=^]))?([+\- ])?(#)?(0)?(\d+)?([,_])?(?:\.(\d+))?([bcdeEfFgGnosxX%])?$/.exec(spec);
  if (!m) throw new Error(`invalid format specifier '${spec}'`);
  const [, fillCh, align, sign, alt, zero, widthS, group, precS, type] = m;
  const width = widthS ? Number(widthS) : 0;
  const prec = precS !== undefined ? Number(precS) : undefined;
  let s: string;
  const isNum = typeof v === 'number' || typeof v === 'boolean';
  if (type === 's' || (!type && !isNum)) {
    s = pyStr(v);
    if (prec !== undefined) s = s.slice(0, prec);
  } else {
    const n = toNumber(v, type ?? 'd');
    let t = type ?? (Number.isInteger(n) ? 'd' : 'g');
    if (t === 'n') t = 'g';
    if (t === 'b') s = Math.trunc(Math.abs(n)).toString(2);
    else if (t === '%') s = (Math.abs(n) * 100).toFixed(prec ?? 6) + '%';
    else if (!type && prec === undefined) s = numStr(Math.abs(n));
    else s = formatNumber(Math.abs(n), t, prec, !!alt);
    if (group) {
      const [ip, fp] = s.split('.');
      s = ip.replace(/\B(?=(\d{3})+(?!\d))/g, group) + (fp !== undefined ? '.' + fp : '');
    }
    const sg = n < 0 || Object.is(n, -0) ? '-' : sign === '+' ? '+' : sign === ' ' ? ' ' : '';
    if (zero && !align && width > s.length + sg.length) s = s.padStart(width - sg.length, '0');
    s = sg + s;
  }
  const fill = fillCh ?? ' ';
  const al = align ?? (isNum && type !== 's' ? '>' : '<');
  if (s.length < width) {
    const pad = width - s.length;
    if (al === '<') s = s + fill.repeat(pad);
    else if (al === '>') s = fill.repeat(pad) + s;
    else if (al === '^') s = fill.repeat(Math.floor(pad / 2)) + s + fill.repeat(Math.ceil(pad / 2));
    else {
      const sg = /^[+\- ]/.test(s) ? s[0] : '';
      s = sg + fill.repeat(pad) + s.slice(sg.length);
    }
  }
  return s;
}

/** Python `str.format`: `'{} {name}'.format(1, name=2)`, `{0[key]}`, `{x.attr}`, `{:>8.2f}`, `{{` `}}`. */
export function strFormat(fmt: string, pos: unknown[], kw: Record<string, unknown>): string {
  let auto = 0;
  return fmt.replace(/\{\{|\}\}|\{([^{}:!]*)(?:!([rsa]))?(?::([^{}]*))?\}/g, (m, field: string | undefined, conv: string | undefined, spec: string | undefined) => {
    if (m === '{{') return '{';
    if (m === '}}') return '}';
    const path = field ?? '';
    const head = /^[^.[]*/.exec(path)![0];
    let v: any = head === '' ? pos[auto++] : /^\d+$/.test(head) ? pos[Number(head)] : kw[head];
    const rest = path.slice(head.length);
    for (const part of rest.matchAll(/\.([^.[]+)|\[([^\]]+)\]/g)) {
      const key = part[1] ?? part[2];
      v = v == null ? undefined : v[/^\d+$/.test(key) && Array.isArray(v) ? Number(key) : key];
    }
    if (conv === 'r' || conv === 'a') v = pyRepr(v);
    else if (conv === 's') v = pyStr(v);
    return formatSpec(v, spec ?? '');
  });
}
