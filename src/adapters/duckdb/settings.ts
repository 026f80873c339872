import { totalmem } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { MflowError } from '../../errors.js';

/**
 * DuckDB's own settings for a target. dbt-duckdb users write them under `settings:`
 * (`settings: { memory_limit: 4GB, threads: 2 }`); the two that decide whether a large build
 * fits on the machine can also be written at the top of the target (`memory_limit:`,
 * `temp_directory:`), and the top-level value wins. `threads:` at the top stays mflow's number of
 * models built at once (as in dbt); DuckDB's own thread count is `settings: { threads: N }`.
 */
export const DUCKDB_TOP_LEVEL_SETTINGS = ['memory_limit', 'temp_directory'] as const;

/**
 * Without a limit DuckDB takes 80 % of RAM, which leaves too little for the OS, its page cache
 * (ingestion reads gigabytes of CSV through it) and mflow's own heap; half the RAM keeps a large
 * build from fighting the OS, and DuckDB spills to `temp_directory` beyond it.
 */
export function defaultMemoryLimit(): string {
  return `${Math.max(256, Math.floor(totalmem() / 2 / 2 ** 20))}MiB`;
}

const SIZE = /^\s*(\d+(?:\.\d+)?)\s*(b|bytes|kb|mb|gb|tb|kib|mib|gib|tib)\s*$/i;
const PERCENT = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/;

/**
 * A memory size as DuckDB accepts it ("4GB", "512 MiB"), or a share of this machine's RAM
 * ("50%", turned into MiB here since DuckDB has no percentages). Null when neither.
 */
export function memoryLimitValue(v: unknown): string | null {
  const s = String(v);
  if (typeof v !== 'string' && typeof v !== 'number') return null;
  if (SIZE.test(s)) return Number(SIZE.exec(s)![1]) > 0 ? s.trim() : null;
  const p = PERCENT.exec(s);
  if (p && Number(p[1]) > 0 && Number(p[1]) <= 100) return `${Math.max(1, Math.floor((totalmem() * Number(p[1])) / 100 / 2 ** 20))}MiB`;
  return null;
}

interface Where {
  file: string;
  line: (...path: string[]) => number | undefined;
  name: string;
}

/** Checked where the profile is loaded, so a typo names the profile file and line, not DuckDB's "Failed to set config". */
export function checkDuckDBTarget(t: Record<string, unknown>, where: Where): void {
  const settings = t.settings;
  if (settings !== undefined && settings !== null && (typeof settings !== 'object' || Array.isArray(settings))) {
    throw new MflowError('CONFIG', `Target '${where.name}' has settings: ${JSON.stringify(settings)}, which is not a map of DuckDB settings`, {
      file: where.file,
      line: where.line('settings'),
      hint: 'Write settings: { memory_limit: 4GB, threads: 2 } (DuckDB setting names and values).',
    });
  }
  const s = (settings ?? {}) as Record<string, unknown>;
  const limits: [string, unknown][] = [];
  if (t.memory_limit !== undefined) limits.push(['memory_limit', t.memory_limit]);
  if (s.memory_limit !== undefined) limits.push(['settings.memory_limit', s.memory_limit]);
  for (const [key, v] of limits) {
    if (memoryLimitValue(v) === null) {
      throw new MflowError('CONFIG', `Target '${where.name}' has memory_limit: ${JSON.stringify(v)}, which is not a memory size`, {
        file: where.file,
        line: where.line(...key.split('.')),
        hint: 'Write a size with its unit, such as memory_limit: 4GB (or 512MB, 8GiB), or a share of the RAM such as 50%.',
      });
    }
  }
  for (const [key, v] of [['temp_directory', t.temp_directory], ['settings.temp_directory', s.temp_directory]] as const) {
    if (v !== undefined && v !== null && typeof v !== 'string') {
      throw new MflowError('CONFIG', `Target '${where.name}' has temp_directory: ${JSON.stringify(v)}, which is not a folder`, {
        file: where.file,
        line: where.line(...key.split('.')),
        hint: 'Write temp_directory: data/duckdb-spill (a folder, relative to the project) where DuckDB spills beyond memory_limit.',
      });
    }
  }
}

/** The settings DuckDB opens with: `settings:`, the top-level keys over them, and the default memory limit. */
export function duckdbSettings(t: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries((t.settings as Record<string, unknown>) ?? {})) out[k] = String(v);
  if (t.memory_limit !== undefined) out.memory_limit = String(t.memory_limit);
  if (typeof t.temp_directory === 'string') out.temp_directory = t.temp_directory;
  out.memory_limit = out.memory_limit !== undefined ? (memoryLimitValue(out.memory_limit) ?? out.memory_limit) : defaultMemoryLimit();
  return out;
}

/** A relative `temp_directory` (top level or under `settings:`) is relative to the project, as `path` is. */
export function resolveTempDirectory(t: Record<string, unknown>, root: string): void {
  const abs = (p: unknown) => (typeof p === 'string' && p !== '' && !isAbsolute(p) ? join(root, p) : p);
  if (t.temp_directory !== undefined) t.temp_directory = abs(t.temp_directory);
  const s = t.settings as Record<string, unknown> | undefined;
  if (s && typeof s === 'object' && s.temp_directory !== undefined) t.settings = { ...s, temp_directory: abs(s.temp_directory) };
}
