import { randomUUID } from 'node:crypto';
import { validateNodeConfigs } from './validate-configs.js';
import { redactDeep } from '../project/secrets.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Dialect } from '../contracts/adapter.js';
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
import { MflowError, MflowErrors, closest } from '../errors.js';
import { parentChildMaps } from '../graph/maps.js';
import { JinjaRuntime, type RenderHost, type RenderNode } from '../jinja/context.js';
import { JinjaRelation } from '../jinja/relation.js';
import type { ProjectConfig, ResolvedTarget, Warning } from '../project/types.js';
import { sha256 } from '../util/fs.js';
import { phase } from '../util/timing.js';
import { MFLOW_VERSION } from '../version.js';
import { findBlocks, parseArgList } from '../jinja/blocks.js';
import { FolderConfigs, checkConfigKeys, defaultConfig, mergeConfig } from './configs.js';
import { discoverWithPackages, type SourceFile } from './discover.js';
import { loadInstalledPackages } from '../project/packages.js';
import { parseProperties, type Patch, type TestDef, type UnitTestDef } from './properties.js';
import { checkAccess } from './access.js';
import { checkContracts } from './contract-check.js';
import { buildResources, type ResourceDef } from './resources.js';
import { buildTestNode } from './tests.js';
import { pickVersion, refCandidates } from '../graph/versions.js';
import { renderNodeOf } from '../jinja/render-node.js';

// Kept for callers written before these moved down a stage (compile/ and run/ import them from there).
export { pickVersion, refCandidates, renderNodeOf };

export interface ParseOptions {
  project: ProjectConfig;
  target: ResolvedTarget;
  dialect: Dialect;
  vars?: Record<string, unknown>;
  env?: NodeJS.ProcessEnv;
  warnings: Warning[];
  invocationId?: string;
}

export interface ParseResult {
  manifest: Manifest;
  runtime: JinjaRuntime;
}

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

  // Macros, generic tests and docs blocks.
  const macros: Record<string, ManifestMacro> = {};
  const docs: Record<string, DocBlock> = {};
  for (const f of files.macros) {
    for (const b of findBlocks(f.text)) {
      if (b.kind !== 'macro' && b.kind !== 'test') continue;
      const name = b.kind === 'test' ? `test_${b.name}` : b.name;
      const source = b.kind === 'test' ? b.source.replace(/^\{%(-?)\s*test\s+/, '{%$1 macro test_').replace(/\{%(-?)\s*endtest\s*(-?)%\}$/, '{%$1 endmacro $2%}') : b.source;
      const uid = `macro.${pkgOf(f)}.${name}`;
      if (macros[uid]) {
        errors.push(new MflowError('DUPLICATE_NODE', `Macro '${name}' is defined twice: in ${macros[uid].original_file_path}:${macros[uid].line} and here`, { file: f.path, line: b.line, hint: 'Rename or remove one of them.' }));
        continue;
      }
      macros[uid] = { unique_id: uid, name, package_name: pkgOf(f), path: f.path, original_file_path: f.path, macro_sql: source, description: '', arguments: parseArgList(b.args).map((a) => ({ name: a.name, default: a.default })), depends_on: { macros: [] }, line: b.line };
    }
  }
  for (const f of files.docs) {
    for (const b of findBlocks(f.text)) {
      if (b.kind !== 'docs') continue;
      docs[`doc.${pkgOf(f)}.${b.name}`] = { unique_id: `doc.${pkgOf(f)}.${b.name}`, name: b.name, package_name: pkgOf(f), original_file_path: f.path, block_contents: b.body.trim() };
    }
  }

  // Properties.
  const patches = new Map<string, Patch>();
  const sources: Record<string, SourceTable> = {};
  const testDefs: TestDef[] = [];
  const unitDefs: UnitTestDef[] = [];
  const resourceDefs: ResourceDef[] = [];
  for (const f of files.properties) {
    try {
      const r = parseProperties(f.text, f.path, pkgOf(f), o.target.schema, o.warnings);
      for (const t of r.tests) t.pkg = f.pkg;
      for (const pt of r.patches) {
        const key = `${pkgOf(f)}:${pt.kind}:${pt.name}`;
        const prev = patches.get(key);
        if (prev) errors.push(new MflowError('DUPLICATE_NODE', `Properties for ${pt.kind.slice(0, -1)} '${pt.name}' are declared twice (also in ${prev.file}:${prev.line})`, { file: pt.file, line: pt.line }));
        else patches.set(key, pt);
      }
      for (const s of r.sources) {
        if (sources[s.unique_id]) errors.push(new MflowError('DUPLICATE_NODE', `Source table '${s.source_name}.${s.name}' is declared twice`, { file: f.path, line: s.declared_at?.line }));
        sources[s.unique_id] = s;
      }
      for (const m of r.macros) {
        const mac = macros[`macro.${pkgOf(f)}.${m.name}`];
        if (mac) mac.description = m.description;
        else o.warnings.push({ file: m.file, line: m.line, message: `Properties for macro '${m.name}', which does not exist` });
      }
      testDefs.push(...r.tests);
      unitDefs.push(...r.unitTests);
      resourceDefs.push(...r.resources);
    } catch (e) {
      if (e instanceof MflowError) errors.push(e);
      else throw e;
    }
  }

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
    for (const c of Object.values(pt.columns)) c.description = await renderDesc(c.description, pt.file);
  }
  for (const s of Object.values(sources)) {
    s.description = await renderDesc(s.description, s.original_file_path);
    for (const c of Object.values(s.columns)) c.description = await renderDesc(c.description, s.original_file_path);
  }

  phase('macros, properties');
  // Folder names, for telling config keys from folders in project.yml.
  const segments = new Set<string>([p.name, ...pkgConfig.keys()]);
  const allPaths = [...files.models, ...files.seeds, ...files.snapshots, ...files.singularTests, ...files.analyses];
  for (const f of allPaths) for (const s of f.path.split('/')) segments.add(s.replace(/\.(sql|csv)$/, ''));
  const renderConfig = (text: string, where: string): unknown => {
    try {
      return runtime.renderConfigValue(text, where);
    } catch (e) {
      if (e instanceof MflowError) errors.push(e);
      else throw e;
      return text;
    }
  };
  const folderCfgOf = (proj: ProjectConfig) => ({
    model: new FolderConfigs(proj, 'models', segments, o.warnings, renderConfig),
    seed: new FolderConfigs(proj, 'seeds', segments, o.warnings, renderConfig),
    snapshot: new FolderConfigs(proj, 'snapshots', segments, o.warnings, renderConfig),
    test: new FolderConfigs(proj, 'tests', segments, o.warnings, renderConfig),
    analysis: new FolderConfigs(proj, 'models', segments, o.warnings, renderConfig),
  });
  const folderCfg = folderCfgOf(p);
  // A package's own dbt_project.yml configures its nodes; the root project's configs win over it.
  const pkgFolderCfg = new Map([...pkgConfig].map(([name, cfg]) => [name, folderCfgOf(cfg)]));
  const folderResolve = (kind: keyof typeof folderCfg, pkg: string, fqn: string[]): Record<string, unknown> => {
    const own = pkgFolderCfg.get(pkg)?.[kind].resolve(fqn);
    const rootCfg = folderCfg[kind].resolve(fqn);
    return own ? mergeConfig(mergeConfig({} as NodeConfig, own), rootCfg) : rootCfg;
  };

  // Nodes: models, analyses, seeds, snapshots, singular tests.
  type Pending = { node: ManifestNode; file: SourceFile; line: number; body: string };
  const pending: Pending[] = [];
  const mk = (type: ResourceType, f: SourceFile, name: string, body: string, line: number, patchKind: Patch['kind'] | null): Pending => {
    const rel = f.path.slice(f.root.length + 1);
    const dirs = rel.split('/').slice(0, -1);
    const pkg = pkgOf(f);
    const fqn = [pkg, ...dirs, name];
    const patch = patchKind ? patches.get(`${pkg}:${patchKind}:${name}`) : undefined;
    if (patch) patches.delete(`${pkg}:${patchKind}:${name}`);
    let config = defaultConfig(type);
    const kind = type === 'analysis' ? 'analysis' : (type as 'model');
    config = mergeConfig(config, kind in folderCfg ? folderResolve(kind, pkg, fqn) : {});
    if (patch) config = mergeConfig(config, patchConfig(patch));
    if (type === 'analysis') config.materialized = 'analysis';
    const node: ManifestNode = {
      unique_id: `${type}.${pkg}.${name}`,
      resource_type: type,
      name,
      package_name: pkg,
      path: rel,
      original_file_path: f.path,
      fqn,
      raw_code: body,
      language: 'sql',
      checksum: { name: 'sha256', checksum: type === 'seed' ? sha256(readFileSync(join(p.root, f.path))) : body === f.text && f.checksum ? f.checksum : sha256(body) },
      config,
      tags: [],
      description: patch?.description ?? '',
      columns: patch?.columns ?? {},
      meta: { ...(patch?.meta ?? {}) },
      depends_on: { nodes: [], macros: [] },
      refs: [],
      sources: [],
      database: null,
      schema: o.target.schema,
      alias: name,
      relation_name: null,
      patch_path: patch?.file ?? null,
      version: null,
      declared_at: patch ? { file: patch.file, line: patch.line } : null,
    };
    if (patch?.tags.length) node.config = mergeConfig(node.config, { tags: patch.tags });
    if (patch?.constraints?.length) node.constraints = patch.constraints;
    return { node, file: f, line, body };
  };
  // Versioned models (`versions:` in properties): file `name_v2.sql` (or `defined_in`) is version 2 of `name`.
  const versionOf = new Map<string, { patch: Patch; v: string | number; config: Record<string, unknown>; columns?: Record<string, ManifestNode['columns'][string]>; latest: string | number }>();
  const modelFileNames = new Set(files.models.map((f) => baseName(f.path)));
  for (const pt of patches.values()) {
    if (pt.kind !== 'models' || !pt.versions?.length) continue;
    const latest = pt.latestVersion ?? pt.versions.map((x) => x.v).sort((a, b) => Number(a) - Number(b) || String(a).localeCompare(String(b))).at(-1)!;
    for (const ver of pt.versions) versionOf.set(ver.defined_in ?? `${pt.name}_v${ver.v}`, { patch: pt, v: ver.v, config: ver.config ?? {}, columns: ver.columns, latest });
    // dbt: the latest version may live in the unsuffixed file (`dim_x.sql`) when there is no `dim_x_v<latest>.sql`.
    const latestVer = pt.versions.find((x) => String(x.v) === String(latest));
    if (latestVer && !latestVer.defined_in && !modelFileNames.has(`${pt.name}_v${latest}`) && modelFileNames.has(pt.name)) {
      versionOf.delete(`${pt.name}_v${latest}`);
      versionOf.set(pt.name, { patch: pt, v: latestVer.v, config: latestVer.config ?? {}, columns: latestVer.columns, latest });
    }
  }
  const usedVersionPatches = new Set<string>();
  for (const f of files.models) {
    const vinfo = versionOf.get(baseName(f.path));
    if (!vinfo) {
      pending.push(mk('model', f, baseName(f.path), f.text, 1, 'models'));
      continue;
    }
    const pd = mk('model', f, vinfo.patch.name, f.text, 1, null);
    const n = pd.node;
    n.unique_id = `model.${pkgOf(f)}.${vinfo.patch.name}.v${vinfo.v}`;
    n.fqn = [...n.fqn, `v${vinfo.v}`];
    n.version = vinfo.v;
    n.latest_version = vinfo.latest;
    n.config = mergeConfig(mergeConfig(n.config, patchConfig(vinfo.patch)), vinfo.config);
    if (vinfo.patch.constraints?.length) n.constraints = vinfo.patch.constraints;
    n.description = vinfo.patch.description;
    n.columns = vinfo.columns ?? vinfo.patch.columns;
    n.patch_path = vinfo.patch.file;
    n.declared_at = { file: vinfo.patch.file, line: vinfo.patch.line };
    usedVersionPatches.add(`${pkgOf(f)}:models:${vinfo.patch.name}`);
    pending.push(pd);
  }
  for (const k of usedVersionPatches) patches.delete(k);
  for (const f of files.analyses) pending.push(mk('analysis', f, baseName(f.path), f.text, 1, 'analyses'));
  for (const f of files.seeds) pending.push(mk('seed', f, baseName(f.path), '', 1, 'seeds'));
  for (const f of files.singularTests) pending.push(mk('test', f, baseName(f.path), f.text, 1, null));
  for (const f of files.snapshots) {
    for (const b of findBlocks(f.text)) if (b.kind === 'snapshot') pending.push(mk('snapshot', f, b.name, b.body, b.line, 'snapshots'));
  }
  // YAML-only snapshots (`snapshots: [{name, relation: ref('x'), config: {...}}]`).
  for (const [key, pt] of [...patches.entries()]) {
    if (pt.kind === 'snapshots' && pt.relation) {
      patches.delete(key);
      const pkg = key.split(':')[0];
      const pk = packages.find((x) => x.config.name === pkg);
      const f: SourceFile = { path: pt.file, root: pk ? `${pk.prefix}/${pt.file.slice(pk.prefix.length + 1).split('/')[0]}` : pt.file.split('/')[0], text: '', checksum: '', pkg: pk ? pkg : undefined, prefix: pk?.prefix };
      const pd = mk('snapshot', f, pt.name, `select * from {{ ${pt.relation} }}`, pt.line, null);
      pd.node.config = mergeConfig(pd.node.config, pt.config);
      pd.node.description = pt.description;
      pd.node.columns = pt.columns;
      pd.node.patch_path = pt.file;
      pending.push(pd);
    }
  }
  for (const pt of patches.values()) {
    const names = pending.filter((x) => x.node.resource_type === (pt.kind === 'seeds' ? 'seed' : pt.kind === 'snapshots' ? 'snapshot' : 'model')).map((x) => x.node.name);
    const s = closest(pt.name, names);
    o.warnings.push({ file: pt.file, line: pt.line, message: `Properties for ${pt.kind.slice(0, -1)} '${pt.name}', which does not exist${s ? ` (did you mean '${s}'?)` : ''}` });
  }

  // Duplicates.
  const byKey = new Map<string, Pending>();
  for (const pd of pending) {
    const clash = byKey.get(pd.node.unique_id);
    if (clash) {
      errors.push(new MflowError('DUPLICATE_NODE', `Two ${pd.node.resource_type}s are named '${pd.node.name}': ${clash.file.path} and ${pd.file.path}`, { file: pd.file.path, line: pd.line, hint: 'Node names must be unique in a project: rename one of the files (or set an alias).' }));
      continue;
    }
    byKey.set(pd.node.unique_id, pd);
  }
  // A model and a seed with the same name would make ref() ambiguous.
  const relNames = new Map<string, Pending>();
  for (const pd of byKey.values()) {
    if (!['model', 'seed', 'snapshot'].includes(pd.node.resource_type)) continue;
    const relKey = `${pd.node.package_name}:${pd.node.name}`;
    const prev = relNames.get(relKey);
    if (prev && prev.node.version != null && pd.node.version != null) continue; // versions of one model
    if (prev) errors.push(new MflowError('DUPLICATE_NODE', `'${pd.node.name}' is both a ${prev.node.resource_type} (${prev.file.path}) and a ${pd.node.resource_type} (${pd.file.path})`, { file: pd.file.path, line: pd.line, hint: 'ref() needs unique names: rename one.' }));
    else relNames.set(relKey, pd);
  }

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
  // Disabled nodes leave the graph; schema and alias come from the (overridable) macros.
  const overrides = (base: string) => [base, `default__${base}`, `${o.dialect.type}__${base}`].some((m) => macros[`macro.${p.name}.${m}`]);
  const overridden = { schema: overrides('generate_schema_name'), alias: overrides('generate_alias_name') };
  const nodes: Record<string, ManifestNode> = {};
  const disabled = new Map<string, ManifestNode>();
  for (const pd of byKey.values()) {
    const n = pd.node;
    n.tags = [...(n.config.tags ?? [])];
    if (n.config.enabled === false) {
      disabled.set(n.name, n);
      continue;
    }
    if (n.resource_type !== 'test' && n.resource_type !== 'analysis') {
      try {
        placeNode(runtime, n, o.target, o.dialect, host, overridden);
      } catch (e) {
        if (e instanceof MflowError) errors.push(e);
        else throw e;
      }
    }
    nodes[n.unique_id] = n;
  }
  for (const s of Object.values(sources)) {
    // A source's `quoting:` overrides the project's; unset, the warehouse's default decides (dbt:
    // quoted on DuckDB, unquoted on Snowflake, where a quoted "raw" would not find RAW).
    const part = (name: string, kind: 'database' | 'schema' | 'identifier') => o.dialect.quotePart(name, kind, s.quoting[kind]);
    const db = s.database ?? (o.target.database as string | null) ?? null;
    s.database = db;
    s.relation_name = [db ? part(db, 'database') : null, part(s.schema, 'schema'), part(s.identifier, 'identifier')].filter(Boolean).join('.');
  }

  // Resolve refs and sources to unique ids.
  const index = new Map<string, ManifestNode[]>();
  for (const n of Object.values(nodes)) {
    if (n.resource_type === 'test' || n.resource_type === 'analysis') continue;
    if (!index.has(n.name)) index.set(n.name, []);
    index.get(n.name)!.push(n);
  }
  const resolveRefId = (r: RefCall, from: ManifestNode, line?: number): string | null => {
    const cands = refCandidates(index.get(r.name) ?? [], r.package ?? null, from.package_name, p.name);
    if (!cands || cands.length === 0) {
      if (disabled.has(r.name)) {
        // dbt: a singular test on a disabled node is disabled with it, not an error.
        if (from.resource_type === 'test') {
          disabledByRef.add(from.unique_id);
          return null;
        }
        errors.push(new MflowError('UNKNOWN_REF', `${from.resource_type} '${from.name}' depends on '${r.name}', which is disabled`, { file: from.original_file_path, line, node: from.unique_id, hint: `Enable '${r.name}' or disable '${from.name}' too.` }));
        return null;
      }
      const s = closest(r.name, index.keys());
      errors.push(new MflowError('UNKNOWN_REF', `${from.resource_type} '${from.name}' refers to '${r.name}', which was not found`, { file: from.original_file_path, line: line ?? lineOfText(from.raw_code, r.name), node: from.unique_id, hint: s ? `Did you mean ref('${s}')?` : 'Check the name of the model, seed or snapshot.' }));
      return null;
    }
    const picked = pickVersion(cands, r.version);
    if (!picked) {
      errors.push(new MflowError('UNKNOWN_REF', `${from.resource_type} '${from.name}' refers to version ${r.version} of '${r.name}', which does not exist`, { file: from.original_file_path, line: line ?? lineOfText(from.raw_code, r.name), node: from.unique_id, hint: `Versions of ${r.name}: ${cands.map((c) => c.version).join(', ')}` }));
      return null;
    }
    return picked.unique_id;
  };
  const disabledByRef = new Set<string>();
  for (const n of Object.values(nodes)) {
    const deps = new Set<string>();
    for (const r of n.refs) {
      const id = resolveRefId(r, n);
      if (id) deps.add(id);
    }
    for (const [src, tbl] of n.sources) {
      const id = [n.package_name, p.name].map((pk) => `source.${pk}.${src}.${tbl}`).find((x) => sources[x]) ?? Object.values(sources).find((x) => x.source_name === src && x.name === tbl)?.unique_id ?? `source.${p.name}.${src}.${tbl}`;
      if (sources[id]) deps.add(id);
      else {
        const s = closest(`${src}.${tbl}`, Object.values(sources).map((x) => `${x.source_name}.${x.name}`));
        errors.push(new MflowError('UNKNOWN_SOURCE', `${n.resource_type} '${n.name}' uses source('${src}', '${tbl}'), which is not declared`, { file: n.original_file_path, line: lineOfText(n.raw_code, tbl), node: n.unique_id, hint: s ? `Did you mean '${s}'?` : 'Declare it under sources: in a properties .yml file.' }));
      }
    }
    n.depends_on.nodes = [...deps].sort();
  }
  // dbt keeps such a test among the nodes, disabled and without dependencies; the graph leaves it out.
  for (const id of disabledByRef) {
    nodes[id].config.enabled = false;
    nodes[id].depends_on.nodes = [];
  }

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

  // Unit tests.
  const unitTests: Record<string, unknown> = {};
  const disabledUnitTests: Record<string, ManifestNode> = {};
  for (const u of unitDefs) {
    const model = index.get(u.model)?.[0];
    const off = disabled.get(u.model);
    if (!model && off?.resource_type === 'model') {
      // dbt: a unit test of a disabled model is disabled too (listed under `disabled`, never run).
      const uid = `unit_test.${p.name}.${u.model}.${u.name}`;
      disabledUnitTests[uid] = { ...off, unique_id: uid, resource_type: 'unit_test', name: u.name, fqn: [...off.fqn, u.name], original_file_path: u.file, path: u.file, description: u.description, config: mergeConfig(defaultConfig('unit_test'), { ...u.config, enabled: false }), depends_on: { nodes: [], macros: [] }, attached_node: off.unique_id, model: u.model, given: u.given, expect: u.expect, overrides: u.overrides } as ManifestNode;
      continue;
    }
    if (!model || model.resource_type !== 'model') {
      const s = closest(u.model, [...index.keys()]);
      errors.push(new MflowError('UNKNOWN_REF', `Unit test '${u.name}' is for model '${u.model}', which does not exist`, { file: u.file, line: u.line, hint: s ? `Did you mean '${s}'?` : undefined }));
      continue;
    }
    for (const g of u.given) {
      // `this`: the model's own table as an incremental run finds it (dbt's unit tests of incremental models).
      if (g.input?.trim() === 'this') continue;
      const m = /^\s*(ref|source)\(\s*['"]([^'"]+)['"]\s*(?:,\s*['"]([^'"]+)['"]\s*)?\)\s*$/.exec(g.input ?? '');
      if (!m) {
        errors.push(new MflowError('CONFIG', `Unit test '${u.name}': given input '${g.input}' must be ref('name'), source('src', 'table') or this`, { file: u.file, line: g.line }));
        continue;
      }
      const id = m[1] === 'ref' ? index.get(m[2])?.[0]?.unique_id : `source.${p.name}.${m[2]}.${m[3]}`;
      if (!id || !model.depends_on.nodes.includes(id)) {
        errors.push(new MflowError('CONFIG', `Unit test '${u.name}': given input ${g.input} is not a parent of model '${u.model}'`, { file: u.file, line: g.line, hint: `Parents of ${u.model}: ${model.depends_on.nodes.map((x) => x.split('.').slice(2).join('.')).join(', ') || '(none)'}` }));
      }
    }
    const uid = `unit_test.${p.name}.${u.model}.${u.name}`;
    unitTests[uid] = { ...u, unique_id: uid, attached_node: model.unique_id };
    nodes[uid] = {
      ...model,
      unique_id: uid,
      resource_type: 'unit_test',
      name: u.name,
      fqn: [...model.fqn, u.name],
      original_file_path: u.file,
      path: u.file,
      raw_code: model.raw_code,
      description: u.description,
      config: mergeConfig(defaultConfig('unit_test'), u.config),
      tags: [...((u.config.tags as string[]) ?? [])],
      depends_on: { nodes: [model.unique_id], macros: [] },
      attached_node: model.unique_id,
      relation_name: null,
      declared_at: { file: u.file, line: u.line },
      columns: {},
    };
  }

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

/** `graph` as renders after the parse see it. Unit tests are not graph nodes in dbt; everything else the manifest holds is. */
export function graphOf(m: Manifest): { nodes: Record<string, unknown>; sources: Record<string, unknown>; unit_tests: Record<string, unknown> } {
  return { nodes: Object.fromEntries(Object.entries(m.nodes).filter(([, n]) => n.resource_type !== 'unit_test')), sources: m.sources, unit_tests: m.unit_tests ?? {} };
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

/** A patch's `config:`, with `access:` / `group:` given as properties folded in (dbt takes both). */
function patchConfig(pt: Patch): Record<string, unknown> {
  if (pt.access === undefined && pt.group === undefined) return pt.config;
  return { ...(pt.access !== undefined ? { access: pt.access } : {}), ...(pt.group !== undefined ? { group: pt.group } : {}), ...pt.config };
}

const DISABLED_IN_FILE = /config\s*\([^)]*\benabled\s*=\s*false\b/i;

const baseName = (path: string) => path.split('/').pop()!.replace(/\.(sql|csv)$/, '');

function lineOfText(text: string, needle: string): number | undefined {
  const i = text.indexOf(needle);
  return i < 0 ? undefined : text.slice(0, i).split('\n').length;
}

function maskedTargetForJinja(t: ResolvedTarget): ResolvedTarget {
  const out = { ...t } as Record<string, unknown>;
  for (const k of t.secretKeys) delete out[k];
  delete out.secretKeys;
  // Nested settings (an S3 secret under `settings:`) are masked too: Jinja output reaches files.
  return redactDeep(out) as unknown as ResolvedTarget;
}



export function parseHost(dialect: Dialect): RenderHost {
  return {
    phase: 'parse',
    resolveRef: (r) => new JinjaRelation(dialect, null, null, r.name),
    resolveSource: (s, t) => new JinjaRelation(dialect, null, s, t),
    isIncremental: () => false,
  };
}

function descNode(file: string): RenderNode {
  return { unique_id: 'description', name: 'description', resource_type: 'doc', file, config: defaultConfig('model'), thisRelation: null, model: {} };
}


/**
 * database, schema, alias and relation name. A project's generate_schema_name / generate_alias_name
 * macro is called for every node; without one, dbt's default rule is applied directly (the same
 * result as the built-in macro, without 20,000 template calls on a large project).
 */
function placeNode(runtime: JinjaRuntime, n: ManifestNode, target: ResolvedTarget, dialect: Dialect, host: RenderHost, overridden: { schema: boolean; alias: boolean }): void {
  const cfg = n.config as NodeConfig & { target_schema?: string; target_database?: string };
  const customSchema = (cfg.schema ?? (n.resource_type === 'snapshot' ? cfg.target_schema : null) ?? null) as string | null;
  const schema = overridden.schema
    ? String(runtime.callMacro('generate_schema_name', [customSchema, n], renderNodeOf(n), host)).trim()
    : customSchema === null || customSchema === undefined
      ? target.schema
      : `${target.schema}_${String(customSchema).trim()}`;
  const alias = overridden.alias
    ? String(runtime.callMacro('generate_alias_name', [cfg.alias ?? null, n], renderNodeOf(n), host)).trim()
    : cfg.alias
      ? String(cfg.alias).trim()
      : n.version !== null && n.version !== undefined
        ? `${n.name}_v${String(n.version).replace(/\./g, '_')}`
        : n.name;
  const dbName = cfg.database ?? cfg.target_database ?? null;
  const db = dbName ? String(dbName) : (target.database as string | null) ?? null;
  n.schema = schema;
  n.alias = alias;
  n.database = db;
  n.relation_name = cfg.materialized === 'ephemeral' ? null : dialect.relation({ database: db, schema, identifier: alias });
}
