import type { QueryResult } from '../contracts/adapter.js';

/**
 * `run_query()` returns what dbt's agate table offers templates: iterate rows, index a row by
 * position or by column name, `table.columns[0].values()`, `table.column_names`, `table.rows`.
 */
export type AgateRow = unknown[] & Record<string, unknown>;

export interface AgateColumn {
  name: string;
  data_type: string;
  values(): unknown[];
}

export type AgateTable = AgateRow[] & {
  rows: AgateRow[];
  columns: AgateColumn[] & Record<string, AgateColumn>;
  column_names: string[];
  column_types: string[];
  print_table(): string;
};

export function toAgate(r: QueryResult): AgateTable {
  const names = r.columns.map((c) => c.name);
  const rows = r.rows.map((obj) => {
    const row = names.map((n) => normalize(obj[n])) as AgateRow;
    names.forEach((n, i) => {
      if (!/^\d+$/.test(n)) (row as Record<string, unknown>)[n] = row[i];
    });
    return row;
  });
  const columns = r.columns.map((c, i) => new Column(c.name, c.dataType, () => rows.map((row) => row[i]))) as unknown as AgateTable['columns'];
  for (const c of columns) (columns as Record<string, AgateColumn>)[c.name] = c;
  const table = [...rows] as AgateTable;
  table.rows = rows;
  table.columns = columns;
  table.column_names = names;
  table.column_types = r.columns.map((c) => c.dataType);
  table.print_table = () => [names.join(' | '), ...rows.map((row) => row.join(' | '))].join('\n');
  return table;
}

/** A class, not a plain object: a template's `.values()` must call ours, not dict.values(). */
class Column implements AgateColumn {
  constructor(readonly name: string, readonly data_type: string, private readonly get: () => unknown[]) {}
  values(): unknown[] {
    return this.get();
  }
}

function normalize(v: unknown): unknown {
  if (typeof v === 'bigint') return Number(v);
  return v;
}
