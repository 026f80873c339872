import type { DuckDBConnection } from '@duckdb/node-api';
import type { SourceTable } from '../contracts/manifest.js';

export type SchemaMismatchPolicy = 'error' | 'warn';
export type IngestFormat = 'csv' | 'parquet' | 'xlsx';

/** The validated `external:` block of one source table. */
export interface ExternalSpec {
  /** A path, a glob, a `.zip` (read through to its CSV) or an http(s) URL, relative to the project. */
  location: string;
  format: IngestFormat;
  onSchemaMismatch: SchemaMismatchPolicy;
  delimiter: string;
  quote: string;
  escape: string;
  header: boolean;
  /** Fetched into the location's folder when the location matches no file. */
  downloadUrl: string | null;
  /**
   * No file is not an error: the RAW table is created empty and the load audit records the
   * source as `absent`, so models build on any subset of the files (a partial CMS download).
   */
  optional: boolean;
  /** xlsx: the sheet to read (null: the first). */
  sheet: string | null;
  /** xlsx: rows above the header row (a title line), dropped. */
  skipRows: number;
  /** Older header spellings, lower-cased, mapped to the declared column they name. */
  columnAliases: Record<string, string>;
}

export interface IngestOptions {
  projectDir: string;
  /** Where `ingest_results.json` goes, e.g. `<project>/target`. */
  targetDir: string;
  /** Drop what was loaded for the selected sources and load every file again. */
  fullRefresh?: boolean;
  select?: (s: SourceTable) => boolean;
  onEvent?: (e: IngestEvent) => void;
  /**
   * Opens another connection to the same database. With it, sources load in parallel (each on its
   * own connection and transactions): numbering lines serialises DuckDB's CSV reader, so one
   * source keeps one core busy and a second source uses the other.
   */
  connect?: () => Promise<DuckDBConnection>;
  /** Sources loaded at once when `connect` is given (default 2). */
  concurrency?: number;
  /** Test seam: called inside each file's transaction after the rows are inserted. */
  beforeCommit?: (ctx: { source: SourceTable; file: string }) => void | Promise<void>;
}

/**
 * `replaced`: an earlier version of a file whose content changed at the same path.
 * `absent`: an optional source whose location matched no file (its RAW table is empty).
 */
export type FileStatus = 'success' | 'skipped' | 'warn' | 'error' | 'replaced' | 'absent';

/** What a changed file's load took out of RAW: the earlier loads of that path. */
export interface Replaced {
  load_ids: string[];
  sha256: string[];
  rows: number;
  rejects: number;
}

export interface FileResult {
  source: string;
  relation: string;
  file: string;
  sha256: string | null;
  status: FileStatus;
  load_id: string;
  rows_in_file: number | null;
  rows_loaded: number;
  rows_rejected: number;
  message: string | null;
  started_at: string;
  finished_at: string;
  elapsed_s: number;
  /** Set when the file changed at its path and its earlier rows were replaced. */
  replaced?: Replaced;
}

export interface IngestReport {
  generated_at: string;
  elapsed_s: number;
  success: boolean;
  results: FileResult[];
  /** Path of the JSON artifact written under targetDir. */
  artifact: string;
}

export type IngestEvent =
  | { type: 'source_start'; source: string; relation: string; files: number }
  | { type: 'file_start'; source: string; file: string }
  | { type: 'file_done'; result: FileResult }
  | { type: 'warn'; source: string; file?: string; message: string }
  /** Every few seconds while a file loads, so a long load is never silent (also in CI logs). */
  | { type: 'progress'; source: string; file: string; percent: number; bytes: number | null; elapsed_s: number };
