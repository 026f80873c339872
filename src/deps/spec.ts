/**
 * What a project asks for in `packages.yml` or `dependencies.yml` (dbt's two names for the same
 * list), and what `package-lock.yml` pins. Values may use `{{ env_var('X') }}` as in dbt (a git
 * token in a URL stays out of the file).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MflowError } from '../errors.js';
import { renderYamlValues } from '../project/yaml-jinja.js';
import { parseYaml } from '../util/yaml.js';

export type PackageSpec =
  | { kind: 'local'; local: string }
  | { kind: 'git'; git: string; revision?: string; subdirectory?: string; warnUnpinned?: boolean }
  | { kind: 'tarball'; tarball: string; name: string }
  | { kind: 'hub'; package: string; versions: string[]; installPrerelease: boolean };

export interface SpecFile {
  file: string;
  specs: { spec: PackageSpec; line: number }[];
}

/** The dict dbt writes for a spec (package-lock.yml entries, and the sha1 of the request). */
export function specToDict(s: PackageSpec): Record<string, unknown> {
  switch (s.kind) {
    case 'local':
      return { local: s.local };
    case 'git':
      return { git: s.git, ...(s.revision !== undefined ? { revision: s.revision } : {}), ...(s.subdirectory ? { subdirectory: s.subdirectory } : {}) };
    case 'tarball':
      return { tarball: s.tarball, name: s.name };
    case 'hub':
      return { package: s.package, version: s.versions.length === 1 ? s.versions[0] : s.versions, ...(s.installPrerelease ? { 'install-prerelease': true } : {}) };
  }
}

/** One entry of a packages list; `where` names the file and line for errors. */
export function specFromDict(raw: unknown, file: string, line: number): PackageSpec {
  const fail = (msg: string, hint: string): never => {
    throw new MflowError('CONFIG', msg, { file, line, hint });
  };
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) fail('Each entry under packages: must be a mapping', 'Write `- package: dbt-labs/dbt_utils` with `version: [">=1.0.0", "<2.0.0"]`, or `- local: path`, `- git: url`, `- tarball: url`.');
  const d = raw as Record<string, unknown>;
  if (typeof d.local === 'string') return { kind: 'local', local: d.local };
  if (typeof d.git === 'string') {
    const rev = d.revision ?? d.version;
    return { kind: 'git', git: d.git, revision: rev === undefined || rev === null ? undefined : String(rev), subdirectory: d.subdirectory ? String(d.subdirectory) : undefined, warnUnpinned: d['warn-unpinned'] !== false };
  }
  if (typeof d.tarball === 'string') {
    if (typeof d.name !== 'string') fail(`The tarball package ${d.tarball} needs a 'name'`, 'Add `name: the_package` (the name in its dbt_project.yml).');
    return { kind: 'tarball', tarball: d.tarball, name: d.name as string };
  }
  if (typeof d.package === 'string') {
    if (!/^[\w.-]+\/[\w.-]+$/.test(d.package)) fail(`Hub package '${d.package}' must be written owner/name`, 'For example `package: dbt-labs/dbt_utils`.');
    const v = d.version;
    if (v === undefined || v === null) fail(`Hub package '${d.package}' needs a version`, 'Add `version: [">=1.0.0", "<2.0.0"]` (a range) or an exact version.');
    const versions = (Array.isArray(v) ? v : [v]).map(String);
    return { kind: 'hub', package: d.package, versions, installPrerelease: d['install-prerelease'] === true || d.install_prerelease === true };
  }
  return fail(`Unknown package entry with keys ${Object.keys(d).join(', ') || '(none)'}`, 'Use one of local:, git:, tarball: or package: (a hub package).');
}

/** `packages.yml` or `dependencies.yml` (both is an error, as in dbt). Undefined when neither exists. */
export function readSpecFile(root: string, vars: Record<string, unknown>, env: NodeJS.ProcessEnv): SpecFile | undefined {
  const found = ['packages.yml', 'dependencies.yml'].filter((f) => existsSync(join(root, f)));
  if (found.length === 2) {
    throw new MflowError('CONFIG', 'Both packages.yml and dependencies.yml exist', { file: 'dependencies.yml', hint: 'Keep the package list in one of them (dbt reads only one).' });
  }
  if (!found.length) return undefined;
  return readPackageList(root, found[0], vars, env, true);
}

export function readPackageList(root: string, file: string, vars: Record<string, unknown>, env: NodeJS.ProcessEnv, render: boolean): SpecFile {
  const y = parseYaml<Record<string, unknown>>(readFileSync(join(root, file), 'utf8'), file);
  const data = y.data ?? {};
  const list = (data as Record<string, unknown>).packages ?? [];
  if (!Array.isArray(list)) throw new MflowError('CONFIG', `'packages' in ${file} must be a list`, { file, line: y.lineOf(['packages']) });
  const rendered = render ? renderYamlValues(list, { file, vars, env }, y.lineOf, ['packages']) : list;
  return { file, specs: rendered.map((raw, i) => ({ spec: specFromDict(raw, file, y.lineOf(['packages', i])), line: y.lineOf(['packages', i])})) };
}
