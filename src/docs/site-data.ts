/**
 * What the site knows, cut in two: a compact index (every node's name, type, folder, schema,
 * tags, position in the graph, edges) loaded at start, and per-node details (docs, columns,
 * SQL, tests, lineage) in shards loaded on demand. The first render only pays for the index.
 */
import { marked } from 'marked';
import type { Manifest, ManifestNode, SourceTable, ManifestMacro } from '../contracts/manifest.js';
import type { RunResults, NodeResult } from '../contracts/results.js';
import type { Catalog, CatalogTable } from './catalog.js';
import type { ColumnLineage } from './column-lineage.js';
import { semanticFacts, semanticNode, semanticNodes } from './semantic.js';

export const SHARD_SIZE = 200;

/** One row of the index: short keys keep a 10,000-node index small. */
export interface IndexEntry {
  id: string;
  /** name */
  n: string;
  /** resource type */
  t: string;
  /** package */
  p: string;
  /** folder (directory of original_file_path) */
  f: string;
  /** schema, upper-cased like the warehouse layers (RAW, STG, ...) */
  s: string;
  /** tags */
  g: string[];
  /** first line of the description, plain text */
  d: string;
  /** graph position (absent for tests and macros) */
  x?: number;
  y?: number;
  w?: number;
  /** layer (longest path from the roots) */
  r?: number;
  /** last run status */
  st?: string;
  /** detail shard */
  k: number;
}

type AnyNode = ManifestNode | SourceTable;
const GRAPH_TYPES = new Set(['model', 'seed', 'snapshot', 'source', 'analysis', 'exposure', 'semantic_model', 'metric', 'saved_query']);

export function folderOf(p: string): string {
  const i = p.lastIndexOf('/');
  return i < 0 ? '' : p.slice(0, i);
}

/**
 * The first line of a description as plain text for result lines and search. Markdown marks go,
 * identifiers keep their underscores (`fact_admission.index_year`): only `_emphasis_` around
 * words is unwrapped.
 */
export function plainFirstLine(md: string): string {
  const line = md.split('\n').find((l) => l.trim() && !l.includes('{{')) ?? '';
  return line
    .replace(/^\s*(?:#+|>+|[-*+]\s)\s*/, '')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[*`]/g, '')
    .replace(/(^|[^\w])_+([^_\s](?:[^_]*[^_\s])?)_+(?=[^\w]|$)/g, '$1$2')
    .trim()
    .slice(0, 140);
}

/** dbt renders `{{ doc('name') }}` inside descriptions; unknown names stay visible, flagged. */
export function resolveDocBlocks(text: string, manifest: Manifest, pkg?: string): string {
  return text.replace(/\{\{\s*doc\(\s*(['"])([^'"]+)\1\s*(?:,\s*(['"])([^'"]+)\3\s*)?\)\s*\}\}/g, (_m, _q, a: string, _q2, b?: string) => {
    const [p, name] = b ? [a, b] : [pkg, a];
    const blocks = Object.values(manifest.docs ?? {});
    const hit = blocks.find((d) => d.name === name && (!p || d.package_name === p)) ?? blocks.find((d) => d.name === name);
    return hit ? hit.block_contents : `*(doc block \`${name}\` not found)*`;
  });
}

export function markdown(text: string, manifest: Manifest, pkg?: string): string {
  if (!text) return '';
  return marked.parse(resolveDocBlocks(text, manifest, pkg), { async: false, gfm: true }) as string;
}

function tableOf(catalog: Catalog | undefined, id: string): CatalogTable | undefined {
  return catalog?.nodes[id] ?? catalog?.sources[id];
}

export interface DetailInputs {
  manifest: Manifest;
  catalog?: Catalog;
  runResults?: RunResults;
  lineage?: ColumnLineage;
  /** Children that the manifest's child_map does not list (exposures, metrics... on a model). */
  extraChildren?: Map<string, string[]>;
}

export function buildDetail(id: string, inputs: DetailInputs, resultById: Map<string, NodeResult>, testsByNode: Map<string, ManifestNode[]>): Record<string, unknown> {
  const { manifest, catalog, lineage } = inputs;
  const macro = manifest.macros[id] as ManifestMacro | undefined;
  if (macro) {
    return {
      id, name: macro.name, type: 'macro', path: macro.original_file_path, package: macro.package_name,
      description: markdown(macro.description, manifest, macro.package_name),
      arguments: macro.arguments, sql: macro.macro_sql, dependsOnMacros: macro.depends_on?.macros ?? [],
    };
  }
  const extra = inputs.extraChildren?.get(id) ?? [];
  const sem = semanticNode(manifest, id);
  if (sem) {
    return {
      id, name: sem.name, type: sem.resource_type, package: sem.package_name, path: sem.original_file_path,
      description: markdown(sem.description ?? '', manifest, sem.package_name), tags: sem.tags ?? [],
      parents: sem.depends_on?.nodes ?? [], children: extra, facts: semanticFacts(sem), columns: [], tests: [],
      config: sem.config ?? {},
    };
  }
  const node = (manifest.nodes[id] ?? manifest.sources[id]) as AnyNode;
  const table = tableOf(catalog, id);
  const testResult = (t: ManifestNode) => {
    const r = resultById.get(t.unique_id);
    return { id: t.unique_id, name: t.name, kind: t.test_metadata?.name ?? 'singular', column: t.column_name ?? null, status: r?.status ?? null, failures: r?.failures ?? null, message: r?.message ?? null };
  };
  const tests = testsByNode.get(id) ?? [];
  const lin = lineage?.nodes[id];
  const declared = node.columns ?? {};
  const names: string[] = [];
  const seen = new Set<string>();
  const add = (n: string) => {
    if (!seen.has(n.toLowerCase())) {
      seen.add(n.toLowerCase());
      names.push(n);
    }
  };
  if (table) Object.values(table.columns).sort((a, b) => a.index - b.index).forEach((c) => add(c.name));
  Object.keys(declared).forEach(add);
  lin?.columns.forEach((c) => add(c.column));
  const pkg = node.package_name;
  const columns = names.map((name) => {
    const lower = name.toLowerCase();
    const decl = Object.values(declared).find((c) => c.name.toLowerCase() === lower);
    const real = table ? Object.values(table.columns).find((c) => c.name.toLowerCase() === lower) : undefined;
    const l = lin?.columns.find((c) => c.column.toLowerCase() === lower);
    return {
      name,
      type: real?.type ?? decl?.data_type ?? null,
      typeFrom: real ? 'warehouse' : decl?.data_type ? 'declared' : null,
      description: decl ? markdown(decl.description, manifest, pkg) : '',
      tests: tests.filter((t) => t.column_name?.toLowerCase() === lower).map(testResult),
      lineage: l ? { up: l.upstream.map((u) => [u.unique_id, u.column]), tr: l.transform, ok: l.traced, why: l.reasons } : null,
    };
  });
  const isSource = node.resource_type === 'source';
  const n = node as ManifestNode;
  const s = node as SourceTable;
  const r = resultById.get(id);
  return {
    id,
    name: isSource ? `${s.source_name}.${s.name}` : node.name,
    type: node.resource_type,
    package: pkg,
    path: node.original_file_path,
    database: node.database,
    schema: node.schema,
    relation: node.relation_name,
    description: markdown(isSource && !node.description ? s.source_description : node.description, manifest, pkg),
    tags: node.tags ?? [],
    config: node.config,
    materialized: isSource ? 'source' : n.config?.materialized,
    raw: isSource ? null : n.raw_code,
    compiled: isSource ? null : (n.compiled_code ?? null),
    parents: manifest.parent_map?.[id] ?? (isSource ? [] : n.depends_on?.nodes ?? []),
    children: [...(manifest.child_map?.[id] ?? []).filter((c) => manifest.nodes[c]?.resource_type !== 'test'), ...extra.filter((c) => !manifest.child_map?.[id]?.includes(c))],
    macros: isSource ? [] : (n.depends_on?.macros ?? []),
    columns,
    tests: tests.map(testResult),
    lineageError: lin?.error ?? null,
    filters: (lin?.filters ?? []).map((u) => [u.unique_id, u.column]),
    warehouse: table ? { type: table.metadata.type, rows: table.stats.row_count?.value ?? null, comment: table.metadata.comment ?? null } : null,
    lastRun: r ? { status: r.status, seconds: r.execution_time, message: r.message, rows: r.adapter_response?.rows_affected ?? null } : null,
    source: isSource ? { loader: s.loader, freshness: s.freshness ?? null, loadedAtField: s.loaded_at_field ?? null, external: s.external ?? null } : null,
    test: n.resource_type === 'test' ? { attached: n.attached_node ?? null, column: n.column_name ?? null, metadata: n.test_metadata ?? null } : null,
  };
}

/** All documented things in a stable order: graph nodes first (sorted), then tests, then macros. */
export function orderedIds(manifest: Manifest): { graph: string[]; other: string[] } {
  const all: AnyNode[] = [...Object.values(manifest.nodes), ...Object.values(manifest.sources)];
  const graph = [...all.filter((n) => GRAPH_TYPES.has(n.resource_type)).map((n) => n.unique_id), ...semanticNodes(manifest).map((n) => n.unique_id)].sort();
  const tests = Object.values(manifest.nodes).filter((n) => !GRAPH_TYPES.has(n.resource_type)).map((n) => n.unique_id).sort();
  const macros = Object.keys(manifest.macros ?? {}).sort();
  return { graph, other: [...tests, ...macros] };
}

export function indexEntry(id: string, k: number, manifest: Manifest, status: string | undefined): IndexEntry {
  const macro = manifest.macros[id];
  if (macro) return { id, n: macro.name, t: 'macro', p: macro.package_name, f: folderOf(macro.original_file_path), s: '', g: [], d: plainFirstLine(macro.description), k };
  const sem = semanticNode(manifest, id);
  if (sem) return { id, n: sem.name, t: sem.resource_type, p: sem.package_name ?? '', f: folderOf(sem.original_file_path ?? ''), s: '', g: sem.tags ?? [], d: plainFirstLine(sem.description ?? ''), k };
  const node = (manifest.nodes[id] ?? manifest.sources[id]) as AnyNode;
  const name = node.resource_type === 'source' ? `${(node as SourceTable).source_name}.${node.name}` : node.name;
  const e: IndexEntry = { id, n: name, t: node.resource_type, p: node.package_name, f: folderOf(node.original_file_path), s: (node.schema ?? '').toUpperCase(), g: node.tags ?? [], d: plainFirstLine(node.description ?? ''), k };
  if (status) e.st = status;
  return e;
}

export function testsByAttachedNode(manifest: Manifest): Map<string, ManifestNode[]> {
  const out = new Map<string, ManifestNode[]>();
  for (const n of Object.values(manifest.nodes)) {
    if (n.resource_type !== 'test') continue;
    const targets = n.attached_node ? [n.attached_node] : n.depends_on.nodes;
    for (const t of targets) out.set(t, [...(out.get(t) ?? []), n]);
  }
  return out;
}
