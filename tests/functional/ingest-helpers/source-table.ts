import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { SourceTable } from '../../../src/contracts/manifest.js';

/** A SourceTable as the lead's parser would build it from a `sources:` YAML entry. */
export function sourceTable(name: string, columns: readonly string[], external: Record<string, unknown>, schema = 'raw'): SourceTable {
  return {
    unique_id: `source.mediflow.raw.${name}`,
    resource_type: 'source',
    source_name: 'raw',
    name,
    package_name: 'mediflow',
    path: 'models/sources.yml',
    original_file_path: 'models/sources.yml',
    fqn: ['mediflow', 'raw', name],
    database: null,
    schema,
    identifier: name,
    relation_name: `"${schema}"."${name}"`,
    description: '',
    source_description: '',
    columns: Object.fromEntries(columns.map((c) => [c, { name: c, description: '', meta: {}, tags: [] }])),
    meta: {},
    tags: [],
    config: { enabled: true },
    loader: 'mflow',
    loaded_at_field: '_loaded_at',
    quoting: {},
    external,
    declared_at: { file: 'models/sources.yml', line: 3 },
  };
}

export async function memoryDb(): Promise<{ conn: DuckDBConnection; close(): void }> {
  const inst = await DuckDBInstance.create(':memory:');
  const conn = await inst.connect();
  return { conn, close: () => { conn.closeSync(); inst.closeSync(); } };
}

export function tempProject(): string {
  return mkdtempSync(join(tmpdir(), 'mflow-ingest-test-'));
}

export async function rows(conn: DuckDBConnection, sql: string): Promise<Record<string, unknown>[]> {
  const r = await conn.runAndReadAll(sql);
  return r.getRowObjectsJS().map((o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])));
}
