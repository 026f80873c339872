import { isAbsolute, join } from 'node:path';
import type { Warehouse } from '../warehouse.js';
import { DuckDBDialect } from './dialect.js';
import { DUCKDB_MACROS } from './macros.js';

export const duckdbWarehouse: Warehouse = {
  type: 'duckdb',
  targetKeys: ['type', 'path', 'database', 'schema', 'threads', 'extensions', 'settings', 'attach', 'read_only'],
  defaultThreads: 2,
  macros: DUCKDB_MACROS,
  completeTarget(t, root) {
    // A relative path is relative to the project, not to the shell's folder.
    const p = (t.path as string | undefined) ?? ':memory:';
    t.path = p === ':memory:' || isAbsolute(p) ? p : join(root, p);
    t.schema = (t.schema as string | undefined) ?? 'main';
  },
  dialect: async (target, quoting) => new DuckDBDialect({ ...quoting, ...((target.quoting as object) ?? {}) }),
  async connect(target) {
    const { DuckDBAdapter } = await import('./adapter.js');
    return DuckDBAdapter.create(target);
  },
};
