/**
 * Python `str` methods, looked up by name when a template calls `x.upper()` on a string. JS has
 * some of the same names with different meaning (`split()` without a separator, `replace()` that
 * replaces only the first match), so these always win over the native ones.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
import { pyStr, splitArgs, strFormat, tuple } from './python-values.js';

const WS = ' \t\n\r\x0b\x0c';

function stripChars(s: string, chars: unknown, left: boolean, right: boolean): string {
  const set = chars == null ? WS : String(chars);
  let a = 0;
  let b = s.length;
  if (left) while (a < b && set.includes(s[a])) a++;
  if (right) while (b > a && set.includes(s[b - 1])) b--;
  return s.slice(a, b);
}

function split(s: string, sep: unknown, maxsplit: unknown): string[] {
  const max = maxsplit == null ? -1 : Number(maxsplit);
  if (sep == null) {
    const parts: string[] = [];
    let rest = s.replace(/^\s+/, '');
    while (rest.length) {
      if (max >= 0 && parts.length === max) {
        parts.push(rest.replace(/\s+$/, ''));
        break;
      }
      const m = /\s+/.exec(rest);
      if (!m) {
        parts.push(rest);
        break;
      }
      parts.push(rest.slice(0, m.index));
      rest = rest.slice(m.index + m[0].length);
    }
    return parts;
  }
  const d = String(sep);
  if (d === '') throw new Error('empty separator');
  const all = s.split(d);
  if (max < 0 || all.length - 1 <= max) return all;
  return [...all.slice(0, max), all.slice(max).join(d)];
}

function rsplit(s: string, sep: unknown, maxsplit: unknown): string[] {
  const max = maxsplit == null ? -1 : Number(maxsplit);
  if (max < 0) return split(s, sep, -1);
  if (sep == null) {
    const words = split(s, null, -1);
    if (words.length <= max) return words;
    // keep the original spacing of the unsplit head, as Python does
    let cut = s.replace(/\s+$/, '');
    for (let i = 0; i < max; i++) cut = cut.replace(/\s*\S+$/, '');
    return [cut.replace(/^\s+/, ''), ...words.slice(words.length - max)];
  }
  const d = String(sep);
  const all = s.split(d);
  if (all.length - 1 <= max) return all;
  return [all.slice(0, all.length - max).join(d), ...all.slice(all.length - max)];
}

function matchesAny(prefixes: unknown, test: (p: string) => boolean): boolean {
  return Array.isArray(prefixes) ? prefixes.some((p) => test(String(p))) : test(String(prefixes));
}

function title(s: string): string {
  return s.replace(/[A-Za-z]+('[A-Za-z]+)?/g, (w) => w[0].toUpperCase() + w.slice(1).toLowerCase());
}

function count(s: string, sub: string): number {
  if (sub === '') return s.length + 1;
  let n = 0;
  for (let i = s.indexOf(sub); i !== -1; i = s.indexOf(sub, i + sub.length)) n++;
  return n;
}

export const STRING_METHODS: Record<string, (this: string, ...args: any[]) => unknown> = {
  upper() { return this.toUpperCase(); },
  lower() { return this.toLowerCase(); },
  casefold() { return this.toLowerCase(); },
  strip(chars?: unknown) { return stripChars(this, chars, true, true); },
  lstrip(chars?: unknown) { return stripChars(this, chars, true, false); },
  rstrip(chars?: unknown) { return stripChars(this, chars, false, true); },
  split(...args: unknown[]) {
    const { pos, kw } = splitArgs(args);
    return split(this, pos[0] ?? kw.sep, pos[1] ?? kw.maxsplit);
  },
  rsplit(...args: unknown[]) {
    const { pos, kw } = splitArgs(args);
    return rsplit(this, pos[0] ?? kw.sep, pos[1] ?? kw.maxsplit);
  },
  splitlines() { return this.split(/\r\n|\r|\n/).filter((l, i, a) => i < a.length - 1 || l !== ''); },
  replace(old: unknown, rep: unknown, cnt?: unknown) {
    const o = String(old);
    const r = pyStr(rep);
    if (cnt == null || Number(cnt) < 0) return this.split(o).join(r);
    const parts = this.split(o);
    const n = Math.min(Number(cnt), parts.length - 1);
    return parts.slice(0, n + 1).join(r) + (n + 1 < parts.length ? o + parts.slice(n + 1).join(o) : '');
  },
  startswith(prefix: unknown) { return matchesAny(prefix, (p) => this.startsWith(p)); },
  endswith(suffix: unknown) { return matchesAny(suffix, (p) => this.endsWith(p)); },
  format(...args: unknown[]) {
    const { pos, kw } = splitArgs(args);
    return strFormat(this, pos, kw);
  },
  title() { return title(this); },
  capitalize() { return this.length ? this[0].toUpperCase() + this.slice(1).toLowerCase() : ''; },
  swapcase() { return [...this].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join(''); },
  join(items: unknown) {
    const arr = Array.isArray(items) ? items : typeof items === 'string' ? [...items] : Array.from(items as Iterable<unknown>);
    return arr.map((x) => {
      if (typeof x !== 'string' && !(x instanceof String)) throw new Error(`sequence item: expected str instance, ${typeof x} found`);
      return String(x);
    }).join(this);
  },
  find(sub: unknown) { return this.indexOf(String(sub)); },
  rfind(sub: unknown) { return this.lastIndexOf(String(sub)); },
  index(sub: unknown) {
    const i = this.indexOf(String(sub));
    if (i < 0) throw new Error('substring not found');
    return i;
  },
  count(sub: unknown) { return count(this, String(sub)); },
  isdigit() { return /^[0-9]+$/.test(this); },
  isnumeric() { return /^[0-9]+$/.test(this); },
  isalpha() { return /^[A-Za-z]+$/.test(this); },
  isalnum() { return /^[A-Za-z0-9]+$/.test(this); },
  isspace() { return /^\s+$/.test(this); },
  islower() { return /[a-z]/.test(this) && this === this.toLowerCase(); },
  isupper() { return /[A-Z]/.test(this) && this === this.toUpperCase(); },
  ljust(w: unknown, fill?: unknown) { return this.padEnd(Number(w), fill == null ? ' ' : String(fill)); },
  rjust(w: unknown, fill?: unknown) { return this.padStart(Number(w), fill == null ? ' ' : String(fill)); },
  center(w: unknown, fill?: unknown) {
    const f = fill == null ? ' ' : String(fill);
    const pad = Number(w) - this.length;
    if (pad <= 0) return String(this);
    const left = Math.floor(pad / 2) + (pad % 2 && Number(w) % 2 ? 1 : 0);
    return f.repeat(left) + this + f.repeat(pad - left);
  },
  zfill(w: unknown) {
    const sign = this[0] === '-' || this[0] === '+' ? this[0] : '';
    return sign + this.slice(sign.length).padStart(Number(w) - sign.length, '0');
  },
  partition(sep: unknown) {
    const d = String(sep);
    const i = this.indexOf(d);
    return tuple(i < 0 ? [String(this), '', ''] : [this.slice(0, i), d, this.slice(i + d.length)]);
  },
  removeprefix(p: unknown) { const s = String(p); return this.startsWith(s) ? this.slice(s.length) : String(this); },
  removesuffix(p: unknown) { const s = String(p); return s && this.endsWith(s) ? this.slice(0, -s.length) : String(this); },
};
