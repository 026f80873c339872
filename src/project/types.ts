import type { TargetConfig } from '../contracts/adapter.js';

/** Per-resource configs from project.yml, as written (nested by package and folder). */
export type FolderConfigTree = Record<string, unknown>;

export interface ProjectConfig {
  /** Absolute path of the project folder. */
  root: string;
  /** The file the project was read from (`project.yml` or `dbt_project.yml`), relative to root. */
  file: string;
  name: string;
  version: string;
  profile?: string;
  modelPaths: string[];
  seedPaths: string[];
  testPaths: string[];
  macroPaths: string[];
  snapshotPaths: string[];
  docsPaths: string[];
  analysisPaths: string[];
  targetPath: string;
  /** Where `mflow.log` goes (`log-path`, default `logs`). */
  logPath?: string;
  cleanTargets: string[];
  /** Where `mflow deps` installs packages (dbt's packages-install-path, default dbt_packages). */
  packagesInstallPath: string;
  /** `dispatch:` search orders per macro namespace, as written. */
  dispatch: { macro_namespace: string; search_order: string[] }[];
  vars: Record<string, unknown>;
  models: FolderConfigTree;
  seeds: FolderConfigTree;
  snapshots: FolderConfigTree;
  tests: FolderConfigTree;
  sources: FolderConfigTree;
  onRunStart: string[];
  onRunEnd: string[];
  quoting: Record<string, boolean>;
  /** `restrict-access: true`: other packages may ref only this project's public models (and no private one). */
  restrictAccess: boolean;
  /** Where each top-level key was declared, for warnings. */
  lineOf(path: (string | number)[]): number;
}

export interface ResolvedTarget extends TargetConfig {
  /** Keys whose values came from env_var(): masked in every output. */
  secretKeys: string[];
  /** The profile file the target came from, for messages. */
  source: string;
}

export interface Warning {
  message: string;
  file?: string;
  line?: number;
}
