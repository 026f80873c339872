import { join, resolve } from 'node:path';
import { loadProject } from '../../project/load.js';
import { parseVars } from '../../run/vars.js';
import { phase } from '../../util/timing.js';
import type { CompileResult } from '../../api.js';
import type { CommonOptions } from '../../run/session.js';
import type { Console } from '../../console/console.js';
import type { ProjectConfig, ResolvedTarget, Warning } from '../../project/types.js';
import { INTERNAL_MANIFEST, readCache, type PartialCache } from './cache.js';
import { compiledOnDisk, parseRoots, sameStamp, stampFiles, stampOf, type FileStamp, type Scan } from './files.js';
import { RACY_MS, inputKeyOf } from './key.js';

/**
 * `mflow compile` of the whole project when nothing changed since the last one: every input of
 * the parse has the stamp and value the cache recorded, the last compile selected everything and
 * none of its renders was volatile, and every compiled file is still the one it wrote. Then there
 * is nothing to parse, render or write, and the manifest need not even be read. Any doubt returns
 * null and the command takes the ordinary (partial or full) path.
 */
export function compileUpToDate(o: { project: ProjectConfig; target: ResolvedTarget; dialectType: string; vars: Record<string, unknown>; env?: NodeJS.ProcessEnv; targetDir: string }): { up: { count: number; warnings: Warning[] } | null; scan: Scan | null } {
  const env = o.env ?? process.env;
  if (env.MFLOW_PARTIAL_PARSE === '0' || env.MFLOW_PARTIAL_PARSE === 'false') return { up: null, scan: null };
  const scannedAt = Date.now();
  const stamps = stampFiles(o.project.root, parseRoots(o.project));
  const c = readCache(o.targetDir);
  // For the parse that follows when this check fails: the files are not listed twice.
  const scan: Scan = { root: o.project.root, targetDir: o.targetDir, stamps, scannedAt, cache: c };
  const no = { up: null, scan };
  if (!c?.lastCompile || c.dynamicEnv) return no;
  if (c.key !== inputKeyOf(o.project, o.target, o.dialectType, o.vars)) return no;
  for (const [k, v] of Object.entries(c.env)) if ((env[k] ?? null) !== v) return no;
  if (!filesUnchanged(c, stamps)) return no;
  if (!c.manifest || !sameStamp(stampOf(join(o.targetDir, INTERNAL_MANIFEST)) ?? undefined, c.manifest)) return no;
  if (!c.dbtManifest || !sameStamp(stampOf(join(o.targetDir, 'manifest.json')) ?? undefined, c.dbtManifest)) return no;
  const last = c.lastCompile;
  if (!compiledOnDisk(() => c.compiled, () => last.ids, c.compiledDirs)) return no;
  return { up: { count: last.count ?? last.ids?.length ?? 0, warnings: c.warnings }, scan: null };
}

function filesUnchanged(c: PartialCache, stamps: Map<string, FileStamp>): boolean {
  if (stamps.size !== Object.keys(c.files).length) return false;
  for (const [path, st] of stamps) {
    const prev = c.files[path];
    if (!sameStamp(prev, st) || prev[1] >= c.scannedAt - RACY_MS) return false;
  }
  return true;
}

/** Emits warnings as Session.open does: the project's, then the parse's. */
export function emitWarnings(console: Console, ws: Warning[]): void {
  for (const w of ws) console.emit({ type: 'warn', msg: w.message, file: w.file, line: w.line });
}

export const targetDirOf = (p: ProjectConfig, targetPath?: string): string => resolve(p.root, targetPath ?? p.targetPath);

/**
 * The up-to-date check as `compile` makes it: loads the project (as Session.open does), and on
 * success emits the warnings the parse gave. Light on imports: the CLI calls it before loading
 * the rest of mflow.
 */
export async function compileIfUpToDate(opts: CommonOptions): Promise<{ up: CompileResult | null; scan: Scan | null }> {
  const vars = parseVars(opts.vars);
  const { config, target, warnings } = loadProject({ projectDir: opts.projectDir, profilesDir: opts.profilesDir, target: opts.target, vars, env: opts.env });
  const targetDir = targetDirOf(config, opts.targetPath);
  const { up, scan } = compileUpToDate({ project: config, target, dialectType: target.type, vars, env: opts.env, targetDir });
  if (!up) return { up: null, scan };
  if (opts.console) emitWarnings(opts.console, [...warnings, ...up.warnings]);
  phase('partial: up to date');
  return { up: { compiled: {}, count: up.count, manifestPath: join(targetDir, 'manifest.json'), parse: { mode: 'partial', reason: '' } }, scan: null };
}
