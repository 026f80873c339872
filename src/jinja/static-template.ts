/**
 * The static fast path (as dbt's static parser): a template whose Jinja is only `ref()`,
 * `source()`, `config()` and macro calls with literal arguments is understood without nunjucks.
 * Compiling 10,000 templates with nunjucks costs seconds; scanning them costs milliseconds.
 */
export type StaticArg = string | number | boolean | null | StaticArg[] | { [k: string]: StaticArg };

export interface StaticCall {
  fn: string;
  args: StaticArg[];
  kwargs: Record<string, StaticArg>;
  /** Offsets of the whole `{{ ... }}` in the template. */
  start: number;
  end: number;
  /**
   * A list or dict among the arguments. The parsed call is shared by every render of the template,
   * and a macro may change its argument (`{% do xs.append(...) %}`), so such calls get fresh copies,
   * as Jinja evaluates the literal anew each time.
   */
  mutable: boolean;
}

export interface StaticTemplate {
  calls: StaticCall[];
}

/** Returns null when the template needs the full engine. */
export function parseStatic(text: string): StaticTemplate | null {
  if (text.includes('{%') || text.includes('{#')) {
    // Comments are harmless but rare; blocks need the engine.
    return null;
  }
  const calls: StaticCall[] = [];
  let i = 0;
  for (;;) {
    const open = text.indexOf('{{', i);
    if (open < 0) break;
    const close = text.indexOf('}}', open + 2);
    if (close < 0) return null;
    let inner = text.slice(open + 2, close);
    if (inner.startsWith('-')) inner = inner.slice(1);
    if (inner.endsWith('-')) return null; // whitespace control changes output: engine
    const call = parseCall(inner.trim());
    if (!call) return null;
    // Set in place: spreading the call into a new object cost more than the whole scan.
    call.start = open;
    call.end = close + 2;
    calls.push(call);
    i = close + 2;
  }
  return { calls };
}

function parseCall(s: string): StaticCall | null {
  const p = new P(s);
  const fn = p.ident();
  if (!fn) return null;
  p.ws();
  if (!p.eat('(')) return null;
  const args: StaticArg[] = [];
  const kwargs: Record<string, StaticArg> = {};
  p.ws();
  if (!p.eat(')')) {
    for (;;) {
      p.ws();
      const save = p.i;
      const name = p.ident();
      p.ws();
      if (name && p.peek() === '=' && p.s[p.i + 1] !== '=') {
        p.i++;
        const v = p.value();
        if (v === undefined) return null;
        kwargs[name] = v;
      } else {
        p.i = save;
        const v = p.value();
        if (v === undefined) return null;
        if (Object.keys(kwargs).length) return null;
        args.push(v);
      }
      p.ws();
      if (p.eat(')')) break;
      if (!p.eat(',')) return null;
    }
  }
  p.ws();
  if (p.i !== s.length) return null;
  const mutable = args.some((a) => a !== null && typeof a === 'object') || Object.values(kwargs).some((a) => a !== null && typeof a === 'object');
  return { fn, args, kwargs, start: 0, end: 0, mutable };
}

const IDENT = /[A-Za-z_][\w]*/y;
const NUMBER = /-?\d+(\.\d+)?/y;

class P {
  i = 0;
  constructor(readonly s: string) {}
  peek() {
    return this.s[this.i];
  }
  eat(c: string) {
    if (this.s[this.i] === c) {
      this.i++;
      return true;
    }
    return false;
  }
  ws() {
    for (;;) {
      const c = this.s.charCodeAt(this.i);
      if (c === 32 || c === 10 || c === 13 || c === 9) this.i++;
      else return;
    }
  }
  ident(): string | null {
    IDENT.lastIndex = this.i;
    const m = IDENT.exec(this.s);
    if (!m) return null;
    this.i += m[0].length;
    return m[0];
  }
  value(): StaticArg | undefined {
    this.ws();
    const c = this.peek();
    if (c === "'" || c === '"') {
      this.i++;
      // Most literals have no escape: one slice instead of a string built character by character.
      const end = this.s.indexOf(c, this.i);
      const escape = this.s.indexOf('\\', this.i);
      if (end >= 0 && (escape < 0 || escape > end)) {
        const lit = this.s.slice(this.i, end);
        this.i = end + 1;
        return lit;
      }
      let out = '';
      while (this.i < this.s.length && this.s[this.i] !== c) {
        if (this.s[this.i] === '\\') {
          this.i++;
          const e = this.s[this.i];
          out += e === 'n' ? '\n' : e === 't' ? '\t' : e;
        } else out += this.s[this.i];
        this.i++;
      }
      if (!this.eat(c)) return undefined;
      return out;
    }
    // Tuples go to the engine: they print as tuples, which a list here would not.
    if (c === '[') {
      const close = ']';
      this.i++;
      const arr: StaticArg[] = [];
      this.ws();
      if (this.eat(close)) return arr;
      for (;;) {
        const v = this.value();
        if (v === undefined) return undefined;
        arr.push(v);
        this.ws();
        if (this.eat(close)) return arr;
        if (!this.eat(',')) return undefined;
        this.ws();
        if (this.eat(close)) return arr;
      }
    }
    if (c === '{') {
      this.i++;
      const obj: Record<string, StaticArg> = {};
      this.ws();
      if (this.eat('}')) return obj;
      for (;;) {
        const k = this.value();
        if (typeof k !== 'string') return undefined;
        this.ws();
        if (!this.eat(':')) return undefined;
        const v = this.value();
        if (v === undefined) return undefined;
        obj[k] = v;
        this.ws();
        if (this.eat('}')) return obj;
        if (!this.eat(',')) return undefined;
        this.ws();
      }
    }
    NUMBER.lastIndex = this.i;
    const m = NUMBER.exec(this.s);
    if (m) {
      this.i += m[0].length;
      return Number(m[0]);
    }
    const id = this.ident();
    if (id === 'true' || id === 'True') return true;
    if (id === 'false' || id === 'False') return false;
    if (id === 'none' || id === 'None') return null;
    return undefined;
  }
}
