import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeAtomic } from '../../artifacts/write.js';
import type { Warning } from '../../project/types.js';
import type { FileStamp } from './files.js';

/** Bumped whenever the cache's layout or meaning changes: an older cache is then ignored. */
export const CACHE_FORMAT = 5;
export const CACHE_FILE = 'partial_parse.json';

/**
 * What the last parse (and compile) of this project saw, kept in target/partial_parse.json. Every
 * field is checked before anything in it is reused; a cache that cannot be read means a full parse.
 */
export type CompiledFile = [sha: string, stamp: FileStamp, path: string];

export interface PartialCache {
  format: number;
  /** Hash of every input of a render that is not a file: mflow build, project config, target, vars. */
  key: string;
  /** Files under the parse roots when the parse started, and when the scan was taken (ms). */
  files: Record<string, FileStamp>;
  scannedAt: number;
  /** env vars named by env_var() in any file, with the value each had (null: unset). */
  env: Record<string, string | null>;
  /** sha256 of every file that is not a node's whole text (macros, properties, docs, snapshots, seeds are in the manifest). */
  hashes: Record<string, string>;
  /** Some env_var() call has a computed name: no list of names covers it, so no partial parse. */
  dynamicEnv: boolean;
  /**
   * The parse as mflow holds it (target/partial_parse_manifest.json, INTERNAL_MANIFEST), and the
   * hash of its text less the metadata; manifest.json itself is dbt's shape, which leaves
   * mflow-only fields out, so a reused parse is read from this file. `dbtManifest` is the stamp of
   * target/manifest.json written beside it: any other writer of that file forces a full parse.
   */
  manifest: FileStamp | null;
  manifestBody: string | null;
  dbtManifest?: FileStamp | null;
  /** Warnings the parse gave (emitted again when the parse is reused). */
  warnings: Warning[];
  /** Compiled files on disk: node id -> [sha256 of the text, the file's stamp after writing, its path]. */
  compiled: Record<string, CompiledFile>;
  /** The last compile selected every node and none of its renders was volatile: its compiled nodes. */
  lastCompile?: { ids: string[] } | null;
  /**
   * Stamps of the folders that hold the compiled files, taken after they were written, and when
   * (ms). Deleting, adding or renaming a file moves its folder's stamp, so a compile with nothing
   * changed checks these few folders instead of stat'ing every compiled file (see compiledOnDisk).
   */
  compiledDirs?: { at: number; stamps: Record<string, FileStamp> } | null;
  /**
   * Of the nodes the last compile of the whole project compiled, those whose text makes a render
   * unstable (stableRender in index.ts): a partial parse takes this instead of scanning 10,000
   * texts again. Null: not known.
   */
  unstable?: string[] | null;
  /** Nodes whose render touched the warehouse or the console: rendered again every time. */
  volatile: string[];
}

/** The parse in mflow's own shape, beside dbt-shaped manifest.json. */
export const INTERNAL_MANIFEST = 'partial_parse_manifest.json';

export function readCache(targetDir: string): PartialCache | null {
  const f = join(targetDir, CACHE_FILE);
  if (!existsSync(f)) return null;
  try {
    const c = JSON.parse(readFileSync(f, 'utf8')) as PartialCache;
    return c && c.format === CACHE_FORMAT && typeof c.key === 'string' && c.files && c.compiled ? c : null;
  } catch {
    return null;
  }
}

export function writeCache(targetDir: string, c: PartialCache): void {
  writeAtomic(join(targetDir, CACHE_FILE), JSON.stringify(c));
}

export function dropCache(targetDir: string): void {
  rmSync(join(targetDir, CACHE_FILE), { force: true });
}
