/**
 * The nodes of the project's files (models with their versions, analyses, seeds, snapshots,
 * singular tests), each with its folder and properties config, and the duplicate-name checks.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ManifestNode, NodeConfig, ResourceType } from '../contracts/manifest.js';
import { MflowError, closest } from '../errors.js';
import { findBlocks } from '../jinja/blocks.js';
import type { JinjaRuntime } from '../jinja/context.js';
import type { ProjectConfig } from '../project/types.js';
import { sha256 } from '../util/fs.js';
import { FolderConfigs, defaultConfig, mergeConfig } from './configs.js';
import type { ProjectFiles, SourceFile } from './discover.js';
import { baseName, patchConfig, type ParseCtx } from './parse-context.js';
import type { Patch } from './properties.js';

/** A node before its parse-render: the file it came from, its first line and the Jinja to render. */
export type Pending = { node: ManifestNode; file: SourceFile; line: number; body: string };

export type FolderResolve = (kind: 'model' | 'seed' | 'snapshot' | 'test' | 'analysis', pkg: string, fqn: string[]) => Record<string, unknown>;

export function collectNodes(c: ParseCtx, files: ProjectFiles, runtime: JinjaRuntime, patches: Map<string, Patch>): { byKey: Map<string, Pending>; folderResolve: FolderResolve } {
  const { o, p, errors, pkgOf, pkgConfig, packages } = c;
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
  return { byKey, folderResolve };
}
