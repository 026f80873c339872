import type { Connection } from '../contracts/adapter.js';
import { quoteIdent } from './fixtures.js';

export interface RowDiff {
  /** Expected rows the model did not return. */
  missing: Record<string, unknown>[];
  /** Rows the model returned that were not expected. */
  unexpected: Record<string, unknown>[];
}

/**
 * Multiset difference both ways in SQL (`except all`), so values compare with the model's own
 * types (dates as dates, decimals as decimals) and duplicates count.
 */
export async function diffRows(c: Connection, actual: string, expected: string, columns: string[]): Promise<RowDiff> {
  const cols = columns.map(quoteIdent).join(', ');
  // Shown as the warehouse prints them (2019-12-31, not a JS Date in UTC).
  const text = columns.map((c) => `cast(${quoteIdent(c)} as varchar) as ${quoteIdent(c)}`).join(', ');
  const missing = await c.execute(`select ${text} from (select ${cols} from ${expected} except all select ${cols} from ${actual}) d`);
  const unexpected = await c.execute(`select ${text} from (select ${cols} from ${actual} except all select ${cols} from ${expected}) d`);
  return { missing: missing.rows, unexpected: unexpected.rows };
}

/** A small table a reader can act on: `-` rows expected but missing, `+` rows returned but not expected. */
export function formatDiff(columns: string[], d: RowDiff): string {
  const cell = (v: unknown) => (v === null || v === undefined ? 'null' : v instanceof Date ? v.toISOString() : typeof v === 'object' ? JSON.stringify(v) : String(v));
  const rows = [['', ...columns], ...d.missing.map((r) => ['-', ...columns.map((c) => cell(r[c]))]), ...d.unexpected.map((r) => ['+', ...columns.map((c) => cell(r[c]))])];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const lines = rows.map((r) => '  ' + r.map((x, i) => x.padEnd(widths[i])).join(' | ').trimEnd());
  return `  actual differs from expected (- expected but missing, + returned but not expected):\n${lines.join('\n')}`;
}
