import type { SourceTable } from '../contracts/manifest.js';
import { MflowError, closest } from '../errors.js';
import type { ExternalSpec } from './types.js';

const KNOWN_KEYS = ['location', 'format', 'on_schema_mismatch', 'delimiter', 'quote', 'escape', 'header', 'download', 'optional', 'sheet', 'skip_rows', 'column_aliases'];

/**
 * Reads the dbt-external-tables style `external:` block of a source table. Unknown keys are errors
 * (with a did-you-mean) because a misspelt `on_schema_mismatch` would silently change behaviour.
 */
export function readExternal(source: SourceTable): ExternalSpec {
  const ext = source.external;
  const where = { file: source.declared_at?.file ?? source.original_file_path, line: source.declared_at?.line, node: source.unique_id };
  if (!ext || typeof ext !== 'object') {
    throw new MflowError('CONFIG', `source ${source.source_name}.${source.name} has no external: block, so mflow ingest does not know where to read it from`, {
      ...where,
      hint: 'add `external: { location: "data/...csv", format: csv }` to the table in its properties YAML',
    });
  }
  for (const key of Object.keys(ext)) {
    if (!KNOWN_KEYS.includes(key)) {
      const guess = closest(key, KNOWN_KEYS);
      throw new MflowError('CONFIG', `unknown key external.${key} in source ${source.source_name}.${source.name}`, {
        ...where,
        hint: guess ? `did you mean ${guess}?` : `known keys: ${KNOWN_KEYS.join(', ')}`,
      });
    }
  }
  const location = ext.location;
  if (typeof location !== 'string' || location.trim() === '') {
    throw new MflowError('CONFIG', `source ${source.source_name}.${source.name}: external.location must be a path, glob, .zip or URL`, where);
  }
  const format = (ext.format ?? inferFormat(location)) as string;
  if (format !== 'csv' && format !== 'parquet' && format !== 'xlsx') {
    throw new MflowError('CONFIG', `source ${source.source_name}.${source.name}: external.format '${format}' is not supported`, { ...where, hint: 'use csv (also for .zip and .csv.gz), parquet or xlsx (also for a .zip holding one workbook)' });
  }
  for (const key of ['sheet', 'skip_rows']) {
    if (ext[key] !== undefined && format !== 'xlsx') {
      throw new MflowError('CONFIG', `source ${source.source_name}.${source.name}: external.${key} applies to Excel workbooks only (format: xlsx), not to format ${format}`, where);
    }
  }
  if (ext.sheet !== undefined && (typeof ext.sheet !== 'string' || ext.sheet === '')) {
    throw new MflowError('CONFIG', `source ${source.source_name}.${source.name}: external.sheet must be a sheet name`, where);
  }
  const skipRows = ext.skip_rows === undefined ? 0 : Number(ext.skip_rows);
  if (!Number.isInteger(skipRows) || skipRows < 0) {
    throw new MflowError('CONFIG', `source ${source.source_name}.${source.name}: external.skip_rows must be a whole number of rows (0 or more), not '${String(ext.skip_rows)}'`, where);
  }
  const columnAliases = readAliases(source, ext.column_aliases, where);
  const policy = (ext.on_schema_mismatch ?? 'error') as string;
  if (policy !== 'error' && policy !== 'warn') {
    throw new MflowError('CONFIG', `source ${source.source_name}.${source.name}: external.on_schema_mismatch must be error or warn, not '${policy}'`, where);
  }
  if (Object.keys(source.columns ?? {}).length === 0) {
    throw new MflowError('CONFIG', `source ${source.source_name}.${source.name} declares no columns; ingestion checks each file's header against them`, {
      ...where,
      hint: 'list the expected columns, in file order, under columns:',
    });
  }
  const dl = ext.download as { url?: unknown } | undefined;
  if (dl !== undefined && (typeof dl !== 'object' || dl === null || typeof dl.url !== 'string')) {
    throw new MflowError('CONFIG', `source ${source.source_name}.${source.name}: external.download must be { url: "https://..." }`, where);
  }
  if (ext.optional !== undefined && typeof ext.optional !== 'boolean') {
    throw new MflowError('CONFIG', `source ${source.source_name}.${source.name}: external.optional must be true or false`, where);
  }
  // A sheet is written out as plain comma-separated text, whatever delimiter the YAML names.
  const str = (k: string, d: string): string => (format !== 'xlsx' && typeof ext[k] === 'string' ? (ext[k] as string) : d);
  return {
    location,
    format,
    onSchemaMismatch: policy,
    delimiter: str('delimiter', ','),
    quote: str('quote', '"'),
    escape: str('escape', '"'),
    header: ext.header === undefined ? true : Boolean(ext.header),
    downloadUrl: dl ? (dl.url as string) : null,
    optional: ext.optional === true,
    sheet: typeof ext.sheet === 'string' ? ext.sheet : null,
    skipRows,
    columnAliases,
  };
}

/**
 * `column_aliases: { "Provider Gender Code": "Provider Sex Code" }`: older spellings of a header
 * that name the same column. A file may use them; its columns load under the declared names.
 */
function readAliases(source: SourceTable, raw: unknown, where: { file?: string; line?: number; node: string }): Record<string, string> {
  if (raw === undefined) return {};
  const declared = new Map(declaredColumns(source).map((c) => [c.toLowerCase(), c]));
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new MflowError('CONFIG', `source ${source.source_name}.${source.name}: external.column_aliases must map an older header name to a declared column, e.g. { "Provider Gender Code": "Provider Sex Code" }`, where);
  }
  const out: Record<string, string> = {};
  for (const [old, target] of Object.entries(raw as Record<string, unknown>)) {
    const to = typeof target === 'string' ? declared.get(target.toLowerCase()) : undefined;
    if (!to) {
      const guess = typeof target === 'string' ? closest(target, [...declared.values()]) : null;
      throw new MflowError('CONFIG', `source ${source.source_name}.${source.name}: external.column_aliases maps '${old}' to '${String(target)}', which is not a declared column`, {
        ...where,
        hint: guess ? `did you mean ${guess}?` : 'the value must be one of the names under columns:',
      });
    }
    out[old.toLowerCase()] = to;
  }
  return out;
}

function inferFormat(location: string): string {
  return /\.parquet$/i.test(location) ? 'parquet' : /\.xlsx$/i.test(location) ? 'xlsx' : 'csv';
}

/** The declared columns, in declared order: the order the file is expected to have. */
export function declaredColumns(source: SourceTable): string[] {
  return Object.values(source.columns).map((c) => c.name);
}
