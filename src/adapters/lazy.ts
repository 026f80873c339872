import type { Adapter, Connection, Dialect, TargetConfig } from '../contracts/adapter.js';

/**
 * An adapter that connects on first use. `mflow compile` of a project whose templates never ask
 * the warehouse anything then opens no connection at all (and a locked DuckDB file is no error).
 */
export function lazyAdapter(connect: () => Promise<Adapter>, dialect: Dialect, target: TargetConfig): Adapter {
  let real: Adapter | null = null;
  const get = async (): Promise<Adapter> => (real ??= await connect());
  return {
    type: target.type,
    dialect,
    target,
    introspector: {
      listRelations: async (db, schema) => (await get()).introspector.listRelations(db, schema),
      getColumns: async (rel) => (await get()).introspector.getColumns(rel),
      listSchemas: async (db) => (await get()).introspector.listSchemas(db),
    },
    acquire: async (): Promise<Connection> => (await get()).acquire(),
    release: (c) => real?.release(c),
    close: async () => {
      await real?.close();
    },
  };
}
