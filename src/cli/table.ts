/** A plain text table for `mflow show`, as dbt prints previews. */
export function formatTable(columns: string[], rows: Record<string, unknown>[]): string {
  const cell = (v: unknown) => (v === null || v === undefined ? '' : v instanceof Date ? v.toISOString().replace('T00:00:00.000Z', '') : typeof v === 'object' ? JSON.stringify(v) : String(v));
  const data = rows.map((r) => columns.map((c) => cell(r[c])));
  const widths = columns.map((c, i) => Math.max(c.length, ...data.map((d) => d[i].length)));
  const line = (xs: string[]) => `| ${xs.map((x, i) => x.padEnd(widths[i])).join(' | ')} |`;
  const sep = `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`;
  return [line(columns), sep, ...data.map(line)].join('\n');
}
