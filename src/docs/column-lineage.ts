/**
 * Column-level lineage: for every column of every model, the upstream columns (one hop, on the
 * model's direct parents) it is computed from. DuckDB parses the compiled SQL for us
 * (`json_serialize_sql`), so this follows the real grammar; `sql-scope.ts` resolves names.
 * Models are processed parents-first so that a `select *` over a model expands to the columns
 * that model really has.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import type { Manifest, ManifestNode } from '../contracts/manifest.js';
import type { Catalog } from './catalog.js';
import { analyzeStatement, type ColumnRef, type OutputColumn, type RelColumns } from './sql-scope.js';

export type { ColumnRef } from './sql-scope.js';

export interface ColumnLineageEntry {
  column: string;
  /** Upstream columns on direct parents (models, seeds, snapshots, sources). */
  upstream: ColumnRef[];
  transform: 'identity' | 'rename' | 'expression' | 'aggregate' | 'constant' | 'unknown';
  /** False when some input of the column could not be traced; `reasons` says why. */
  traced: boolean;
  reasons: string[];
}

export interface NodeColumnLineage {
  columns: ColumnLineageEntry[];
  /** Upstream columns read by WHERE / HAVING / QUALIFY / JOIN conditions: they filter every row of the model. */
  filters?: ColumnRef[];
  /** Set when the whole model could not be analysed (not compiled, SQL DuckDB cannot parse). */
  error?: string;
}

export interface ColumnLineage {
  nodes: Record<string, NodeColumnLineage>;
  elapsedMs: number;
}

export interface ColumnLineageOptions {
  /** Real column lists from the warehouse: used for `select *` over sources and seeds. */
  catalog?: Catalog;
  /** Statements sent to DuckDB's parser per query. */
  batchSize?: number;
}

const ANALYSED = new Set(['model', 'snapshot']);
const lc = (s: string) => s.toLowerCase();
const unquote = (s: string) => s.replace(/^"(.*)"$/, '$1').replace(/""/g, '"');

/**
 * Parses many SQL strings with DuckDB's parser, a batch per query, yielding each batch's trees in
 * order. The next batch is already parsing (in DuckDB's threads) while the caller walks this
 * one, and trees are dropped once walked: holding 10,000 parse trees at once cost more in garbage
 * collection than the parsing itself.
 */
async function* parseBatches(sqls: string[], batchSize: number): AsyncGenerator<unknown[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  const parse = (i: number) =>
    conn.runAndReadAll(
      `select json_serialize_sql(s) as ast from (select unnest(from_json($1::json, '["VARCHAR"]')) as s, generate_subscripts(from_json($1::json, '["VARCHAR"]'), 1) as i) order by i`,
      [JSON.stringify(sqls.slice(i, i + batchSize))],
    );
  let next = sqls.length ? parse(0) : null;
  try {
    for (let i = 0; next; i += batchSize) {
      const reader = await next;
      next = i + batchSize < sqls.length ? parse(i + batchSize) : null;
      yield reader.getRows().map(([ast]) => JSON.parse(String(ast)));
    }
  } finally {
    // Stopped early: let the batch in flight finish before closing its connection.
    await next?.catch(() => undefined);
    conn.closeSync();
    instance.closeSync();
  }
}

/** Keys under which a relation can be named in compiled SQL. */
function relationKeys(database: string | null, schema: string, name: string): string[] {
  const keys = [`${lc(schema)}.${lc(name)}`];
  if (database) keys.unshift(`${lc(database)}.${lc(schema)}.${lc(name)}`);
  return keys;
}

function topoOrder(manifest: Manifest, ids: string[]): string[] {
  const set = new Set(ids);
  const indeg = new Map<string, number>();
  const children = new Map<string, string[]>();
  for (const id of ids) {
    const parents = (manifest.nodes[id].depends_on?.nodes ?? []).filter((p) => set.has(p));
    indeg.set(id, parents.length);
    for (const p of parents) (children.get(p) ?? children.set(p, []).get(p)!).push(id);
  }
  const queue = ids.filter((id) => indeg.get(id) === 0).sort();
  const out: string[] = [];
  for (let i = 0; i < queue.length; i++) {
    out.push(queue[i]);
    for (const c of children.get(queue[i]) ?? []) {
      const d = indeg.get(c)! - 1;
      indeg.set(c, d);
      if (d === 0) queue.push(c);
    }
  }
  // A cycle cannot reach here through a valid manifest; keep the leftovers rather than drop them.
  if (out.length < ids.length) {
    const done = new Set(out);
    for (const id of ids) if (!done.has(id)) out.push(id);
  }
  return out;
}

export async function computeColumnLineage(manifest: Manifest, opts: ColumnLineageOptions = {}): Promise<ColumnLineage> {
  const started = performance.now();
  const catalog = opts.catalog;
  const byRelation = new Map<string, string>();
  const ephemeralByName = new Map<string, string>();
  for (const n of Object.values(manifest.nodes)) {
    if (!['model', 'seed', 'snapshot'].includes(n.resource_type)) continue;
    if (n.config?.materialized === 'ephemeral') ephemeralByName.set(lc(n.name), n.unique_id);
    else for (const k of relationKeys(n.database, n.schema, n.alias || n.name)) byRelation.set(k, n.unique_id);
  }
  for (const s of Object.values(manifest.sources)) {
    for (const k of relationKeys(s.database, s.schema, s.identifier || s.name)) byRelation.set(k, s.unique_id);
  }

  const outputs = new Map<string, OutputColumn[]>();
  const catalogColumns = (uid: string): string[] | null => {
    const t = catalog?.nodes[uid] ?? catalog?.sources[uid];
    if (!t) return null;
    return Object.values(t.columns)
      .sort((a, b) => a.index - b.index)
      .map((c) => c.name);
  };
  const relFor = (uid: string): RelColumns => {
    const cols = catalogColumns(uid);
    if (cols) return { uniqueId: uid, columns: cols.map((c) => ({ name: c, origin: { refs: [{ unique_id: uid, column: c }], untraced: [] }, transform: 'identity' })) };
    const computed = outputs.get(uid);
    if (computed) return { uniqueId: uid, columns: computed.map((c) => ({ name: c.name, origin: { refs: [{ unique_id: uid, column: c.name ?? '' }], untraced: [] }, transform: 'identity' })) };
    return { uniqueId: uid, columns: null, reason: `the columns of ${uid} are unknown (not in catalog.json; run mflow docs generate after a build)` };
  };
  const resolve = (catalogName: string, schema: string, table: string): RelColumns | null => {
    const eph = /^__dbt__cte__(.+)$/i.exec(table);
    if (eph && !schema && !catalogName) {
      const uid = ephemeralByName.get(lc(eph[1]));
      return uid ? relFor(uid) : null;
    }
    const k = [catalogName, schema, table].filter(Boolean).map((p) => lc(unquote(p))).join('.');
    let uid = byRelation.get(k);
    // DuckDB reads `a.b` as schema.table or as catalog.table (default schema main).
    if (!uid && catalogName === '' && schema) uid = byRelation.get(`${lc(schema)}.main.${lc(table)}`);
    return uid ? relFor(uid) : null;
  };

  const ids = Object.keys(manifest.nodes).filter((id) => ANALYSED.has(manifest.nodes[id].resource_type) && manifest.nodes[id].config?.enabled !== false);
  const order = topoOrder(manifest, ids);
  const withSql = order.filter((id) => typeof manifest.nodes[id].compiled_code === 'string' && manifest.nodes[id].compiled_code!.trim());
  const batchSize = opts.batchSize ?? 250;
  const batches = parseBatches(
    withSql.map((id) => manifest.nodes[id].compiled_code!),
    batchSize,
  );
  // `order` is parents-first and `withSql` keeps that order, so batches arrive as they are needed.
  let batch: unknown[] = [];
  let batchStart = 0;
  let sqlIndex = 0;
  const hasSql = new Set(withSql);

  const result: Record<string, NodeColumnLineage> = {};
  try {
    for (const id of order) {
      const node = manifest.nodes[id];
      let ast: { error?: boolean; error_message?: string; statements?: { node: unknown }[] } | undefined;
      if (hasSql.has(id)) {
        if (sqlIndex >= batchStart + batch.length) {
          batchStart += batch.length;
          batch = (await batches.next()).value ?? [];
        }
        ast = batch[sqlIndex - batchStart] as typeof ast;
        sqlIndex++;
      }
      if (!ast) {
        result[id] = unknownModel(node, id, catalogColumns(id), 'the model has no compiled SQL (run mflow compile first)');
        continue;
      }
      if (ast.error || !ast.statements?.length) {
        result[id] = unknownModel(node, id, catalogColumns(id), `DuckDB could not parse the compiled SQL: ${ast.error_message ?? 'no statement'}`);
        continue;
      }
      const rel = analyzeStatement(ast.statements[ast.statements.length - 1].node, resolve);
      const entries = finalise(rel, catalogColumns(id));
      // Downstream `select *` expands to these names when the warehouse has not told us better.
      if (rel.columns) outputs.set(id, entries.map((e) => ({ name: e.column, origin: { refs: [], untraced: [] }, transform: 'identity' })));
      result[id] = { columns: entries, filters: rel.filters.refs };
    }
  } finally {
    await batches.return(undefined);
  }
  return { nodes: result, elapsedMs: performance.now() - started };
}

function unknownModel(node: ManifestNode, id: string, real: string[] | null, error: string): NodeColumnLineage {
  const names = real ?? Object.values(node.columns ?? {}).map((c) => c.name);
  void id;
  return { error, columns: names.map((column) => ({ column, upstream: [], transform: 'unknown', traced: false, reasons: [error] })) };
}

/** Name the analysed columns (the warehouse's names win, by position) and flag the gaps. */
function finalise(rel: RelColumns, real: string[] | null): ColumnLineageEntry[] {
  const toEntry = (c: OutputColumn, name: string): ColumnLineageEntry => ({
    column: name,
    upstream: c.origin.refs,
    transform: c.transform,
    traced: c.origin.untraced.length === 0,
    reasons: c.origin.untraced,
  });
  if (rel.columns) {
    const sameShape = real && real.length === rel.columns.length;
    return rel.columns.map((c, i) => toEntry(c, sameShape ? real[i] : (c.name ?? `(unnamed expression #${i + 1})`)));
  }
  // A `select *` we could not expand: keep what is known by name, mark every other real column.
  const partial = rel.partial ?? [];
  const reason = rel.reason ?? 'the query has columns that cannot be traced';
  const named = new Map(partial.filter((c) => c.name).map((c) => [lc(c.name!), c]));
  if (!real) return partial.filter((c) => c.name).map((c) => toEntry(c, c.name!));
  return real.map((name) => {
    const c = named.get(lc(name));
    return c ? toEntry(c, name) : { column: name, upstream: [], transform: 'unknown', traced: false, reasons: [reason] };
  });
}
