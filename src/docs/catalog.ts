/**
 * `target/catalog.json`: what the warehouse says about each relation (real column types, row
 * counts), in dbt's catalog shape so tools that read dbt catalogs read ours. Built by
 * introspecting the target after a run; the docs site shows it next to the declared docs.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Manifest } from '../contracts/manifest.js';
import type { Introspector } from '../contracts/adapter.js';
import { MflowError } from '../errors.js';

export interface CatalogColumn {
  type: string;
  index: number;
  name: string;
  comment?: string | null;
}

export interface CatalogTable {
  metadata: { type: string; schema: string; name: string; database: string | null; comment?: string | null; owner?: string | null };
  columns: Record<string, CatalogColumn>;
  stats: Record<string, { id: string; label: string; value: number | string | boolean | null; include: boolean; description?: string }>;
  unique_id: string;
}

export interface Catalog {
  metadata: { dbt_schema_version?: string; generated_at: string; invocation_id?: string | null };
  nodes: Record<string, CatalogTable>;
  sources: Record<string, CatalogTable>;
  errors: string[] | null;
}

interface RelationKey {
  uniqueId: string;
  kind: 'nodes' | 'sources';
  database: string | null;
  schema: string;
  name: string;
}

function relationsOf(manifest: Manifest): RelationKey[] {
  const out: RelationKey[] = [];
  for (const n of Object.values(manifest.nodes)) {
    if (!['model', 'seed', 'snapshot'].includes(n.resource_type) || n.config?.materialized === 'ephemeral') continue;
    out.push({ uniqueId: n.unique_id, kind: 'nodes', database: n.database, schema: n.schema, name: n.alias || n.name });
  }
  for (const s of Object.values(manifest.sources)) {
    out.push({ uniqueId: s.unique_id, kind: 'sources', database: s.database, schema: s.schema, name: s.identifier || s.name });
  }
  return out;
}

const key = (db: string | null, schema: string, name: string) => `${(db ?? '').toLowerCase()}\u0000${schema.toLowerCase()}\u0000${name.toLowerCase()}`;
const keyNoDb = (schema: string, name: string) => `${schema.toLowerCase()}\u0000${name.toLowerCase()}`;

/**
 * Introspects every relation of the manifest in two queries (columns, then tables with their
 * estimated sizes), so the cost does not grow with round trips per model. Relations that do not
 * exist in the warehouse (not built yet) are simply absent, as in dbt.
 */
export async function buildCatalog(conn: DuckDBConnection, manifest: Manifest): Promise<Catalog> {
  const rels = relationsOf(manifest);
  const byKey = new Map<string, RelationKey[]>();
  const byNoDb = new Map<string, RelationKey[]>();
  for (const r of rels) {
    const k = key(r.database, r.schema, r.name);
    byKey.set(k, [...(byKey.get(k) ?? []), r]);
    const k2 = keyNoDb(r.schema, r.name);
    byNoDb.set(k2, [...(byNoDb.get(k2) ?? []), r]);
  }
  const schemas = [...new Set(rels.map((r) => r.schema.toLowerCase()))];
  const catalog: Catalog = { metadata: { generated_at: new Date().toISOString(), invocation_id: manifest.metadata?.invocation_id ?? null }, nodes: {}, sources: {}, errors: null };
  if (!schemas.length) return catalog;
  const inList = schemas.map((s) => `'${s.replace(/'/g, "''")}'`).join(', ');
  let tables, columns;
  try {
    tables = (
      await conn.runAndReadAll(
        `select t.table_catalog, t.table_schema, t.table_name, t.table_type, dt.estimated_size, dt.comment
         from information_schema.tables t
         left join duckdb_tables() dt on dt.database_name = t.table_catalog and dt.schema_name = t.table_schema and dt.table_name = t.table_name
         where lower(t.table_schema) in (${inList})`,
      )
    ).getRowObjectsJS();
    columns = (
      await conn.runAndReadAll(
        `select table_catalog, table_schema, table_name, column_name, ordinal_position, data_type, column_comment
         from information_schema.columns where lower(table_schema) in (${inList}) order by table_catalog, table_schema, table_name, ordinal_position`,
      )
    ).getRowObjectsJS();
  } catch (e) {
    throw new MflowError('DATABASE', `could not introspect the warehouse for catalog.json: ${(e as Error).message}`, {
      cause: e,
      hint: 'check that the target database file is readable and not locked by another process',
    });
  }
  const find = (db: string, schema: string, name: string): RelationKey[] => byKey.get(key(db, schema, name)) ?? byNoDb.get(keyNoDb(schema, name))?.filter((r) => r.database === null) ?? [];
  const entries = new Map<string, CatalogTable>();
  for (const t of tables) {
    for (const r of find(String(t.table_catalog), String(t.table_schema), String(t.table_name))) {
      const size = t.estimated_size === null || t.estimated_size === undefined ? null : Number(t.estimated_size);
      const isView = String(t.table_type).toUpperCase() === 'VIEW';
      const entry: CatalogTable = {
        metadata: { type: isView ? 'VIEW' : 'BASE TABLE', schema: String(t.table_schema), name: String(t.table_name), database: String(t.table_catalog), comment: (t.comment as string | null) ?? null, owner: null },
        columns: {},
        stats: {
          has_stats: { id: 'has_stats', label: 'Has Stats?', value: !isView && size !== null, include: false, description: 'Indicates whether there are statistics for this table' },
        },
        unique_id: r.uniqueId,
      };
      if (!isView && size !== null) {
        // DuckDB keeps an exact row count per table; views have none (counting them would run the query).
        entry.stats.row_count = { id: 'row_count', label: 'Row Count', value: size, include: true, description: 'Rows in the table, as the warehouse reports them' };
      }
      entries.set(`${r.uniqueId}`, entry);
      catalog[r.kind][r.uniqueId] = entry;
    }
  }
  for (const c of columns) {
    for (const r of find(String(c.table_catalog), String(c.table_schema), String(c.table_name))) {
      const entry = entries.get(r.uniqueId);
      if (!entry) continue;
      const name = String(c.column_name);
      entry.columns[name] = { type: String(c.data_type), index: Number(c.ordinal_position), name, comment: (c.column_comment as string | null) ?? null };
    }
  }
  return catalog;
}

/**
 * Any other warehouse (Snowflake): the adapter's introspector, one listing per schema and one
 * column query per relation found. No row counts: they would cost a query each.
 */
export async function catalogFromIntrospector(intro: Introspector, manifest: Manifest): Promise<Catalog> {
  const rels = relationsOf(manifest);
  const catalog: Catalog = { metadata: { generated_at: new Date().toISOString(), invocation_id: manifest.metadata?.invocation_id ?? null }, nodes: {}, sources: {}, errors: null };
  const schemas = new Map<string, { database: string | null; schema: string }>();
  for (const r of rels) schemas.set(`${r.database ?? ''}\u0000${r.schema.toLowerCase()}`, { database: r.database, schema: r.schema });
  type Found = { database: string | null; schema: string; identifier: string; type: string | null };
  const found = new Map<string, Found>();
  const foundNoDb = new Map<string, Found>();
  const errors: string[] = [];
  for (const { database, schema } of schemas.values()) {
    try {
      for (const rel of await intro.listRelations(database, schema)) {
        found.set(key(rel.database ?? database, rel.schema, rel.identifier), rel);
        foundNoDb.set(keyNoDb(rel.schema, rel.identifier), rel);
      }
    } catch (e) {
      errors.push(`${database ?? ''}.${schema}: ${(e as Error).message}`);
    }
  }
  for (const r of rels) {
    const rel = found.get(key(r.database, r.schema, r.name)) ?? (r.database === null ? foundNoDb.get(keyNoDb(r.schema, r.name)) : undefined);
    if (!rel) continue;
    const cols = await intro.getColumns({ database: rel.database, schema: rel.schema, identifier: rel.identifier, type: rel.type as never });
    const isView = rel.type === 'view';
    catalog[r.kind][r.uniqueId] = {
      metadata: { type: isView ? 'VIEW' : 'BASE TABLE', schema: rel.schema, name: rel.identifier, database: rel.database, comment: null, owner: null },
      columns: Object.fromEntries(cols.map((c, i) => [c.name, { type: c.dataType, index: i + 1, name: c.name, comment: null }])),
      stats: { has_stats: { id: 'has_stats', label: 'Has Stats?', value: false, include: false } },
      unique_id: r.uniqueId,
    };
  }
  if (errors.length) catalog.errors = errors;
  return catalog;
}
