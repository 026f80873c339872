/**
 * Runs the MediFlow pipeline through the typed API, the way `npm start` does: generate SynPUF
 * data into <project>/data/synpuf, ingest the RAW sources, then `build`. Used by the e2e suites
 * that need a real build in a scratch copy of the project.
 */
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { Session } from '../../src/run/session.js';
import { ingestSources } from '../../src/ingest/index.js';
import type { IngestReport } from '../../src/ingest/index.js';
import { generateSynpuf } from '../../src/synpuf/generate.js';
import { CaptureConsole } from '../../src/console/console.js';

export const REPO = resolve(import.meta.dirname, '..', '..');

/** A scratch copy of the MediFlow project (config, models, seeds, macros, data tests). */
export function copyProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mediflow-'));
  for (const p of ['project.yml', 'models', 'seeds', 'macros', 'tests/data']) cpSync(join(REPO, p), join(dir, p), { recursive: true });
  return dir;
}

export async function generate(projectDir: string, beneficiaries: number, seed: number): Promise<string> {
  const outDir = join(projectDir, 'data', 'synpuf');
  await generateSynpuf({ beneficiaries, seed, outDir, nppesDir: join(projectDir, 'data', 'nppes') });
  return outDir;
}

/** Loads every source that has an external: block into RAW. */
export async function ingest(projectDir: string, opts: { fullRefresh?: boolean } = {}): Promise<IngestReport> {
  const session = await Session.open({ projectDir, console: new CaptureConsole() });
  try {
    const adapter = await session.connect();
    const conn = (await adapter.acquire()) as unknown as { raw: DuckDBConnection };
    const sources = Object.values(session.manifest.sources).filter((s) => s.external);
    const report = await ingestSources(conn.raw, sources, { projectDir, targetDir: session.targetDir, fullRefresh: opts.fullRefresh });
    adapter.release(conn as never);
    return report;
  } finally {
    await session.close();
  }
}
