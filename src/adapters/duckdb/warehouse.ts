import { isAbsolute, join } from 'node:path';
import type { Warehouse } from '../warehouse.js';
import { DuckDBDialect } from './dialect.js';
import { DUCKDB_MACROS } from './macros.js';
import { checkDuckDBTarget, DUCKDB_TOP_LEVEL_SETTINGS, resolveTempDirectory } from './settings.js';

export const duckdbWarehouse: Warehouse = {
  type: 'duckdb',
  targetKeys: ['type', 'path', 'database', 'schema', 'threads', 'extensions', 'settings', 'attach', 'read_only', ...DUCKDB_TOP_LEVEL_SETTINGS],
  defaultThreads: 2,
  macros: DUCKDB_MACROS,
  completeTarget(t, root) {
    // A relative path is relative to the project, not to the shell's folder.
    const p = (t.path as string | undefined) ?? ':memory:';
    t.path = p === ':memory:' || isAbsolute(p) ? p : join(root, p);
    t.schema = (t.schema as string | undefined) ?? 'main';
    resolveTempDirectory(t, root);
  },
  checkTarget: checkDuckDBTarget,
  dialect: async (target, quoting) => new DuckDBDialect({ ...quoting, ...((target.quoting as object) ?? {}) }),
  lineageNamespace: (t) => `duckdb://localhost${String(t.path ?? ':memory:')}`,
  async connect(target) {
    const { DuckDBAdapter } = await import('./adapter.js');
    return DuckDBAdapter.create(target);
  },
};
