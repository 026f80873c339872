import { randomUUID } from 'node:crypto';
import { validateNodeConfigs } from './validate-configs.js';
import { redactDeep } from '../project/secrets.js';
import { join } from 'node:path';
import {
  MANIFEST_SCHEMA_VERSION,
  type DocBlock,
  type Manifest,
  type ManifestMacro,
  type ManifestNode,
  type NodeConfig,
  type RefCall,
  type ResourceType,
  type SourceTable,
} from '../contracts/manifest.js';
import { MflowError, MflowErrors } from '../errors.js';
import { parentChildMaps } from '../graph/maps.js';
import { JinjaRuntime, type RenderHost, type RenderNode } from '../jinja/context.js';
import type { ResolvedTarget } from '../project/types.js';
import { sha256 } from '../util/fs.js';
import { phase } from '../util/timing.js';
import { MFLOW_VERSION } from '../version.js';
import { FolderConfigs, checkConfigKeys, defaultConfig, mergeConfig } from './configs.js';
import { discoverWithPackages } from './discover.js';
import { loadInstalledPackages } from '../project/packages.js';
import { checkAccess } from './access.js';
import { checkContracts } from './contract-check.js';
import { buildResources } from './resources.js';
import { buildTestNode } from './tests.js';
import { pickVersion, refCandidates } from '../graph/versions.js';
import { renderNodeOf } from '../jinja/render-node.js';
import { collectNodes } from './collect-nodes.js';
import { type ParseCtx, type ParseOptions, type ParseResult } from './parse-context.js';
import { readMacrosAndDocs, readProperties } from './read-definitions.js';
import { placeAndResolve } from './resolve-nodes.js';
import { buildUnitTestNodes } from './unit-test-nodes.js';

// Kept for callers written before these moved down a stage (compile/ and run/ import them from there).
export { pickVersion, refCandidates, renderNodeOf };
export { graphOf, parseHost } from './parse-host.js';
import { graphOf, parseHost } from './parse-host.js';

export type { ParseOptions, ParseResult };

/**
 * Reads the project into a manifest. Every file is rendered once with the parse context to learn
 * its refs, sources and config; errors from all files are collected and thrown together.
 */
export async function parseProject(o: ParseOptions): Promise<ParseResult> {
  const p = o.project;
  const errors: MflowError[] = [];
  phase('start-up');
  const packages = loadInstalledPackages(p, o.env ?? process.env, o.warnings);
  const pkgConfig = new Map(packages.map((x) => [x.config.name, x.config]));
  const files = discoverWithPackages(p, packages);
  const pkgOf = (f: { pkg?: string }) => f.pkg ?? p.name;
  phase('read files');
  const invocationId = o.invocationId ?? randomUUID();

  const c: ParseCtx = { o, p, errors, packages, pkgConfig, pkgOf };
  const { macros, docs } = readMacrosAndDocs(c, files);
  const { patches, sources, testDefs, unitDefs, resourceDefs } = readProperties(c, files, macros);

  const docsByName: Record<string, string> = {};
  for (const d of Object.values(docs)) docsByName[d.name] = d.block_contents;
  let runtime: JinjaRuntime;
  try {
    runtime = new JinjaRuntime({
      projectName: p.name,
      dialect: o.dialect,
      target: maskedTargetForJinja(o.target),
      // Package vars under the root project's (which win); see readProjectConfig.
      vars: { ...Object.assign({}, ...packages.map((x) => x.config.vars)), ...p.vars, ...(o.vars ?? {}) },
      dispatch: p.dispatch,
      env: o.env,
      macros: Object.values(macros),
      docs: docsByName,
      invocationId,
    });
  } catch (e) {
    if (e instanceof MflowError) throw new MflowErrors([...errors, e]);
    throw e;
  }
  // Descriptions may use {{ doc('name') }}.
  const renderDesc = async (text: string, file: string): Promise<string> => {
    if (!text.includes('{{')) return text;
    try {
      return (await runtime.render(text, descNode(file), parseHost(o.dialect))).sql;
    } catch (e) {
      if (e instanceof MflowError) errors.push(e);
      return text;
    }
  };
  for (const pt of patches.values()) {
    pt.description = await renderDesc(pt.description, pt.file);
    for (const col of Object.values(pt.columns)) col.description = await renderDesc(col.description, pt.file);
  }
  for (const s of Object.values(sources)) {
    s.description = await renderDesc(s.description, s.original_file_path);
    for (const col of Object.values(s.columns)) col.description = await renderDesc(col.description, s.original_file_path);
  }

  phase('macros, properties');
  const { byKey, folderResolve } = collectNodes(c, files, runtime, patches);

  phase('nodes');
  // Parse-render every node to record its refs, sources and config() calls.
  const host = parseHost(o.dialect);
  const recordingHost: RenderHost = { ...host, discardOutput: true };
  for (const pd of byKey.values()) {
    const n = pd.node;
    if (n.resource_type === 'seed') continue;
    try {
      const r = await runtime.render(pd.body, renderNodeOf(n, pd.line), recordingHost, `${n.original_file_path}\0${pd.line}\0${n.checksum.checksum}`);
      checkConfigKeys(r.recorded.config, { file: n.original_file_path, line: pd.line }, o.warnings);
      n.config = mergeConfig(n.config, r.recorded.config);
      n.refs = r.recorded.refs;
      n.sources = r.recorded.sources;
      n.depends_on.macros = [...r.recorded.macros].map((m) => (m.includes('.') ? `macro.${m}` : `macro.${p.name}.${m}`)).filter((m) => macros[m]).sort();
    } catch (e) {
      // A var() missing in a model that disables itself after the call (`{{ config(enabled=false) }}` further down).
      if (e instanceof MflowError && e.code === 'MISSING_VAR' && DISABLED_IN_FILE.test(pd.body)) n.config = mergeConfig(n.config, { enabled: false });
      else if (e instanceof MflowError) errors.push(e);
      else throw e;
    }
  }

  phase('parse-render');
  const { nodes, disabled, index } = placeAndResolve(c, byKey, runtime, host, macros, sources);
  checkContracts(nodes, index, errors);
  const resolveNode = (r: RefCall) => {
    const c = index.get(r.name);
    return c ? pickVersion(c, r.version) : undefined;
  };
  const resources = buildResources(resourceDefs, { projectName: p.name, resolveRef: resolveNode, refNames: () => index.keys(), sources, target: { database: (o.target.database as string | null) ?? null, schema: o.target.schema } }, errors);
  const groupInfo = new Map(resourceDefs.filter((d) => d.kind === 'groups').map((d) => [d.name, { name: d.name, file: d.file, line: d.line }]));
  // A ref as the node itself resolves it (its own package first), for access across packages.
  const resolveFrom = (r: RefCall, from: ManifestNode) => {
    const c = refCandidates(index.get(r.name) ?? [], r.package ?? null, from.package_name, p.name);
    return c && c.length ? pickVersion(c, r.version) : undefined;
  };
  const restrictAccess = new Map([[p.name, p.restrictAccess], ...packages.map((x) => [x.config.name, x.config.restrictAccess] as [string, boolean])]);
  checkAccess(nodes, groupInfo, resolveFrom, errors, restrictAccess);
  phase('place, resolve refs');
  // Generic data tests from properties files.
  for (const t of testDefs) {
    try {
      const tp = t.pkg ? pkgConfig.get(t.pkg)! : p;
      const prefix = t.pkg ? packages.find((x) => x.config.name === t.pkg)!.prefix : undefined;
      const testCfg = { resolve: (fqn: string[]) => folderResolve('test', tp.name, fqn) } as FolderConfigs;
      const tn = buildTestNode(t, { project: tp, prefix, nodes, index, sources, macros, runtime, folderCfg: testCfg, warnings: o.warnings, dialect: o.dialect });
      if (!tn) continue;
      if (nodes[tn.unique_id]) tn.unique_id += '_' + sha256(t.file + t.line).slice(0, 4);
      await recordTestMacroConfig(runtime, tn, t.config, host);
      nodes[tn.unique_id] = tn;
    } catch (e) {
      if (e instanceof MflowError) errors.push(e);
      else throw e;
    }
  }

  const { unitTests, disabledUnitTests } = buildUnitTestNodes(c, unitDefs, index, disabled, nodes);

  errors.push(...validateNodeConfigs(Object.values(nodes), p));
  if (errors.length) throw new MflowErrors(dedupe(errors));

  const { parent_map, child_map } = parentChildMaps(nodes, Object.keys(sources));
  // Exposures, metrics, semantic models and saved queries have parents and children too, as in dbt's maps.
  for (const set of [resources.exposures, resources.semantic_models, resources.metrics, resources.saved_queries]) {
    for (const r of Object.values(set)) {
      parent_map[r.unique_id] = [...(r.depends_on?.nodes ?? [])].sort();
      child_map[r.unique_id] ??= [];
      for (const d of r.depends_on?.nodes ?? []) (child_map[d] ??= []).push(r.unique_id);
    }
  }
  for (const k of Object.keys(child_map)) child_map[k].sort();
  const group_map: Record<string, string[]> = {};
  for (const n of Object.values(nodes)) if (n.group) (group_map[n.group] ??= []).push(n.unique_id);

  const manifest: Manifest = {
    metadata: {
      mflow_schema_version: MANIFEST_SCHEMA_VERSION,
      mflow_version: MFLOW_VERSION,
      generated_at: new Date().toISOString(),
      invocation_id: invocationId,
      project_name: p.name,
      adapter_type: o.target.type,
      env: {},
    },
    nodes,
    sources,
    macros,
    docs,
    parent_map,
    child_map,
    selectors: {},
    unit_tests: unitTests,
    exposures: resources.exposures,
    metrics: resources.metrics,
    groups: resources.groups,
    semantic_models: resources.semantic_models,
    saved_queries: resources.saved_queries,
    group_map,
    disabled: Object.fromEntries([...[...disabled.values()].map((n) => [n.unique_id, [n]]), ...Object.entries(disabledUnitTests).map(([id, n]) => [id, [n]])]),
  };
  runtime.setGraph(graphOf(manifest));
  return { manifest, runtime };
}

const BUILTIN_GENERIC_TESTS = new Set(['unique', 'not_null', 'accepted_values', 'relationships']);

/**
 * A generic test macro may call config() (dbt_utils' equal_rowcount sets its fail_calc): dbt
 * renders it at parse time to learn that, so mflow does too. Only for tests other than the four
 * built-in ones, whose macros set nothing; YAML config on the test wins over the macro's.
 */
async function recordTestMacroConfig(runtime: JinjaRuntime, tn: ManifestNode, yamlConfig: Record<string, unknown>, host: RenderHost): Promise<void> {
  const meta = tn.test_metadata;
  if (!meta || (BUILTIN_GENERIC_TESTS.has(meta.name) && !meta.namespace)) return;
  const kw: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(meta.kwargs)) {
    if (k === 'model') continue;
    const r = typeof v === 'string' ? /^\s*ref\(\s*['"]([^'"]+)['"]\s*\)\s*$/.exec(v) : null;
    const sm = typeof v === 'string' ? /^\s*source\(\s*['"]([^'"]+)['"]\s*,\s*['"]([^'"]+)['"]\s*\)\s*$/.exec(v) : null;
    // A copy: macros may mutate their arguments (dbt_utils.at_least_one appends to group_by_columns).
    kw[k] = r ? host.resolveRef({ name: r[1] }) : sm ? host.resolveSource(sm[1], sm[2]) : v && typeof v === 'object' ? structuredClone(v) : v;
  }
  kw.model = host.resolveRef({ name: tn.attached_node?.split('.').slice(2).join('.') ?? tn.name });
  const source = `{{ ${meta.namespace ? `${meta.namespace}.` : ''}test_${meta.name}(${Object.keys(kw).map((k) => `${k}=__kw[${JSON.stringify(k)}]`).join(', ')}) }}`;
  try {
    const r = await runtime.render(source, renderNodeOf(tn, 1, null, { __kw: kw }), { ...host, discardOutput: true }, source);
    const fromMacro = Object.fromEntries(Object.entries(r.recorded.config).filter(([k]) => !(k in yamlConfig)));
    if (Object.keys(fromMacro).length) tn.config = mergeConfig(tn.config, fromMacro);
  } catch {
    // A test macro that cannot render at parse time is reported when it compiles, with its SQL.
  }
}

function dedupe(errors: MflowError[]): MflowError[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const k = e.format();
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

const DISABLED_IN_FILE = /config\s*\([^)]*\benabled\s*=\s*false\b/i;

function maskedTargetForJinja(t: ResolvedTarget): ResolvedTarget {
  const out = { ...t } as Record<string, unknown>;
  for (const k of t.secretKeys) delete out[k];
  delete out.secretKeys;
  // Nested settings (an S3 secret under `settings:`) are masked too: Jinja output reaches files.
  return redactDeep(out) as unknown as ResolvedTarget;
}


function descNode(file: string): RenderNode {
  return { unique_id: 'description', name: 'description', resource_type: 'doc', file, config: defaultConfig('model'), thisRelation: null, model: {} };
}
