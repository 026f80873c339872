import type { QueryResult } from '../contracts/adapter.js';
import { PyDateTime } from './modules.js';

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
    const row = names.map((n, i) => normalize(obj[n], r.columns[i].dataType)) as AgateRow;
    names.forEach((n, i) => {
      if (!/^\d+$/.test(n)) (row as Record<string, unknown>)[n] = row[i];
    });
    // agate's Row is also a mapping: row.keys(), row.values(), row.items(), row.dict().
    Object.defineProperties(row, {
      keys: { value: () => [...names], enumerable: false },
      values: { value: () => names.map((_, i) => row[i]), enumerable: false },
      items: { value: () => names.map((n, i) => [n, row[i]]), enumerable: false },
      dict: { value: () => Object.fromEntries(names.map((n, i) => [n, row[i]])), enumerable: false },
    });
    return row;
  });
  const columns = r.columns.map((c, i) => new Column(c.name, c.dataType, () => rows.map((row) => row[i]))) as unknown as AgateTable['columns'];
  for (const c of columns) (columns as Record<string, AgateColumn>)[c.name] = c;
  // agate's MappedSequence: `table.columns.items()` (dbt_utils.get_query_results_as_dict), keys(), get().
  Object.defineProperties(columns, {
    keys: { value: () => [...names], enumerable: false },
    items: { value: () => columns.map((c) => [c.name, c]), enumerable: false },
    get: { value: (k: string, d: unknown = null) => (columns as unknown as Record<string, AgateColumn>)[k] ?? d, enumerable: false },
  });
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

function normalize(v: unknown, dataType: string): unknown {
  if (typeof v === 'bigint') return Number(v);
  // Python's datetime/date as agate hands them to dbt: `{{ d }}` prints 2017-01-01 00:00:00.
  if (v instanceof Date) return new PyDateTime(v, /^date$/i.test(dataType));
  return v;
}
