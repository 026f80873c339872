import type { ProjectConfig } from '../project/types.js';
import { readText, sha256, walkFiles } from '../util/fs.js';

export interface SourceFile {
  /** Project-relative POSIX path. */
  path: string;
  /** The resource folder it was found under (`models`, `seeds`, ...). */
  root: string;
  text: string;
  checksum: string;
  /** The package the file belongs to; absent for the root project. */
  pkg?: string;
  /** The package folder relative to the root project (`dbt_packages/x`); absent for the root project. */
  prefix?: string;
}

export interface ProjectFiles {
  models: SourceFile[];
  analyses: SourceFile[];
  macros: SourceFile[];
  properties: SourceFile[];
  seeds: SourceFile[];
  singularTests: SourceFile[];
  snapshots: SourceFile[];
  docs: SourceFile[];
}

/** Every file the project is made of, read once, with content hashes for state comparison. */
export function discoverFiles(p: ProjectConfig): ProjectFiles {
  const listing = new Map<string, string[]>();
  const read = (roots: string[], exts: string[], filter: (rel: string, root: string) => boolean = () => true): SourceFile[] => {
    const out: SourceFile[] = [];
    const seen = new Set<string>();
    for (const root of roots) {
      for (const path of walkFiles(p.root, root, exts, listing)) {
        if (seen.has(path) || !filter(path, root)) continue;
        seen.add(path);
        const text = readText(p.root, path);
        out.push({ path, root, text, checksum: sha256(text) });
      }
    }
    return out;
  };
  const isGeneric = (rel: string, root: string) => rel.slice(root.length + 1).startsWith('generic/');
  // Seeds are not read here: they can be large and only their hash matters to the manifest.
  const seeds: SourceFile[] = [];
  for (const root of p.seedPaths) for (const path of walkFiles(p.root, root, ['.csv'], listing)) seeds.push({ path, root, text: '', checksum: '' });
  return {
    models: read(p.modelPaths, ['.sql']),
    analyses: read(p.analysisPaths, ['.sql']),
    macros: [...read(p.macroPaths, ['.sql']), ...read(p.testPaths, ['.sql'], isGeneric)],
    properties: read([...p.modelPaths, ...p.seedPaths, ...p.snapshotPaths, ...p.macroPaths, ...p.analysisPaths, ...p.testPaths], ['.yml', '.yaml']),
    seeds,
    // As dbt: <test-path>/fixtures/ holds unit-test fixtures (`fixture: name`), never singular tests.
    singularTests: read(p.testPaths, ['.sql'], (rel, root) => !isGeneric(rel, root) && !rel.slice(root.length + 1).startsWith('fixtures/')),
    snapshots: read(p.snapshotPaths, ['.sql']),
    docs: read([...p.docsPaths, ...p.modelPaths, ...p.macroPaths], ['.md']),
  };
}

/**
 * The root project's files and each installed package's, in one listing. Package files keep
 * paths relative to the root project (`dbt_packages/dbt_utils/macros/x.sql`), so every later
 * stage reads them like the root project's own.
 */
export function discoverWithPackages(p: ProjectConfig, packages: { config: ProjectConfig; prefix: string }[]): ProjectFiles {
  const all = discoverFiles(p);
  for (const pk of packages) {
    const f = discoverFiles(pk.config);
    for (const k of Object.keys(all) as (keyof ProjectFiles)[]) {
      for (const sf of f[k]) all[k].push({ ...sf, path: `${pk.prefix}/${sf.path}`, root: `${pk.prefix}/${sf.root}`, pkg: pk.config.name, prefix: pk.prefix });
    }
  }
  return all;
}
