/**
 * Finds the top-level `{% macro %}`, `{% test %}`, `{% materialization %}`, `{% docs %}` and
 * `{% snapshot %}` blocks of a file, with their lines, without rendering it. Macros are then
 * compiled one file at a time; docs and snapshots become manifest entries.
 */
export interface Block {
  kind: 'macro' | 'test' | 'docs' | 'snapshot';
  name: string;
  /** Argument list as written, e.g. `model, column_name, values=[]`. */
  args: string;
  /** The whole block including its tags. */
  source: string;
  /** The text between the opening and closing tags. */
  body: string;
  /** 1-based line of the opening tag. */
  line: number;
}

const OPEN = /\{%-?\s*(macro|test|docs|snapshot)\s+([A-Za-z_][\w]*)\s*(?:\(([\s\S]*?)\))?\s*-?%\}/g;

export function findBlocks(text: string): Block[] {
  const blocks: Block[] = [];
  OPEN.lastIndex = 0;
  let m: RegExpExecArray | null;
  // Lines counted on from the previous block (lineAt from the start each time was quadratic in a
  // file of many macros: 10-15 ms for the built-in ones on every runtime made).
  let counted = 0;
  let line = 1;
  const lineOf = (index: number) => {
    for (let i = counted; i < index; i++) if (text.charCodeAt(i) === 10) line++;
    counted = index;
    return line;
  };
  while ((m = OPEN.exec(text))) {
    const kind = m[1] as Block['kind'];
    const end = new RegExp(`\\{%-?\\s*end${kind}\\s*-?%\\}`, 'g');
    // Nested blocks of the same kind are not allowed by Jinja for macros; find the first end tag.
    end.lastIndex = OPEN.lastIndex;
    const e = end.exec(text);
    if (!e) {
      blocks.push({ kind, name: m[2], args: m[3] ?? '', source: text.slice(m.index), body: text.slice(OPEN.lastIndex), line: lineOf(m.index) });
      break;
    }
    blocks.push({
      kind,
      name: m[2],
      args: m[3] ?? '',
      source: text.slice(m.index, e.index + e[0].length),
      body: text.slice(OPEN.lastIndex, e.index),
      line: lineOf(m.index),
    });
    OPEN.lastIndex = e.index + e[0].length;
  }
  return blocks;
}

export function lineAt(text: string, index: number): number {
  let n = 1;
  for (let i = 0; i < index; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}

/** `a, b='x', c=[1, 2]` → names and defaults, split on top-level commas. */
export function parseArgList(args: string): { name: string; default: string | null }[] {
  const out: { name: string; default: string | null }[] = [];
  let depth = 0;
  let cur = '';
  let quote: string | null = null;
  for (const ch of args) {
    if (quote) {
      cur += ch;
      if (ch === quote) quote = null;
      continue;
    }
    if (ch === '"' || ch === "'") quote = ch;
    if ('([{'.includes(ch)) depth++;
    if (')]}'.includes(ch)) depth--;
    if (ch === ',' && depth === 0) {
      push(cur);
      cur = '';
    } else cur += ch;
  }
  push(cur);
  return out;
  function push(s: string) {
    const t = s.trim();
    if (!t) return;
    const eq = t.indexOf('=');
    out.push(eq < 0 ? { name: t, default: null } : { name: t.slice(0, eq).trim(), default: t.slice(eq + 1).trim() });
  }
}
