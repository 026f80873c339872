/**
 * A small Snowflake SQL tokenizer. The emulator never builds a full AST: mflow controls the SQL it
 * sends, so a token stream is enough to fold identifiers, rename types and functions, and pick out
 * the names that DDL/SHOW/PUT/COPY statements act on.
 */
export type TokenKind = 'word' | 'qident' | 'string' | 'number' | 'param' | 'punct' | 'space' | 'comment' | 'stage';

export interface Token {
  kind: TokenKind;
  text: string;
  /** Upper-cased word, unquoted identifier value, or string contents. */
  value: string;
}

export function tokenize(sql: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i];
    const start = i;
    if (/\s/.test(c)) {
      while (i < n && /\s/.test(sql[i])) i++;
      out.push({ kind: 'space', text: sql.slice(start, i), value: ' ' });
    } else if (c === '-' && sql[i + 1] === '-') {
      while (i < n && sql[i] !== '\n') i++;
      out.push({ kind: 'comment', text: sql.slice(start, i), value: '' });
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 2;
      out.push({ kind: 'comment', text: sql.slice(start, i), value: '' });
    } else if (c === "'") {
      i++;
      let v = '';
      while (i < n) {
        if (sql[i] === '\\' && i + 1 < n) {
          v += sql[i + 1] === 'n' ? '\n' : sql[i + 1];
          i += 2;
        } else if (sql[i] === "'" && sql[i + 1] === "'") {
          v += "'";
          i += 2;
        } else if (sql[i] === "'") {
          i++;
          break;
        } else v += sql[i++];
      }
      out.push({ kind: 'string', text: sql.slice(start, i), value: v });
    } else if (c === '$' && sql[i + 1] === '$') {
      const end = sql.indexOf('$$', i + 2);
      i = end < 0 ? n : end + 2;
      out.push({ kind: 'string', text: sql.slice(start, i), value: sql.slice(start + 2, end < 0 ? n : end) });
    } else if (c === '"') {
      i++;
      let v = '';
      while (i < n) {
        if (sql[i] === '"' && sql[i + 1] === '"') {
          v += '"';
          i += 2;
        } else if (sql[i] === '"') {
          i++;
          break;
        } else v += sql[i++];
      }
      out.push({ kind: 'qident', text: sql.slice(start, i), value: v });
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(sql[i + 1] ?? ''))) {
      while (i < n && /[0-9.eE]/.test(sql[i])) {
        if ((sql[i] === 'e' || sql[i] === 'E') && /[+-]/.test(sql[i + 1] ?? '')) i++;
        i++;
      }
      out.push({ kind: 'number', text: sql.slice(start, i), value: sql.slice(start, i) });
    } else if (c === '?') {
      i++;
      out.push({ kind: 'param', text: '?', value: '' });
    } else if (c === ':' && /[0-9]/.test(sql[i + 1] ?? '') && sql[i - 1] !== ':') {
      i++;
      while (i < n && /[0-9]/.test(sql[i])) i++;
      out.push({ kind: 'param', text: sql.slice(start, i), value: sql.slice(start + 1, i) });
    } else if (c === '@') {
      // Stage references: @name, @db.schema.name, @~, @%table, with an optional /path.
      i++;
      while (i < n && !/[\s;,()]/.test(sql[i])) i++;
      out.push({ kind: 'stage', text: sql.slice(start, i), value: sql.slice(start + 1, i) });
    } else if (/[A-Za-z_]/.test(c)) {
      while (i < n && /[A-Za-z0-9_$]/.test(sql[i])) i++;
      const text = sql.slice(start, i);
      out.push({ kind: 'word', text, value: text.toUpperCase() });
    } else {
      i++;
      // Keep two-character operators together so `::` casts survive the rewriting.
      const two = sql.slice(start, start + 2);
      if (['::', '<=', '>=', '<>', '!=', '||', '=>', '->'].includes(two)) i++;
      out.push({ kind: 'punct', text: sql.slice(start, i), value: sql.slice(start, i) });
    }
  }
  return out;
}

/** Tokens that carry meaning (no whitespace, no comments). */
export function significant(tokens: Token[]): Token[] {
  return tokens.filter((t) => t.kind !== 'space' && t.kind !== 'comment');
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function quoteString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** Value of an identifier token with Snowflake folding: unquoted upper-case, quoted as written. */
export function identValue(t: Token): string {
  return t.kind === 'qident' ? t.value : t.value;
}

/** Split a script on top-level semicolons (strings, quoted names and comments respected). */
export function splitStatements(sql: string): string[] {
  const toks = tokenize(sql);
  const out: string[] = [];
  let cur = '';
  for (const t of toks) {
    if (t.kind === 'punct' && t.text === ';') {
      if (cur.trim()) out.push(cur.trim());
      cur = '';
    } else cur += t.text;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

/**
 * Read a dotted name (`a.b."c"`) at index `i` of the significant tokens. Returns the parts with
 * Snowflake folding applied and the index after the name.
 */
export function readName(toks: Token[], i: number): { parts: string[]; next: number } | null {
  const parts: string[] = [];
  let j = i;
  for (;;) {
    const t = toks[j];
    if (!t || (t.kind !== 'word' && t.kind !== 'qident')) break;
    parts.push(identValue(t));
    j++;
    if (toks[j]?.kind === 'punct' && toks[j].text === '.') j++;
    else break;
  }
  return parts.length ? { parts, next: j } : null;
}
