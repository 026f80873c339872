import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterEach, beforeEach } from 'vitest';
import type { SourceTable } from '../../../src/contracts/manifest.js';
import { rawSourceTable } from './raw-source.js';

/** A SourceTable as the lead's parser would build it from a `sources:` YAML entry. */
export function sourceTable(name: string, columns: readonly string[], external: Record<string, unknown>, schema = 'raw'): SourceTable {
  return {
    ...rawSourceTable(name, { file: 'models/sources.yml', fqnFolders: [], database: null, schema }),
    description: '',
    source_description: '',
    columns: Object.fromEntries(columns.map((c) => [c, { name: c, description: '', meta: {}, tags: [] }])),
    tags: [],
    loader: 'mflow',
    loaded_at_field: '_loaded_at',
    external,
    declared_at: { file: 'models/sources.yml', line: 3 },
  };
}

export async function memoryDb(): Promise<{ conn: DuckDBConnection; connect(): Promise<DuckDBConnection>; close(): void }> {
  const inst = await DuckDBInstance.create(':memory:');
  const conn = await inst.connect();
  return { conn, connect: () => inst.connect(), close: () => { conn.closeSync(); inst.closeSync(); } };
}

export function tempProject(): string {
  return mkdtempSync(join(tmpdir(), 'mflow-ingest-test-'));
}

/**
 * Registers, in the calling test file, a fresh in-memory DuckDB and a scratch project with an
 * empty data/ for each test; read them through the returned object, as they change per test.
 */
export function ingestScratch() {
  let db: Awaited<ReturnType<typeof memoryDb>>;
  let project: string;
  beforeEach(async () => {
    db = await memoryDb();
    project = tempProject();
    mkdirSync(join(project, 'data'), { recursive: true });
  });
  afterEach(() => db.close());
  return {
    get db() { return db; },
    get project() { return project; },
    /** ingestSources options for this test's project. */
    opts: (extra: object = {}) => ({ projectDir: project, targetDir: join(project, 'target'), ...extra }),
  };
}

export async function rows(conn: DuckDBConnection, sql: string): Promise<Record<string, unknown>[]> {
  const r = await conn.runAndReadAll(sql);
  return r.getRowObjectsJS().map((o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])));
}

/**
 * The OHDSI DE_0 fixtures (real DE-SynPUF layouts) from shared/: CI clones the repository with
 * shared/ beside it; a developer's checkout may have it at /work/shared.
 */
export const OHDSI_FIXTURES = (() => {
  const here = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..');
  const found = [join(here, '..', 'shared', 'data', 'synpuf-ohdsi-DE_0'), '/work/shared/data/synpuf-ohdsi-DE_0'].find((d) => existsSync(join(d, 'DE1_0_2008_Beneficiary_Summary_File_Sample_0.csv')));
  if (!found) throw new Error('OHDSI DE_0 fixtures not found: expected ../shared/data/synpuf-ohdsi-DE_0 beside the repository');
  return found;
})();
