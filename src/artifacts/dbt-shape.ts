import type { Manifest, ManifestNode } from '../contracts/manifest.js';
import type { RunResults } from '../contracts/results.js';
import { MFLOW_VERSION } from '../version.js';

/**
 * manifest.json and run_results.json as dbt writes them (manifest v12, run-results v6), so tools
 * built for dbt's artifacts (dbt-artifacts-parser, elementary, datahub, dbt-checkpoint, ...) read
 * ours. The in-memory manifest keeps a few fields of mflow's own (where a node was declared, the
 * line of a macro); they stay in memory, and the files carry exactly dbt's keys.
 * tests/dbt-lang/artifacts.test.ts validates both files against the JSON schemas dbt-core
 * 1.12 generates for them.
 */
export const DBT_MANIFEST_SCHEMA = 'https://schemas.getdbt.com/dbt/manifest/v12.json';
export const DBT_RUN_RESULTS_SCHEMA = 'https://schemas.getdbt.com/dbt/run-results/v6.json';
/** The dbt release whose artifact shapes these files follow (mflow's own version is in metadata.env). */
export const DBT_COMPAT_VERSION = '1.12.6';

const without = <T extends object>(o: T, keys: string[]): Record<string, unknown> => {
  const out: Record<string, unknown> = { ...(o as Record<string, unknown>) };
  for (const k of keys) delete out[k];
  return out;
};

export function dbtMetadata(m: { generated_at: string; invocation_id: string }, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { dbt_schema_version: DBT_MANIFEST_SCHEMA, dbt_version: DBT_COMPAT_VERSION, generated_at: m.generated_at, invocation_id: m.invocation_id, env: { MFLOW_VERSION }, ...extra };
}

/** A unit test in dbt's `unit_tests` shape, from mflow's unit-test node and its definition. */
export function dbtUnitTest(node: ManifestNode, def: Record<string, unknown>): Record<string, unknown> {
  const fixture = (f: Record<string, unknown>) => {
    const out: Record<string, unknown> = {};
    for (const k of ['input', 'rows', 'format', 'fixture']) if (f[k] !== undefined) out[k] = f[k];
    return out;
  };
  const model = node.attached_node ?? '';
  return {
    model: String(def.model ?? model.split('.')[2] ?? ''),
    given: ((def.given as Record<string, unknown>[]) ?? []).map(fixture),
    expect: fixture((def.expect as Record<string, unknown>) ?? {}),
    name: node.name,
    resource_type: 'unit_test',
    package_name: node.package_name,
    path: node.original_file_path.split('/').slice(1).join('/'),
    original_file_path: node.original_file_path,
    unique_id: node.unique_id,
    fqn: node.fqn,
    description: node.description ?? '',
    overrides: (def.overrides as Record<string, unknown> | undefined) ?? null,
    depends_on: node.depends_on,
    config: node.config,
    checksum: node.checksum?.checksum ?? null,
    schema: node.schema ?? null,
    version: node.version ?? null,
  };
}

/** A node (not a unit test) as manifest.json holds it. */
export function dbtNode(n: ManifestNode): Record<string, unknown> {
  let out = without(n, ['declared_at']);
  if (n.resource_type === 'seed') {
    out = without(out, ['language', 'refs', 'sources', 'version', 'latest_version']);
    out.depends_on = { macros: n.depends_on.macros };
  } else if (n.resource_type !== 'model') out = without(out, ['version', 'latest_version']);
  return out;
}

/**
 * Whether dbtNode(n) serialises to the same JSON as n (it drops no key n has): a writer that has
 * n's JSON already can reuse it for manifest.json.
 */
export function dbtNodeIsNode(n: ManifestNode): boolean {
  const has = (k: string) => Object.prototype.hasOwnProperty.call(n, k);
  return n.resource_type !== 'seed' && !has('declared_at') && (n.resource_type === 'model' || (!has('version') && !has('latest_version')));
}

/** manifest.json's metadata. */
export function dbtManifestMetadata(m: Manifest): Record<string, unknown> {
  const md = m.metadata;
  return dbtMetadata(md, { project_name: md.project_name, adapter_type: md.adapter_type, send_anonymous_usage_stats: false, user_id: null });
}

export function toDbtManifest(m: Manifest): Record<string, unknown> {
  const nodes: Record<string, unknown> = {};
  const unitTests: Record<string, unknown> = {};
  for (const [id, n] of Object.entries(m.nodes)) {
    if (n.resource_type === 'unit_test') {
      unitTests[id] = dbtUnitTest(n, (m.unit_tests[id] as Record<string, unknown>) ?? {});
      continue;
    }
    nodes[id] = dbtNode(n);
  }
  const macros: Record<string, unknown> = {};
  for (const [id, mac] of Object.entries(m.macros)) {
    macros[id] = { ...without(mac, ['line']), resource_type: 'macro', arguments: mac.arguments.map((a) => ({ name: a.name, type: null, description: '' })) };
  }
  const sources: Record<string, unknown> = {};
  for (const [id, s] of Object.entries(m.sources)) sources[id] = without(s, ['declared_at']);
  const disabled: Record<string, unknown[]> = {};
  for (const [id, list] of Object.entries(m.disabled ?? {})) {
    disabled[id] = list.map((n) => ((n as ManifestNode).resource_type === 'unit_test' ? dbtUnitTest(n as ManifestNode, n as Record<string, unknown>) : without(n as object, ['declared_at'])));
  }
  return {
    metadata: dbtManifestMetadata(m),
    nodes,
    sources,
    macros,
    docs: Object.fromEntries(Object.entries(m.docs).map(([id, d]) => [id, { ...d, resource_type: 'doc', path: d.original_file_path.split('/').slice(1).join('/') }])),
    exposures: m.exposures ?? {},
    metrics: m.metrics ?? {},
    groups: m.groups ?? {},
    selectors: m.selectors,
    disabled,
    parent_map: m.parent_map,
    child_map: m.child_map,
    group_map: m.group_map ?? {},
    saved_queries: m.saved_queries ?? {},
    semantic_models: m.semantic_models ?? {},
    unit_tests: unitTests,
    // dbt 1.12's user-defined functions; mflow has none.
    functions: {},
  };
}

/** run_results.json in dbt's v6 shape. */
export function toDbtRunResults(r: RunResults): Record<string, unknown> {
  return {
    metadata: { ...dbtMetadata(r.metadata), dbt_schema_version: DBT_RUN_RESULTS_SCHEMA },
    results: r.results.map((x) => ({
      status: x.status,
      timing: x.timing,
      thread_id: 'Thread-1',
      execution_time: x.execution_time,
      adapter_response: x.adapter_response,
      message: x.message,
      failures: x.failures,
      unique_id: x.unique_id,
      compiled: x.compiled_code !== undefined ? true : null,
      compiled_code: x.compiled_code ?? null,
      relation_name: x.relation_name ?? null,
      batch_results: null,
    })),
    elapsed_time: r.elapsed_time,
    args: r.args,
    // A run stopped before any node ran (early-failure.ts) says why: no result carries it.
    ...('errors' in r ? { success: (r as { success?: unknown }).success, errors: (r as { errors?: unknown }).errors } : {}),
  };
}
