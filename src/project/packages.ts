/**
 * The packages `mflow deps` installed, read as projects of their own: each has its name, paths,
 * folder configs and vars, and its files are parsed under its own namespace.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { MflowError } from '../errors.js';
import { parseYaml } from '../util/yaml.js';
import { readProjectConfig } from './load.js';
import type { ProjectConfig, Warning } from './types.js';

export interface InstalledPackage {
  config: ProjectConfig;
  /** The package folder relative to the root project (`dbt_packages/dbt_utils`), POSIX. */
  prefix: string;
}

/** Installed packages in name order; an error when packages.yml names more than are installed. */
export function loadInstalledPackages(root: ProjectConfig, env: NodeJS.ProcessEnv, warnings: Warning[]): InstalledPackage[] {
  const dir = resolve(root.root, root.packagesInstallPath);
  const out: InstalledPackage[] = [];
  if (existsSync(dir)) {
    for (const name of readdirSync(dir).sort()) {
      const pdir = join(dir, name);
      if (!statSync(pdir).isDirectory() || !['dbt_project.yml', 'project.yml'].some((f) => existsSync(join(pdir, f)))) continue;
      const { config } = readProjectConfig(pdir, {}, env, root.vars);
      if (config.name === root.name) continue; // a package that installs the root project itself
      const prefix = relative(root.root, pdir).split('\\').join('/');
      config.lineOf = () => 1;
      out.push({ config, prefix });
    }
  }
  const requested = requestedCount(root.root);
  if (requested > out.length) {
    throw new MflowError('CONFIG', `${requested} package${requested === 1 ? ' is' : 's are'} named in packages.yml but ${out.length} ${out.length === 1 ? 'is' : 'are'} installed in ${root.packagesInstallPath}`, { file: 'packages.yml', hint: 'Run `mflow deps` to install them.' });
  }
  void warnings;
  return out;
}

function requestedCount(root: string): number {
  for (const f of ['packages.yml', 'dependencies.yml']) {
    if (!existsSync(join(root, f))) continue;
    const y = parseYaml<Record<string, unknown>>(readFileSync(join(root, f), 'utf8'), f);
    const list = y.data?.packages;
    return Array.isArray(list) ? list.length : 0;
  }
  return 0;
}
