import type { Adapter, Column, Relation } from '../contracts/adapter.js';
import type { Manifest, ManifestNode } from '../contracts/manifest.js';
import { lazyNodesOf } from '../parse/partial/lazy.js';
import { MflowError } from '../errors.js';
import type { JinjaRuntime, RenderHost } from '../jinja/context.js';
import { JinjaRelation } from '../jinja/relation.js';
import { pickVersion } from '../graph/versions.js';
import { renderNodeOf } from '../jinja/render-node.js';
import { injectCtes } from './ephemeral.js';
import type { RelationCache } from './relation-cache.js';

export interface CompileContext {
  manifest: Manifest;
  runtime: JinjaRuntime;
  adapter: Adapter | null;
  relations: RelationCache | null;
  fullRefresh: boolean;
  log?: (msg: string, info: boolean) => void;
  /** Unit tests swap parents for fixtures: ref()/source() resolve to these instead. */
  overrides?: Map<string, string>;
  extra?: Record<string, unknown>;
  /** Set when a render reaches the warehouse or the console: its output may differ next time. */
  touched?: { warehouse: boolean };
}

const relationCache = new WeakMap<ManifestNode, { dialect: unknown; key: string; rel: JinjaRelation }>();

/** The relation a node builds, as ref() and `this` give it; one object per node while its placement holds. */
export function relationOf(ctx: CompileContext, n: ManifestNode): JinjaRelation {
  const d = ctx.runtime.dialect;
  const type = n.config.materialized === 'view' ? 'view' : n.config.materialized === 'ephemeral' ? 'cte' : 'table';
  const key = `${n.database}\0${n.schema}\0${n.alias}\0${type}`;
  const hit = relationCache.get(n);
  if (hit && hit.key === key && hit.dialect === d) return hit.rel;
  const rel = new JinjaRelation(d, n.database, n.schema, type === 'cte' ? `__dbt__cte__${n.name}` : n.alias, type);
  relationCache.set(n, { dialect: d, key, rel });
  return rel;
}

/** The fixture table a unit test puts in place of a parent, a source or the model itself. */
function fixtureFor(ctx: CompileContext, id: string): JinjaRelation | null {
  const table = ctx.overrides?.get(id);
  return table ? new JinjaRelation(ctx.runtime.dialect, null, null, table, 'cte') : null;
}

/** Renders a node's SQL with the run-time context; ephemeral parents become CTEs. */
export async function compileNode(ctx: CompileContext, node: ManifestNode, extra?: Record<string, unknown>): Promise<string> {
  return (await compileNodeTracked(ctx, node, extra)).sql;
}

/** compileNode, and whether the render (or an ephemeral parent's) asked the warehouse, logged or checked is_incremental(). */
export async function compileNodeTracked(ctx: CompileContext, node: ManifestNode, extra?: Record<string, unknown>): Promise<{ sql: string; volatile: boolean }> {
  const ctes: { name: string; sql: string }[] = [];
  const seen = new Set<string>();
  const touched = { warehouse: false };
  const sql = await renderWithCtes({ ...ctx, touched }, node, ctes, seen, extra);
  return { sql: injectCtes(sql, ctes), volatile: touched.warehouse };
}

async function renderWithCtes(ctx: CompileContext, node: ManifestNode, ctes: { name: string; sql: string }[], seen: Set<string>, extra?: Record<string, unknown>): Promise<string> {
  const ephemerals: ManifestNode[] = [];
  const host = compileHost(ctx, node, ephemerals);
  let source = node.raw_code;
  let cacheKey = `${node.unique_id}\0${node.checksum.checksum}`;
  const vars: Record<string, unknown> = { ...(ctx.extra ?? {}), ...(extra ?? {}) };
  if (node.resource_type === 'test' && node.test_metadata) {
    const kw = testKwargs(ctx, node, host);
    // Arguments written with Jinja in YAML (`expression: "{{ dbt_date.today() }} = d"`) render
    // in the test's context before the test macro sees them, as in dbt.
    const renderArg = async (v: unknown): Promise<unknown> => {
      if (typeof v === 'string') return /\{\{|\{%/.test(v) ? (await ctx.runtime.render(v, renderNodeOf(node, 1, relationOf(ctx, node), vars), host, `kw\0${v}`)).sql : v;
      if (Array.isArray(v)) return Promise.all(v.map(renderArg));
      return v;
    };
    for (const [k, v] of Object.entries(kw)) kw[k] = await renderArg(v);
    const ns = node.test_metadata.namespace;
    source = `{{ ${ns ? `${ns}.` : ''}test_${node.test_metadata.name}(${Object.keys(kw).map((k) => `${k}=__kw[${JSON.stringify(k)}]`).join(', ')}) }}`;
    cacheKey = source;
    vars.__kw = kw;
  }
  const line = node.resource_type === 'snapshot' ? undefined : 1;
  // A unit test may give a fixture for the model's own table (`input: this`).
  const thisRel = fixtureFor(ctx, node.unique_id) ?? relationOf(ctx, node);
  const r = await ctx.runtime.render(source, renderNodeOf(node, line, thisRel, vars), host, cacheKey);
  for (const e of ephemerals) {
    if (seen.has(e.unique_id)) continue;
    seen.add(e.unique_id);
    const inner: { name: string; sql: string }[] = [];
    const body = await renderWithCtes(ctx, e, inner, seen);
    ctes.push(...inner, { name: e.name, sql: body });
  }
  return r.sql;
}

const REF_ARG = /^\s*ref\(\s*['"]([^'"]+)['"]\s*\)\s*$/;
const SOURCE_ARG = /^\s*source\(\s*['"]([^'"]+)['"]\s*,\s*['"]([^'"]+)['"]\s*\)\s*$/;

/** The kwargs a generic test macro receives: model (filtered by `where`), column_name and the YAML arguments. */
function testKwargs(ctx: CompileContext, n: ManifestNode, host: RenderHost): Record<string, unknown> {
  const kw: Record<string, unknown> = {};
  const evalArg = (v: unknown): unknown => {
    if (typeof v !== 'string') return v && typeof v === 'object' ? structuredClone(v) : v;
    const r = REF_ARG.exec(v);
    if (r) return host.resolveRef({ name: r[1] });
    const s = SOURCE_ARG.exec(v);
    if (s) return host.resolveSource(s[1], s[2]);
    return v;
  };
  for (const [k, v] of Object.entries(n.test_metadata!.kwargs)) if (k !== 'model') kw[k] = evalArg(v);
  const attached = n.attached_node!;
  const src = ctx.manifest.sources[attached];
  const rel = src ? host.resolveSource(src.source_name, src.name) : host.resolveRef({ name: ctx.manifest.nodes[attached].name, version: ctx.manifest.nodes[attached].version ?? null });
  const where = n.config.where as string | null | undefined;
  kw.model = where ? `(select * from ${rel} where ${where}) dbt_subquery` : rel;
  return kw;
}

export function compileHost(ctx: CompileContext, node: ManifestNode, ephemerals: ManifestNode[]): RenderHost {
  const m = ctx.manifest;
  const byName = nameIndex(m);
  const touch = () => {
    if (ctx.touched) ctx.touched.warehouse = true;
  };
  return {
    phase: 'execute',
    resolveRef(call) {
      const target = pickVersion(byName.get(call.name) ?? [], call.version);
      if (!target) {
        throw new MflowError('UNKNOWN_REF', `ref('${call.name}') was not seen when the project was parsed`, {
          file: node.original_file_path,
          node: node.unique_id,
          hint: `Add a line "-- depends_on: {{ ref('${call.name}') }}" to ${node.original_file_path} so mflow knows the dependency.`,
        });
      }
      const fixture = fixtureFor(ctx, target.unique_id);
      if (fixture) return fixture;
      if (target.config.materialized === 'ephemeral') ephemerals.push(target);
      return relationOf(ctx, target);
    },
    resolveSource(s, t) {
      const src = Object.values(m.sources).find((x) => x.source_name === s && x.name === t);
      if (!src) throw new MflowError('UNKNOWN_SOURCE', `source('${s}', '${t}') is not declared`, { file: node.original_file_path, node: node.unique_id });
      const fixture = fixtureFor(ctx, src.unique_id);
      if (fixture) return fixture;
      return new JinjaRelation(ctx.runtime.dialect, src.database, src.schema, src.identifier, 'table', undefined, src.relation_name);
    },
    isIncremental() {
      touch();
      if (node.config.materialized !== 'incremental' || ctx.fullRefresh || node.config.full_refresh === true) return false;
      const rel = ctx.relations?.peek(node.database, node.schema, node.alias);
      return !!rel && rel.type === 'table';
    },
    query: ctx.adapter
      ? async (sql) => {
          touch();
          const c = await ctx.adapter!.acquire();
          try {
            return await c.execute(sql);
          } finally {
            ctx.adapter!.release(c);
          }
        }
      : undefined,
    getRelation: ctx.relations ? (db, schema, id): Promise<Relation | null> => (touch(), ctx.relations!.get(db, schema, id)) : undefined,
    getColumns: ctx.adapter ? (rel): Promise<Column[]> => (touch(), ctx.adapter!.introspector.getColumns({ ...rel, type: null })) : undefined,
    log: ctx.log
      ? (msg, info) => {
          touch();
          ctx.log!(msg, info);
        }
      : undefined,
  };
}

const indexCache = new WeakMap<Manifest, Map<string, ManifestNode[]>>();
function nameIndex(m: Manifest): Map<string, ManifestNode[]> {
  let idx = indexCache.get(m);
  if (!idx) {
    idx = new Map();
    const lz = lazyNodesOf(m.nodes);
    if (lz) {
      // A lazily read manifest (parse/partial/lazy.ts), where a compile renders a few nodes: each
      // name looked up is found by a scan of the briefs (a map of all names after 16 of them), and
      // only its nodes are read.
      const all = lz.ids();
      const made = new Map<string, ManifestNode[] | undefined>();
      let byName: Map<string, string[]> | null = null;
      const named = (b: { resource_type: string }) => b.resource_type === 'model' || b.resource_type === 'seed' || b.resource_type === 'snapshot';
      idx = {
        get(name: string) {
          if (made.has(name)) return made.get(name);
          let ids: string[] | undefined;
          if (!byName && made.size >= 16) {
            byName = new Map();
            for (const id of all) {
              const b = lz.brief(id);
              if (!b || !named(b)) continue;
              const list = byName.get(b.name);
              if (list) list.push(id);
              else byName.set(b.name, [id]);
            }
          }
          if (byName) ids = byName.get(name);
          else {
            const found = all.filter((id) => {
              const b = lz.brief(id);
              return b !== undefined && b.name === name && named(b);
            });
            ids = found.length ? found : undefined;
          }
          const list = ids?.map((id) => m.nodes[id]);
          made.set(name, list);
          return list;
        },
      } as Map<string, ManifestNode[]>;
    } else {
      idx = new Map();
      for (const n of Object.values(m.nodes)) {
        if (n.resource_type === 'model' || n.resource_type === 'seed' || n.resource_type === 'snapshot') {
          const list = idx.get(n.name);
          if (list) list.push(n);
          else idx.set(n.name, [n]);
        }
      }
    }
    indexCache.set(m, idx);
  }
  return idx;
}
