/**
 * A replacement for nunjucks' tokenizer loop. nunjucks scans templates one character at a time
 * with string concatenation (about 2 µs per token); this scanner jumps with indexOf and sticky
 * regexes and produces the same tokens, plus the Jinja2 fixes: `True/False/None` literals and a
 * `}` that closes an open `{` inside a tag even when followed by `}`. Templates with custom tag
 * delimiters or trimBlocks/lstripBlocks keep nunjucks' own scanner.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
import { lexer, TokenizerProto } from './internals.js';

const T = lexer;
const WORD = /[^ \n\t\r\xA0()[\]{}%*\-+~/#,:|.<>=!]+/y;
const SPACE = /[ \n\t\r\xA0]+/y;
const DIGITS = /[0-9]*/y;
const INT = /^[-+]?[0-9]+$/;
const DELIM = '()[]{}%*-+~/#,:|.<>=!';
const COMPLEX = new Set(['==', '!=', '<=', '>=', '//', '**']);
const DELIM_TYPE: Record<string, string> = {
  '(': T.TOKEN_LEFT_PAREN,
  ')': T.TOKEN_RIGHT_PAREN,
  '[': T.TOKEN_LEFT_BRACKET,
  ']': T.TOKEN_RIGHT_BRACKET,
  '{': T.TOKEN_LEFT_CURLY,
  '}': T.TOKEN_RIGHT_CURLY,
  ',': T.TOKEN_COMMA,
  ':': T.TOKEN_COLON,
  '~': T.TOKEN_TILDE,
  '|': T.TOKEN_PIPE,
};
const WORDS: Record<string, [string, string]> = {
  true: [T.TOKEN_BOOLEAN, 'true'],
  false: [T.TOKEN_BOOLEAN, 'false'],
  True: [T.TOKEN_BOOLEAN, 'true'],
  False: [T.TOKEN_BOOLEAN, 'false'],
  none: [T.TOKEN_NONE, 'none'],
  None: [T.TOKEN_NONE, 'none'],
  null: [T.TOKEN_NONE, 'null'],
};
const hasOwn = Object.prototype.hasOwnProperty;

function tok(type: string, value: unknown, lineno: number, colno: number) {
  return { type, value, lineno, colno };
}

/** Moves the tokenizer to `to`, keeping nunjucks' line/column bookkeeping. */
function advance(t: any, to: number): void {
  const s: string = t.str;
  let nl = s.indexOf('\n', t.index);
  if (nl === -1 || nl >= to) {
    t.colno += to - t.index;
  } else {
    let last = nl;
    while (nl !== -1 && nl < to) {
      t.lineno++;
      last = nl;
      nl = s.indexOf('\n', nl + 1);
    }
    t.colno = to - last - 1;
  }
  t.index = to;
}

function isDefault(t: any): boolean {
  const g = t.tags;
  return !t.trimBlocks && !t.lstripBlocks && g.BLOCK_START === '{%' && g.BLOCK_END === '%}' && g.VARIABLE_START === '{{' && g.VARIABLE_END === '}}' && g.COMMENT_START === '{#' && g.COMMENT_END === '#}';
}

function dataToken(t: any): any {
  const s: string = t.str;
  const i: number = t.index;
  const line = t.lineno;
  const col = t.colno;
  if (s.charCodeAt(i) === 123 /* { */) {
    const n = s[i + 1];
    if (n === '%' || n === '{') {
      // `{%+` only disables lstrip_blocks, which mflow leaves off: same as `{%`
      const plus = s[i + 2] === '+';
      const v = s[i + 2] === '-' ? '{' + n + '-' : '{' + n;
      advance(t, i + v.length + (plus ? 1 : 0));
      t.in_code = true;
      t.jinjaBraces = 0;
      return tok(n === '%' ? T.TOKEN_BLOCK_START : T.TOKEN_VARIABLE_START, v, line, col);
    }
    if (n === '#') {
      const end = s.indexOf('#}', i + 2);
      if (end === -1) throw new Error('expected end of comment, got end of file');
      advance(t, end + 2);
      return tok(T.TOKEN_COMMENT, s.slice(i, end + 2), line, col);
    }
  }
  let j = s.indexOf('{', i + 1);
  while (j !== -1) {
    const n = s[j + 1];
    if (n === '%' || n === '{' || n === '#') break;
    j = s.indexOf('{', j + 1);
  }
  const end = j === -1 ? t.len : j;
  advance(t, end);
  return tok(T.TOKEN_DATA, s.slice(i, end), line, col);
}

function codeToken(t: any): any {
  const s: string = t.str;
  const i: number = t.index;
  const line = t.lineno;
  const col = t.colno;
  const c = s[i];
  if (c === '}' && t.jinjaBraces > 0) {
    advance(t, i + 1);
    t.jinjaBraces--;
    return tok(T.TOKEN_RIGHT_CURLY, '}', line, col);
  }
  if (c === '"' || c === "'") {
    let out = '';
    let k = i + 1;
    let quote = c;
    for (;;) {
      const q = s.indexOf(quote, k);
      const b = s.indexOf('\\', k);
      if (b !== -1 && (q === -1 || b < q)) {
        out += s.slice(k, b);
        const e = s[b + 1];
        out += e === 'n' ? '\n' : e === 't' ? '\t' : e === 'r' ? '\r' : e ?? '';
        k = b + 2;
        continue;
      }
      if (q === -1) {
        out += s.slice(k);
        k = t.len;
        break;
      }
      out += s.slice(k, q);
      k = q + 1;
      // Adjacent string literals concatenate, as in Python and Jinja2: `"a" "b"` is "ab".
      let j = k;
      while (j < t.len && (s[j] === ' ' || s[j] === '\t' || s[j] === '\n' || s[j] === '\r')) j++;
      if (s[j] !== '"' && s[j] !== "'") break;
      quote = s[j];
      k = j + 1;
    }
    advance(t, k);
    return tok(T.TOKEN_STRING, out, line, col);
  }
  SPACE.lastIndex = i;
  if (SPACE.test(s)) {
    const end = SPACE.lastIndex;
    advance(t, end);
    return tok(T.TOKEN_WHITESPACE, s.slice(i, end), line, col);
  }
  if (c === '%' && s[i + 1] === '}') return endTag(t, T.TOKEN_BLOCK_END, '%}', line, col);
  if (c === '}' && s[i + 1] === '}') return endTag(t, T.TOKEN_VARIABLE_END, '}}', line, col);
  if (c === '-' && s[i + 1] === '%' && s[i + 2] === '}') return endTag(t, T.TOKEN_BLOCK_END, '-%}', line, col);
  if (c === '+' && s[i + 1] === '%' && s[i + 2] === '}') {
    // `+%}` only disables trim_blocks, which mflow leaves off: same as `%}`
    advance(t, i + 1);
    return endTag(t, T.TOKEN_BLOCK_END, '%}', line, col);
  }
  if (c === '-' && s[i + 1] === '}' && s[i + 2] === '}') return endTag(t, T.TOKEN_VARIABLE_END, '-}}', line, col);
  if (DELIM.includes(c)) {
    let v = c;
    const two = c + (s[i + 1] ?? '');
    if (COMPLEX.has(two)) {
      v = two;
      if ((two === '==' || two === '!=') && s[i + 2] === '=') v = two + '=';
    }
    advance(t, i + v.length);
    if (v === '{') t.jinjaBraces = (t.jinjaBraces ?? 0) + 1;
    else if (v === '}' && t.jinjaBraces > 0) t.jinjaBraces--;
    return tok(DELIM_TYPE[v] ?? T.TOKEN_OPERATOR, v, line, col);
  }
  WORD.lastIndex = i;
  WORD.test(s);
  const end = WORD.lastIndex;
  const w = s.slice(i, end);
  if (INT.test(w)) {
    if (s[end] === '.') {
      DIGITS.lastIndex = end + 1;
      DIGITS.test(s);
      const fend = DIGITS.lastIndex;
      advance(t, fend);
      return tok(T.TOKEN_FLOAT, w + '.' + s.slice(end + 1, fend), line, col);
    }
    advance(t, end);
    return tok(T.TOKEN_INT, w, line, col);
  }
  advance(t, end);
  if (hasOwn.call(WORDS, w)) {
    const [type, value] = WORDS[w];
    return tok(type, value, line, col);
  }
  return tok(T.TOKEN_SYMBOL, w, line, col);
}

function endTag(t: any, type: string, v: string, line: number, col: number): any {
  advance(t, t.index + v.length);
  t.in_code = false;
  return tok(type, v, line, col);
}

/** Installs the fast scanner in front of `fallback` (nunjucks' scanner, used for custom delimiters). */
export function patchLexerFast(fallback: (this: any) => any): void {
  TokenizerProto.nextToken = function nextToken(this: any) {
    if (this.jinjaFast === undefined) this.jinjaFast = isDefault(this);
    if (!this.jinjaFast) return fallback.call(this);
    if (this.index >= this.len) return null;
    return this.in_code ? codeToken(this) : dataToken(this);
  };
}
