import type { Adapter, Dialect, TargetConfig } from '../contracts/adapter.js';
import { MflowError } from '../errors.js';
import { duckdbWarehouse } from './duckdb/warehouse.js';
import { snowflakeWarehouse } from './snowflake/warehouse.js';
import type { Quoting, Warehouse } from './warehouse.js';

/**
 * The only list of warehouses. A new one is a folder under `src/adapters/` with a `Warehouse`
 * descriptor, and one line here; drivers load lazily inside `connect`.
 */
const WAREHOUSES: readonly Warehouse[] = [duckdbWarehouse, snowflakeWarehouse];

/** Every warehouse's dispatch implementations of the built-in macros (loaded whatever the target, as dbt's packages are). */
export function warehouseMacros(): string {
  return WAREHOUSES.map((w) => w.macros).join('\n');
}

export function warehouseTypes(): string[] {
  return WAREHOUSES.map((w) => w.type);
}

/** The descriptor of a target type, or undefined when no warehouse of that name is registered. */
export function findWarehouse(type: string): Warehouse | undefined {
  return WAREHOUSES.find((w) => w.type === type);
}

function warehouse(type: string): Warehouse {
  const w = findWarehouse(type);
  if (!w) throw new MflowError('CONFIG', `No adapter for target type '${type}'`, { hint: `Supported: ${warehouseTypes().join(', ')}.` });
  return w;
}

export async function createAdapter(target: TargetConfig, opts: { progress?: (message: string) => void } = {}): Promise<Adapter> {
  return warehouse(target.type).connect(target, opts);
}

export async function createDialect(target: TargetConfig, quoting: Quoting = {}): Promise<Dialect> {
  return warehouse(target.type).dialect(target, quoting);
}

export type { Quoting, Warehouse };
