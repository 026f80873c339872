import type { SourceTable } from '../contracts/manifest.js';
import { MflowError, closest } from '../errors.js';
import type { ExternalSpec } from './types.js';

const KNOWN_KEYS = ['location', 'format', 'on_schema_mismatch', 'delimiter', 'quote', 'escape', 'header', 'download', 'optional'];

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
  if (format !== 'csv' && format !== 'parquet') {
    throw new MflowError('CONFIG', `source ${source.source_name}.${source.name}: external.format '${format}' is not supported`, { ...where, hint: 'use csv (also for .zip and .csv.gz) or parquet' });
  }
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
  const str = (k: string, d: string): string => (typeof ext[k] === 'string' ? (ext[k] as string) : d);
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
  };
}

function inferFormat(location: string): string {
  return /\.parquet$/i.test(location) ? 'parquet' : 'csv';
}

/** The declared columns, in declared order: the order the file is expected to have. */
export function declaredColumns(source: SourceTable): string[] {
  return Object.values(source.columns).map((c) => c.name);
}
