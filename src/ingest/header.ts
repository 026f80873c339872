/** Splits a CSV header line into column names (quoted or not; `""` inside quotes is one quote). */
export function parseHeader(line: string, delimiter = ',', quote = '"'): string[] {
  const out: string[] = [];
  let cur = '';
  let inQ = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (inQ) {
      if (ch === quote && line[i + 1] === quote) {
        cur += quote;
        i++;
      } else if (ch === quote) inQ = false;
      else cur += ch;
    } else if (ch === quote) inQ = true;
    else if (line.startsWith(delimiter, i)) {
      out.push(cur.trim());
      cur = '';
      i += delimiter.length - 1;
    } else cur += ch;
  }
  out.push(cur.trim());
  return out;
}

export interface HeaderDiff {
  missing: string[];
  extra: string[];
  /** Same position, different name: most likely a renamed column. */
  renamed: { expected: string; found: string }[];
  /** Same names in a different order (columns are read by position, so this matters too). */
  reordered: boolean;
}

/** Compares a file's header with the declared columns (case-insensitively, as warehouses do). */
export function diffHeader(expected: string[], found: string[]): HeaderDiff | null {
  const norm = (s: string): string => s.toLowerCase();
  const exp = new Set(expected.map(norm));
  const got = new Set(found.map(norm));
  let missing = expected.filter((c) => !got.has(norm(c)));
  let extra = found.filter((c) => !exp.has(norm(c)));
  const renamed: { expected: string; found: string }[] = [];
  if (expected.length === found.length) {
    for (let i = 0; i < expected.length; i++) {
      if (norm(expected[i]) !== norm(found[i]) && !got.has(norm(expected[i])) && !exp.has(norm(found[i]))) {
        renamed.push({ expected: expected[i], found: found[i] });
      }
    }
    const r = new Set(renamed.flatMap((x) => [x.expected, x.found]));
    missing = missing.filter((c) => !r.has(c));
    extra = extra.filter((c) => !r.has(c));
  }
  const reordered = missing.length === 0 && extra.length === 0 && renamed.length === 0 && expected.some((c, i) => norm(c) !== norm(found[i] ?? ''));
  if (missing.length === 0 && extra.length === 0 && renamed.length === 0 && !reordered) return null;
  return { missing, extra, renamed, reordered };
}

export function describeDiff(d: HeaderDiff): string {
  const parts: string[] = [];
  if (d.missing.length) parts.push(`missing column${d.missing.length > 1 ? 's' : ''} ${d.missing.join(', ')}`);
  if (d.extra.length) parts.push(`unexpected column${d.extra.length > 1 ? 's' : ''} ${d.extra.join(', ')}`);
  if (d.renamed.length) parts.push(`renamed column${d.renamed.length > 1 ? 's' : ''} ${d.renamed.map((r) => `${r.expected} -> ${r.found}`).join(', ')}`);
  if (d.reordered) parts.push('the declared columns appear in a different order');
  return parts.join('; ');
}
