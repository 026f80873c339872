export function qi(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function ql(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** DuckDB TIMESTAMP literal (UTC, no zone) for a JS date. */
export function tsLiteral(d: Date): string {
  return `TIMESTAMP '${d.toISOString().replace('T', ' ').replace('Z', '')}'`;
}
