/** What every phase of the parse (build.ts) shares: the options, the project, and the errors collected so far. */
import type { Dialect } from '../contracts/adapter.js';
import type { Manifest } from '../contracts/manifest.js';
import type { MflowError } from '../errors.js';
import type { JinjaRuntime } from '../jinja/context.js';
import type { InstalledPackage } from '../project/packages.js';
import type { ProjectConfig, ResolvedTarget, Warning } from '../project/types.js';
import type { Patch } from './properties.js';

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

export interface ParseCtx {
  o: ParseOptions;
  p: ProjectConfig;
  /** Errors of every file, thrown together at the end of the parse. */
  errors: MflowError[];
  packages: InstalledPackage[];
  pkgConfig: Map<string, ProjectConfig>;
  /** The package a file belongs to (the root project's name for its own files). */
  pkgOf: (f: { pkg?: string }) => string;
}

export const baseName = (path: string) => path.split('/').pop()!.replace(/\.(sql|csv)$/, '');

/** A patch's `config:`, with `access:` / `group:` given as properties folded in (dbt takes both). */
export function patchConfig(pt: Patch): Record<string, unknown> {
  if (pt.access === undefined && pt.group === undefined) return pt.config;
  return { ...(pt.access !== undefined ? { access: pt.access } : {}), ...(pt.group !== undefined ? { group: pt.group } : {}), ...pt.config };
}

export function lineOfText(text: string, needle: string): number | undefined {
  const i = text.indexOf(needle);
  return i < 0 ? undefined : text.slice(0, i).split('\n').length;
}
