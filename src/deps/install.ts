/**
 * `mflow deps`, as `dbt deps` behaves: resolve what packages.yml / dependencies.yml asks for
 * (transitively), write package-lock.yml, and install the locked packages into
 * packages-install-path (default dbt_packages/), which is emptied first. An existing lock whose
 * `sha1_hash` matches the request is installed as it is, without resolving again (`upgrade`
 * resolves anyway), so a team gets the same versions until someone changes packages.yml.
 */
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import { stringify } from 'yaml';
import { MflowError } from '../errors.js';
import { parseYaml } from '../util/yaml.js';
import { fetchGit, fetchTarball, projectNameAt, resolveLocal } from './fetch.js';
import { HubClient, hubUrlFrom } from './hub.js';
import { readPackageList, readSpecFile, specFromDict, specToDict, type PackageSpec } from './spec.js';
import { compatible, pickVersion, toRange } from './versions.js';

export const LOCK_FILE = 'package-lock.yml';

export interface DepsOptions {
  projectDir?: string;
  /** The hub's base URL (default: MFLOW_PACKAGE_HUB_URL, DBT_PACKAGE_HUB_URL, hub.getdbt.com). */
  hubUrl?: string;
  vars?: Record<string, unknown>;
  env?: NodeJS.ProcessEnv;
  /** Resolve again even when the lock matches (`--upgrade`). */
  upgrade?: boolean;
  /** Write the lock only, install nothing (`--lock`). */
  lockOnly?: boolean;
  log?: (msg: string) => void;
}

export interface InstalledPackage {
  name: string;
  source: 'local' | 'git' | 'tarball' | 'hub';
  /** The version or commit installed, or the local path. */
  version: string;
  path: string;
}

export interface DepsResult {
  installPath: string;
  lockFile: string | null;
  /** True when the lock was (re)written by this run. */
  lockUpdated: boolean;
  installed: InstalledPackage[];
}

/** A resolved package: one entry of package-lock.yml. */
interface Pinned {
  spec: PackageSpec;
  name: string;
  dir: string;
  /** The lock entry without its name. */
  lock: Record<string, unknown>;
  version: string;
  children: PackageSpec[];
}

const key = (s: PackageSpec, root: string): string =>
  s.kind === 'hub' ? `hub:${s.package}` : s.kind === 'local' ? `local:${resolve(root, s.local)}` : s.kind === 'git' ? `git:${s.git.replace(/\.git$/, '')}${s.subdirectory ? `#${s.subdirectory}` : ''}` : `tarball:${s.tarball}`;

/** dbt's hash of the request: sorted JSON of each entry (so reordering packages.yml keeps the lock). */
export function requestHash(specs: PackageSpec[]): string {
  const sorted = (v: unknown): unknown => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sorted((v as Record<string, unknown>)[k])])) : v);
  const strs = specs.map((s) => JSON.stringify(sorted(specToDict(s)))).sort();
  return createHash('sha1').update(strs.join('\n')).digest('hex');
}

function projectSettings(root: string): { installPath: string } {
  const file = ['project.yml', 'dbt_project.yml'].find((f) => existsSync(join(root, f)));
  if (!file) throw new MflowError('PROJECT_NOT_FOUND', `No project.yml or dbt_project.yml in ${root}`, { hint: 'Run mflow deps from the project folder, or pass --project-dir PATH.' });
  const y = parseYaml<Record<string, unknown>>(readFileSync(join(root, file), 'utf8'), file);
  const p = y.data?.['packages-install-path'];
  return { installPath: typeof p === 'string' ? p : 'dbt_packages' };
}

export async function deps(o: DepsOptions = {}): Promise<DepsResult> {
  const root = resolve(o.projectDir ?? '.');
  const env = o.env ?? process.env;
  const log = o.log ?? (() => {});
  const { installPath: rel } = projectSettings(root);
  const installPath = resolve(root, rel);
  if (!installPath.startsWith(root + sep)) throw new MflowError('CONFIG', `packages-install-path '${rel}' is outside the project`, { hint: 'Use a folder inside the project, such as dbt_packages.' });
  const request = readSpecFile(root, o.vars ?? {}, env);
  const lockPath = join(root, LOCK_FILE);
  if (!request || request.specs.length === 0) {
    log('No packages to install (no packages.yml or dependencies.yml with packages).');
    return { installPath, lockFile: null, lockUpdated: false, installed: [] };
  }
  const hub = new HubClient(hubUrlFrom(o.hubUrl, env));
  const scratch = mkdtempSync(join(tmpdir(), 'mflow-deps-'));
  try {
    const specs = request.specs.map((s) => s.spec);
    const hash = requestHash(specs);
    let lockUpdated = false;
    let lockEntries: Record<string, unknown>[] | undefined;
    if (!o.upgrade && existsSync(lockPath)) {
      const y = parseYaml<Record<string, unknown>>(readFileSync(lockPath, 'utf8'), LOCK_FILE);
      if (y.data?.sha1_hash === hash && Array.isArray(y.data.packages)) lockEntries = y.data.packages as Record<string, unknown>[];
    }
    if (!lockEntries) {
      const pinned = await resolveAll(specs, root, hub, scratch, log);
      lockEntries = pinned.map((p) => ({ ...p.lock, name: p.name }));
      writeFileSync(lockPath, stringify({ packages: lockEntries, sha1_hash: hash }));
      lockUpdated = true;
      log(`Updated the lock file ${LOCK_FILE}`);
    }
    if (o.lockOnly) return { installPath, lockFile: lockPath, lockUpdated, installed: [] };
    rmSync(installPath, { recursive: true, force: true });
    mkdirSync(installPath, { recursive: true });
    const installed: InstalledPackage[] = [];
    for (const [i, entry] of lockEntries.entries()) {
      const spec = specFromDict(entry, LOCK_FILE, i + 1);
      const p = await pin(spec, root, hub, scratch);
      const dest = join(installPath, p.name);
      if (relative(installPath, dest).includes('..') || p.name.includes('/')) throw new MflowError('CONFIG', `Package name '${p.name}' would install outside ${rel}`, { file: LOCK_FILE });
      log(`Installing ${p.name} (${p.spec.kind === 'local' ? `local ${p.version}` : p.version})`);
      // Local packages are linked, as dbt does: edits to the package show at once.
      if (spec.kind === 'local') symlinkSync(p.dir, dest, 'dir');
      else cpSync(p.dir, dest, { recursive: true, filter: (src) => !src.split(sep).includes('.git') });
      installed.push({ name: p.name, source: spec.kind, version: p.version, path: dest });
    }
    return { installPath, lockFile: lockPath, lockUpdated, installed };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Fetches one spec (hub: the best version for its constraints) and reads what it depends on. */
async function pin(s: PackageSpec, root: string, hub: HubClient, scratch: string): Promise<Pinned> {
  const childrenAt = (dir: string): PackageSpec[] => {
    try {
      const f = readSpecFile(dir, {}, {});
      return f ? f.specs.map((x) => x.spec) : [];
    } catch {
      return readPackageList(dir, 'packages.yml', {}, {}, false).specs.map((x) => x.spec);
    }
  };
  switch (s.kind) {
    case 'local': {
      const dir = resolveLocal(root, s.local);
      return { spec: s, dir, name: projectNameAt(dir, `Local package ${s.local}`), lock: { local: s.local }, version: s.local, children: childrenAt(dir) };
    }
    case 'git': {
      const { dir: clone, commit } = await fetchGit(scratch, s.git, s.revision);
      const dir = s.subdirectory ? join(clone, s.subdirectory) : clone;
      if (!existsSync(dir)) throw new MflowError('CONFIG', `subdirectory '${s.subdirectory}' does not exist in ${s.git}`, { file: 'packages.yml' });
      return { spec: s, dir, name: projectNameAt(dir, `git package ${s.git}`), lock: { git: s.git, revision: commit, ...(s.subdirectory ? { subdirectory: s.subdirectory } : {}) }, version: commit.slice(0, 12), children: childrenAt(dir) };
    }
    case 'tarball': {
      const dir = await fetchTarball(scratch, s.tarball);
      return { spec: s, dir, name: s.name, lock: { tarball: s.tarball }, version: s.tarball, children: childrenAt(dir) };
    }
    case 'hub': {
      const pkg = await hub.package(s.package);
      const available = Object.keys(pkg.versions);
      if (!compatible(s.versions)) throw new MflowError('DEPENDENCY_CONFLICT', `Version error for package ${s.package}: the requested versions ${s.versions.join(', ')} cannot all hold`, { file: 'packages.yml', hint: 'Widen the ranges so they overlap (packages.yml, or upgrade the package that requires the other range).' });
      const v = pickVersion(available, s.versions, s.installPrerelease);
      if (!v) throw new MflowError('DEPENDENCY_CONFLICT', `No version of ${s.package} satisfies ${toRange(s.versions)}`, { file: 'packages.yml', hint: `Available: ${available.join(', ')}${s.installPrerelease ? '' : ' (pre-releases only with install-prerelease: true)'}` });
      const meta = pkg.versions[v];
      const dir = await fetchTarball(scratch, meta.downloads.tarball, meta.downloads.sha1);
      const children = (meta.packages ?? []).map((d, i) => specFromDict(d, `${s.package} ${v} on the hub`, i + 1));
      return { spec: { ...s, versions: [v] }, dir, name: meta.name ?? pkg.name, lock: { package: s.package, version: v }, version: v, children };
    }
  }
}

/**
 * Breadth-first over the dependency tree, as dbt: a hub package asked for twice gets the
 * intersection of the ranges (an empty one is a clear error naming who asked for what); two
 * different sources for one package name are an error too.
 */
async function resolveAll(roots: PackageSpec[], root: string, hub: HubClient, scratch: string, log: (m: string) => void): Promise<Pinned[]> {
  const listing = new Map<string, { spec: PackageSpec; askedBy: string[] }>();
  let next: { spec: PackageSpec; by: string }[] = roots.map((spec) => ({ spec, by: 'packages.yml' }));
  const seen = new Set<string>();
  for (let round = 0; next.length && round < 100; round++) {
    const later: typeof next = [];
    for (const { spec, by } of next) {
      const k = key(spec, root);
      const prev = listing.get(k);
      let merged = spec;
      if (prev && spec.kind === 'hub' && prev.spec.kind === 'hub') {
        merged = { ...prev.spec, versions: [...new Set([...prev.spec.versions, ...spec.versions])], installPrerelease: prev.spec.installPrerelease || spec.installPrerelease };
        if (!compatible(merged.versions)) {
          throw new MflowError('DEPENDENCY_CONFLICT', `Version conflict for package ${spec.package}: ${prev.askedBy.map((b, i) => `${b} asks for ${i === 0 ? toRange(prev.spec.kind === 'hub' ? prev.spec.versions : []) : '…'}`).join('; ')}; ${by} asks for ${toRange(spec.versions)}; no version meets both`, {
            file: 'packages.yml',
            hint: `Change the range in packages.yml so it overlaps with what ${by} needs, or pin a version of ${by.split(' ')[0]} that accepts yours.`,
          });
        }
      } else if (prev && prev.spec.kind === 'git' && spec.kind === 'git' && (prev.spec.revision ?? '') !== (spec.revision ?? '')) {
        throw new MflowError('DEPENDENCY_CONFLICT', `git package ${spec.git} is asked for at two revisions: '${prev.spec.revision ?? '(default branch)'}' (${prev.askedBy.join(', ')}) and '${spec.revision ?? '(default branch)'}' (${by})`, { file: 'packages.yml', hint: 'Use one revision everywhere.' });
      }
      listing.set(k, { spec: merged, askedBy: [...(prev?.askedBy ?? []), by] });
      const p = await pin(merged, root, hub, scratch);
      const seenKey = `${k}@${p.version}`;
      if (seen.has(seenKey)) continue;
      seen.add(seenKey);
      for (const c of p.children) later.push({ spec: c, by: `${p.name} ${p.version}` });
    }
    next = later;
  }
  const out: Pinned[] = [];
  const byName = new Map<string, string>();
  for (const [k, { spec }] of listing) {
    const p = await pin(spec, root, hub, scratch);
    const other = byName.get(p.name);
    if (other && other !== k) throw new MflowError('DEPENDENCY_CONFLICT', `Two packages would install as '${p.name}': ${other.replace(/^\w+:/, '')} and ${k.replace(/^\w+:/, '')}`, { file: 'packages.yml', hint: 'Keep one source for each package (a local: or git: copy replaces the hub package only if the hub entry is removed).' });
    byName.set(p.name, k);
    log(`Resolved ${p.name} ${p.version}`);
    out.push(p);
  }
  return out;
}
