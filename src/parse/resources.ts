import type { ManifestNode, ManifestResource, RefCall, SourceTable } from '../contracts/manifest.js';
import { MflowError, closest } from '../errors.js';

/**
 * Groups, exposures, semantic models, metrics and saved queries: parsed from properties files into
 * the manifest in dbt's shapes (manifest v12: top-level `groups`, `exposures`, `semantic_models`,
 * `metrics`, `saved_queries`, keyed `exposure.<project>.<name>`, ...), with their dependencies in
 * `depends_on.nodes`, so selectors (`+exposure:x`), the docs site and tools for dbt read them.
 * mflow does not query metrics (there is no semantic layer); it records and checks them.
 */
export type ResourceKind = 'groups' | 'exposures' | 'semantic_models' | 'metrics' | 'saved_queries';
export const RESOURCE_KINDS: ResourceKind[] = ['groups', 'exposures', 'semantic_models', 'metrics', 'saved_queries'];

export interface ResourceDef {
  kind: ResourceKind;
  name: string;
  file: string;
  line: number;
  raw: Record<string, unknown>;
}

export type Resource = ManifestResource;

export interface ResourceSets {
  groups: Record<string, Resource>;
  exposures: Record<string, Resource>;
  semantic_models: Record<string, Resource>;
  metrics: Record<string, Resource>;
  saved_queries: Record<string, Resource>;
}

const TYPE: Record<ResourceKind, string> = { groups: 'group', exposures: 'exposure', semantic_models: 'semantic_model', metrics: 'metric', saved_queries: 'saved_query' };
const REF = /^\s*ref\(\s*['"]([^'"]+)['"]\s*(?:,\s*(?:v|version)\s*=\s*['"]?([^'")\s]+)['"]?\s*)?\)\s*$/;
const SOURCE = /^\s*source\(\s*['"]([^'"]+)['"]\s*,\s*['"]([^'"]+)['"]\s*\)\s*$/;

export interface ResolveCtx {
  projectName: string;
  resolveRef: (r: RefCall) => ManifestNode | undefined;
  refNames: () => Iterable<string>;
  sources: Record<string, SourceTable>;
  target: { database: string | null; schema: string };
}

const str = (v: unknown): string | null => (v === undefined || v === null ? null : String(v));
const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);

/** Builds the manifest entries; errors (an unknown ref, measure or metric) carry the YAML file and line. */
export function buildResources(defs: ResourceDef[], c: ResolveCtx, errors: MflowError[]): ResourceSets {
  const out: ResourceSets = { groups: {}, exposures: {}, semantic_models: {}, metrics: {}, saved_queries: {} };
  const seen = new Map<string, ResourceDef>();
  const base = (d: ResourceDef) => {
    const uid = `${TYPE[d.kind]}.${c.projectName}.${d.name}`;
    const prev = seen.get(uid);
    if (prev) errors.push(new MflowError('DUPLICATE_NODE', `${TYPE[d.kind]} '${d.name}' is declared twice (also in ${prev.file}:${prev.line})`, { file: d.file, line: d.line }));
    seen.set(uid, d);
    return { name: d.name, resource_type: TYPE[d.kind], package_name: c.projectName, path: d.file.split('/').slice(1).join('/'), original_file_path: d.file, unique_id: uid };
  };
  const fqn = (d: ResourceDef) => [c.projectName, ...d.file.split('/').slice(1, -1), d.name];
  const enabled = (d: ResourceDef) => obj(d.raw.config).enabled !== false;
  const refTo = (d: ResourceDef, expr: string, refs: RefCall[], nodes: Set<string>, sources: [string, string][]) => {
    const m = REF.exec(expr);
    if (m) {
      const call: RefCall = { name: m[1], package: null, version: m[2] ?? null };
      const t = c.resolveRef(call);
      refs.push(call);
      if (t) nodes.add(t.unique_id);
      else {
        const s = closest(m[1], c.refNames());
        errors.push(new MflowError('UNKNOWN_REF', `${TYPE[d.kind]} '${d.name}' depends on ${expr}, which was not found`, { file: d.file, line: d.line, hint: s ? `Did you mean ref('${s}')?` : undefined }));
      }
      return t;
    }
    const s = SOURCE.exec(expr);
    if (s) {
      const id = `source.${c.projectName}.${s[1]}.${s[2]}`;
      sources.push([s[1], s[2]]);
      if (c.sources[id]) nodes.add(id);
      else errors.push(new MflowError('UNKNOWN_SOURCE', `${TYPE[d.kind]} '${d.name}' depends on ${expr}, which is not declared`, { file: d.file, line: d.line }));
      return undefined;
    }
    errors.push(new MflowError('YAML_SYNTAX', `${TYPE[d.kind]} '${d.name}': '${expr}' must be ref('name') or source('src', 'table')`, { file: d.file, line: d.line }));
    return undefined;
  };
  const cfg = (d: ResourceDef, extra: Record<string, unknown> = {}) => ({ enabled: true, group: null, meta: {}, ...extra, ...obj(d.raw.config) });

  for (const d of defs.filter((x) => x.kind === 'groups')) {
    const r = d.raw;
    out.groups[`group.${c.projectName}.${d.name}`] = { ...base(d), owner: { email: null, name: null, ...obj(r.owner) }, description: str(r.description), config: { meta: {}, ...obj(r.config) } };
  }

  for (const d of defs.filter((x) => x.kind === 'exposures' && enabled(x))) {
    const r = d.raw;
    const refs: RefCall[] = [];
    const nodes = new Set<string>();
    const sources: [string, string][] = [];
    for (const dep of arr(r.depends_on)) refTo(d, String(dep), refs, nodes, sources);
    const tags = arr(r.tags).map(String);
    out.exposures[`exposure.${c.projectName}.${d.name}`] = {
      ...base(d),
      fqn: fqn(d),
      type: String(r.type ?? 'dashboard'),
      owner: { email: null, name: null, ...obj(r.owner) },
      description: String(r.description ?? ''),
      label: str(r.label),
      maturity: str(r.maturity),
      meta: obj(r.meta),
      tags,
      config: { enabled: true, tags, meta: obj(r.meta), ...obj(r.config) },
      unrendered_config: {},
      url: str(r.url),
      depends_on: { macros: [], nodes: [...nodes] },
      refs,
      sources,
      metrics: [],
      created_at: Date.now() / 1000,
    };
  }

  // Semantic models first: metrics depend on the semantic model that defines their measure.
  const measureOwner = new Map<string, string>();
  for (const d of defs.filter((x) => x.kind === 'semantic_models' && enabled(x))) {
    const r = d.raw;
    const refs: RefCall[] = [];
    const nodes = new Set<string>();
    const model = refTo(d, String(r.model ?? ''), refs, nodes, []);
    const uid = `semantic_model.${c.projectName}.${d.name}`;
    const measures = arr(r.measures).map((m) => {
      const x = obj(m);
      measureOwner.set(String(x.name), uid);
      return { name: String(x.name), agg: String(x.agg ?? ''), description: str(x.description), label: str(x.label), create_metric: Boolean(x.create_metric ?? false), expr: str(x.expr), agg_params: x.agg_params ?? null, non_additive_dimension: x.non_additive_dimension ?? null, agg_time_dimension: str(x.agg_time_dimension), config: { meta: {}, ...obj(x.config) } };
    });
    out.semantic_models[uid] = {
      ...base(d),
      fqn: fqn(d),
      model: String(r.model ?? ''),
      node_relation: model ? { alias: model.alias, schema_name: model.schema, database: model.database, relation_name: model.relation_name } : null,
      description: str(r.description),
      label: str(r.label),
      defaults: r.defaults ?? null,
      entities: arr(r.entities).map((e) => {
        const x = obj(e);
        return { name: String(x.name), type: String(x.type), description: str(x.description), label: str(x.label), role: str(x.role), expr: str(x.expr), config: { meta: {}, ...obj(x.config) } };
      }),
      measures,
      dimensions: arr(r.dimensions).map((e) => {
        const x = obj(e);
        const tp = x.type_params ? { time_granularity: null, validity_params: null, ...obj(x.type_params) } : null;
        return { name: String(x.name), type: String(x.type), description: str(x.description), label: str(x.label), is_partition: Boolean(x.is_partition ?? false), type_params: tp, expr: str(x.expr), metadata: null, config: { meta: {}, ...obj(x.config) }, datatype: null };
      }),
      metadata: null,
      depends_on: { macros: [], nodes: [...nodes] },
      refs,
      created_at: Date.now() / 1000,
      config: cfg(d),
      unrendered_config: {},
      primary_entity: str(r.primary_entity),
      group: str(obj(r.config).group),
    };
  }

  const metricDefs = defs.filter((x) => x.kind === 'metrics' && enabled(x));
  const metricNames = new Set(metricDefs.map((x) => x.name));
  const measureInput = (m: unknown) => {
    const x = typeof m === 'string' ? { name: m } : obj(m);
    return { name: String(x.name), filter: x.filter ?? null, alias: str(x.alias), join_to_timespine: Boolean(x.join_to_timespine ?? false), fill_nulls_with: x.fill_nulls_with ?? null };
  };
  const metricInput = (m: unknown) => {
    const x = typeof m === 'string' ? { name: m } : obj(m);
    return { name: String(x.name), filter: x.filter ?? null, alias: str(x.alias), offset_window: x.offset_window ?? null, offset_to_grain: x.offset_to_grain ?? null };
  };
  const built = new Map<string, { measures: ReturnType<typeof measureInput>[] }>();
  // Ratio and derived metrics use other metrics' measures: resolve in dependency order.
  const inputsOf = (name: string, stack: string[] = []): ReturnType<typeof measureInput>[] => {
    if (built.has(name)) return built.get(name)!.measures;
    const d = metricDefs.find((x) => x.name === name);
    if (!d || stack.includes(name)) return [];
    const tp = obj(d.raw.type_params);
    const type = String(d.raw.type ?? 'simple');
    let measures: ReturnType<typeof measureInput>[] = [];
    if (type === 'simple' || type === 'cumulative' || type === 'conversion') {
      const m = tp.measure ?? obj(tp.conversion_type_params).base_measure;
      measures = m !== undefined ? [measureInput(m)] : [];
    } else {
      const names = type === 'ratio' ? [tp.numerator, tp.denominator] : arr(tp.metrics);
      for (const n of names) measures.push(...inputsOf(metricInput(n).name, [...stack, name]));
    }
    built.set(name, { measures });
    return measures;
  };
  for (const d of metricDefs) {
    const r = d.raw;
    const type = String(r.type ?? 'simple');
    const tp = obj(r.type_params);
    const nodes = new Set<string>();
    const needMetric = (n: string) => {
      if (metricNames.has(n)) nodes.add(`metric.${c.projectName}.${n}`);
      else errors.push(new MflowError('CONFIG', `metric '${d.name}' uses metric '${n}', which is not defined`, { file: d.file, line: d.line, hint: (closest(n, metricNames) && `Did you mean '${closest(n, metricNames)}'?`) || undefined }));
    };
    const measure = tp.measure !== undefined ? measureInput(tp.measure) : null;
    if (type === 'simple' || type === 'cumulative') {
      if (!measure) errors.push(new MflowError('CONFIG', `${type} metric '${d.name}' needs type_params.measure`, { file: d.file, line: d.line }));
      else if (!measureOwner.has(measure.name)) errors.push(new MflowError('CONFIG', `metric '${d.name}' uses measure '${measure.name}', which no semantic model defines`, { file: d.file, line: d.line, hint: (closest(measure.name, measureOwner.keys()) && `Did you mean '${closest(measure.name, measureOwner.keys())}'?`) || undefined }));
      else nodes.add(measureOwner.get(measure.name)!);
    }
    const numerator = tp.numerator !== undefined ? metricInput(tp.numerator) : null;
    const denominator = tp.denominator !== undefined ? metricInput(tp.denominator) : null;
    if (type === 'ratio') {
      if (!numerator || !denominator) errors.push(new MflowError('CONFIG', `ratio metric '${d.name}' needs type_params.numerator and denominator`, { file: d.file, line: d.line }));
      else [numerator.name, denominator.name].forEach(needMetric);
    }
    const metrics = arr(tp.metrics).map(metricInput);
    if (type === 'derived') metrics.forEach((m) => needMetric(m.name));
    out.metrics[`metric.${c.projectName}.${d.name}`] = {
      ...base(d),
      fqn: fqn(d),
      description: String(r.description ?? ''),
      label: String(r.label ?? d.name),
      type,
      type_params: {
        measure,
        input_measures: inputsOf(d.name),
        numerator,
        denominator,
        expr: str(tp.expr),
        window: tp.window ?? null,
        grain_to_date: tp.grain_to_date ?? null,
        metrics,
        conversion_type_params: tp.conversion_type_params ?? null,
        cumulative_type_params: tp.cumulative_type_params ?? null,
        metric_aggregation_params: null,
        fill_nulls_with: tp.fill_nulls_with ?? null,
        join_to_timespine: Boolean(tp.join_to_timespine ?? false),
        is_private: null,
      },
      filter: r.filter ?? null,
      metadata: null,
      time_granularity: str(r.time_granularity),
      config: cfg(d),
      unrendered_config: {},
      sources: [],
      depends_on: { macros: [], nodes: [...nodes] },
      refs: [],
      metrics: [],
      created_at: Date.now() / 1000,
      group: str(obj(r.config).group),
      meta: obj(r.meta),
      tags: arr(r.tags).map(String),
    };
  }

  for (const d of defs.filter((x) => x.kind === 'saved_queries' && enabled(x))) {
    const r = d.raw;
    const qp = obj(r.query_params);
    const nodes = new Set<string>();
    const metrics = arr(qp.metrics).map(String);
    for (const m of metrics) {
      if (metricNames.has(m)) nodes.add(`metric.${c.projectName}.${m}`);
      else errors.push(new MflowError('CONFIG', `saved query '${d.name}' uses metric '${m}', which is not defined`, { file: d.file, line: d.line }));
    }
    out.saved_queries[`saved_query.${c.projectName}.${d.name}`] = {
      ...base(d),
      fqn: fqn(d),
      query_params: { metrics, group_by: arr(qp.group_by).map(String), where: qp.where ?? null, order_by: arr(qp.order_by), limit: qp.limit ?? null },
      exports: arr(r.exports).map((e) => {
        const x = obj(e);
        const ec = obj(x.config);
        return { name: String(x.name), config: { export_as: String(ec.export_as ?? 'table'), schema_name: String(ec.schema ?? c.target.schema), alias: String(ec.alias ?? x.name), database: c.target.database }, unrendered_config: ec };
      }),
      description: str(r.description),
      label: str(r.label),
      metadata: null,
      config: { ...cfg(d, { export_as: null, schema: null, cache: { enabled: false } }) },
      unrendered_config: {},
      group: str(obj(r.config).group),
      depends_on: { macros: [], nodes: [...nodes] },
      created_at: Date.now() / 1000,
      refs: [],
      tags: arr(r.tags).map(String),
    };
  }
  return out;
}
