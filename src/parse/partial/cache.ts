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
  /** Token of target/partial_parse_index.json, the index of that manifest's nodes (lazy.ts); null: none. */
  manifestIndex?: string | null;
  dbtManifest?: FileStamp | null;
  /** Warnings the parse gave (emitted again when the parse is reused). */
  warnings: Warning[];
  /** Compiled files on disk: node id -> [sha256 of the text, the file's stamp after writing, its path]. */
  compiled: Record<string, CompiledFile>;
  /** The last compile selected every node and none of its renders was volatile: its compiled nodes. */
  lastCompile?: { ids: string[]; count?: number } | null;
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

/**
 * The compiled-file records and the ids of the last compile (three quarters of the cache at 10,000
 * models) live in a second file, read only when used: a compile with nothing changed never needs
 * them (up-to-date.ts). Both files carry the same token; a pair that does not match (another
 * process wrote one of them in between) reads as no compiled file known, so everything is checked.
 */
export const COMPILED_FILE = 'partial_parse_compiled.json';
interface Side {
  token: string;
  compiled: Record<string, CompiledFile>;
  ids: string[] | null;
}
type OnDisk = Omit<PartialCache, 'compiled' | 'lastCompile'> & { side: string; lastCompile: { count: number } | null };

export function readCache(targetDir: string): PartialCache | null {
  const f = join(targetDir, CACHE_FILE);
  if (!existsSync(f)) return null;
  let c: OnDisk;
  try {
    c = JSON.parse(readFileSync(f, 'utf8')) as OnDisk;
  } catch {
    return null;
  }
  if (!c || c.format !== CACHE_FORMAT || typeof c.key !== 'string' || !c.files || typeof c.side !== 'string') return null;
  const token = c.side;
  let side: Side | null = null;
  const load = (): Side => {
    if (side) return side;
    try {
      const s = JSON.parse(readFileSync(join(targetDir, COMPILED_FILE), 'utf8')) as Side;
      if (s && s.token === token && s.compiled && typeof s.compiled === 'object') return (side = s);
    } catch {
      // unreadable: as if no compiled file were known
    }
    return (side = { token, compiled: {}, ids: null });
  };
  const out = c as unknown as PartialCache & { side?: string };
  delete out.side;
  let compiled: Record<string, CompiledFile> | null = null;
  Object.defineProperty(out, 'compiled', {
    enumerable: true,
    configurable: true,
    get: () => (compiled ??= load().compiled),
    set: (v: Record<string, CompiledFile>) => void (compiled = v),
  });
  if (c.lastCompile) {
    const count = c.lastCompile.count;
    const last = { count } as { ids: string[]; count: number };
    // null when the side file does not match: no file of the last compile can then be checked.
    Object.defineProperty(last, 'ids', { enumerable: true, configurable: true, get: () => load().ids });
    out.lastCompile = last;
  }
  return out;
}

export function writeCache(targetDir: string, c: PartialCache): void {
  const token = `${Date.now()}-${process.pid}-${Math.random().toString(36).slice(2)}`;
  const side: Side = { token, compiled: c.compiled, ids: c.lastCompile?.ids ?? null };
  writeAtomic(join(targetDir, COMPILED_FILE), JSON.stringify(side));
  const main: OnDisk = { ...c, side: token, lastCompile: c.lastCompile ? { count: c.lastCompile.count ?? c.lastCompile.ids.length } : null };
  delete (main as { compiled?: unknown }).compiled;
  writeAtomic(join(targetDir, CACHE_FILE), JSON.stringify(main));
}

export function dropCache(targetDir: string): void {
  rmSync(join(targetDir, CACHE_FILE), { force: true });
  rmSync(join(targetDir, COMPILED_FILE), { force: true });
}
