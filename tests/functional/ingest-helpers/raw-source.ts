import type { SourceTable } from '../../../src/contracts/manifest.js';

/**
 * What every table of the mediflow project's `raw` source has, as the ingest tests and the docs
 * fixture both declare it: callers add descriptions, columns and how it is loaded. Kept apart
 * from source-table.ts, whose import needs the OHDSI fixtures.
 */
export function rawSourceTable(name: string, at: { file: string; fqnFolders: string[]; database: string | null; schema: string }) {
  return {
    unique_id: `source.mediflow.raw.${name}`,
    resource_type: 'source',
    source_name: 'raw',
    name,
    package_name: 'mediflow',
    path: at.file,
    original_file_path: at.file,
    fqn: ['mediflow', ...at.fqnFolders, 'raw', name],
    database: at.database,
    schema: at.schema,
    identifier: name,
    relation_name: [at.database, at.schema, name].filter((p) => p !== null).map((p) => `"${p}"`).join('.'),
    meta: {},
    config: { enabled: true },
    quoting: {},
  } satisfies Partial<SourceTable>;
}
