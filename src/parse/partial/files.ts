import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { RACY_MS } from './key.js';
import type { ProjectConfig } from '../../project/types.js';

/** size, mtime, ctime and inode of a file: what the cache compares before reading a file again. */
export type FileStamp = [size: number, mtimeMs: number, ctimeMs: number, ino: number];

/**
 * Folders whose files can change a parse: every resource path of the project, and installed
 * packages. A layer that reads more folders (packages from elsewhere) must add them here, or
 * partial parsing would miss their changes.
 */
export function parseRoots(p: ProjectConfig): string[] {
  const roots = new Set<string>([...p.modelPaths, ...p.seedPaths, ...p.snapshotPaths, ...p.macroPaths, ...p.analysisPaths, ...p.testPaths, ...p.docsPaths, 'dbt_packages', 'dbt_modules']);
  const extra = (p as unknown as { packagesInstallPath?: string }).packagesInstallPath;
  if (extra) roots.add(extra);
  return [...roots].sort();
}

/**
 * Every file under the roots (hidden ones skipped, as discovery skips them) with its stamp. One
 * stat per file is far cheaper than reading it: the cache reads only files whose stamp moved.
 */
export function stampFiles(projectRoot: string, roots: string[]): Map<string, FileStamp> {
  const out = new Map<string, FileStamp>();
  for (const root of roots) {
    const abs = join(projectRoot, root);
    if (!existsSync(abs)) continue;
    const stack: [string, string][] = [[abs, root]];
    while (stack.length) {
      const [d, rel] = stack.pop()!;
      let ents;
      try {
        ents = readdirSync(d, { withFileTypes: true });
      } catch {
        continue;
      }
      for (const ent of ents) {
        if (ent.name.startsWith('.')) continue;
        const path = `${rel}/${ent.name}`;
        if (ent.isDirectory()) {
          stack.push([join(d, ent.name), path]);
          continue;
        }
        try {
          const s = statSync(join(d, ent.name));
          out.set(path, [s.size, s.mtimeMs, s.ctimeMs, s.ino]);
        } catch {
          out.set(path, [-1, 0, 0, 0]);
        }
      }
    }
  }
  return out;
}

export const sameStamp = (a: FileStamp | undefined, b: FileStamp | undefined): boolean => !!a && !!b && a[0] === b[0] && a[1] === b[1] && a[2] === b[2] && a[3] === b[3];

export function stampOf(path: string): FileStamp | null {
  try {
    const s = statSync(path);
    return [s.size, s.mtimeMs, s.ctimeMs, s.ino];
  } catch {
    return null;
  }
}

/**
 * A scan and cache read made moments earlier in the same command (the up-to-date check of
 * `compile`), passed to the parse that follows so the files are not listed and stat'ed twice.
 */
export interface Scan {
  root: string;
  targetDir: string;
  stamps: Map<string, FileStamp>;
  scannedAt: number;
  cache: unknown;
}

/** The stamps of the folders holding these files, taken now (after the files were written). */
export function stampDirs(paths: Iterable<string>): { at: number; stamps: Record<string, FileStamp> } {
  const at = Date.now();
  const stamps: Record<string, FileStamp> = {};
  for (const p of paths) {
    const d = dirname(p);
    if (d in stamps) continue;
    // A folder that cannot be stat'ed gets a stamp no folder has: it is never trusted.
    stamps[d] = stampOf(d) ?? [-1, 0, 0, 0];
  }
  return { at, stamps };
}

/**
 * Folders whose stamp is the one recorded, and was already old when it was recorded (a change in
 * the same clock tick as the recording could leave it unmoved): no file in them was added, deleted
 * or renamed since. A compiled file rewritten in place by something else than mflow is not seen
 * this way; mflow writes each compiled file only when its text changes, and records it.
 */
export function unmovedDirs(rec: { at: number; stamps: Record<string, FileStamp> } | null | undefined): Set<string> {
  const out = new Set<string>();
  if (!rec) return out;
  for (const [d, st] of Object.entries(rec.stamps)) {
    if (st[1] >= rec.at - RACY_MS || st[2] >= rec.at - RACY_MS) continue;
    if (sameStamp(stampOf(d) ?? undefined, st)) out.add(d);
  }
  return out;
}

/**
 * Whether each compiled file is still the one recorded: by its folder's stamp, else its own. The
 * folders recorded are those of every compiled file: when all of them are unmoved, the records
 * themselves (2 MB at 10,000 models, kept in a file of their own) are not even read.
 */
export function compiledOnDisk(records: () => Record<string, [string, FileStamp, string]>, idsOf: () => string[] | null | undefined, dirs: { at: number; stamps: Record<string, FileStamp> } | null | undefined): boolean {
  const trusted = unmovedDirs(dirs);
  if (dirs && trusted.size > 0 && trusted.size === Object.keys(dirs.stamps).length) return true;
  const compiled = records();
  const ids = idsOf();
  if (!ids) return false;
  for (const id of ids) {
    const f = compiled[id];
    if (!f) return false;
    if (trusted.has(dirname(f[2]))) continue;
    if (!sameStamp(stampOf(f[2]) ?? undefined, f[1])) return false;
  }
  return true;
}
