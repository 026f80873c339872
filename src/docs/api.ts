/**
 * `mflow docs generate` as a function: compile (docs need the compiled SQL for column lineage,
 * as dbt's docs generate does), introspect the warehouse into target/catalog.json, then build
 * the static site from manifest, catalog and the last run_results.json.
 */
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { redact } from '../project/secrets.js';
import path from 'node:path';
import { compile } from '../api.js';
import { readRunResults } from '../artifacts/write.js';
import type { Adapter } from '../contracts/adapter.js';
import type { Manifest } from '../contracts/manifest.js';
import { MflowError } from '../errors.js';
import { Session, type CommonOptions } from '../run/session.js';
import type { DuckDBConnectionWrapper } from '../adapters/duckdb/adapter.js';
import { buildCatalog, catalogFromIntrospector, type Catalog } from './catalog.js';
import { generateDocsSite, type GenerateDocsResult } from './generate.js';
import type { FreshnessArtifact } from './overview.js';

export interface DocsGenerateResult extends GenerateDocsResult {
  catalogPath: string;
  manifestPath: string;
  /** Relations found in the warehouse (models not built yet are absent, as in dbt). */
  catalogRelations: number;
  hadRunResults: boolean;
}

async function catalogOf(adapter: Adapter, manifest: Manifest): Promise<Catalog> {
  if (!adapter.dialect.capabilities.localEngine) return catalogFromIntrospector(adapter.introspector, manifest);
  const conn = (await adapter.acquire()) as DuckDBConnectionWrapper;
  try {
    return await buildCatalog(conn.raw, manifest);
  } finally {
    adapter.release(conn);
  }
}

function readText(file: string): string | undefined {
  return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
}

/** An optional artifact: absent is fine, unreadable says which file. */
function readJson<T>(file: string): T | undefined {
  const text = readText(file);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new MflowError('USAGE', `${file} is not valid JSON: ${(e as Error).message}`, { file, hint: 'delete it or run `mflow source freshness` again to rewrite it' });
  }
}

export async function docsGenerate(opts: CommonOptions = {}): Promise<DocsGenerateResult> {
  const { manifestPath } = await compile(opts);
  let manifest: Manifest;
  try {
    manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest;
  } catch (e) {
    throw new MflowError('INTERNAL', `could not read back ${manifestPath} after compiling: ${(e as Error).message}`, { file: manifestPath, cause: e });
  }
  const s = await Session.open({ ...opts, writeArtifacts: false });
  try {
    // Read (and reject) the optional inputs before anything is written.
    const freshness = readJson<FreshnessArtifact>(path.join(s.targetDir, 'sources.json'));
    const readme = readText(path.join(s.project.root, 'README.md'));
    const catalog = await catalogOf(await s.connect(), manifest);
    const catalogPath = path.join(s.targetDir, 'catalog.json');
    await writeFile(catalogPath, redact(JSON.stringify(catalog, null, 1)));
    const runResults = readRunResults(s.targetDir) ?? undefined;
    const site = await generateDocsSite({ targetDir: s.targetDir, manifest, catalog, runResults, freshness, readme });
    return {
      ...site,
      catalogPath,
      manifestPath,
      catalogRelations: Object.keys(catalog.nodes).length + Object.keys(catalog.sources).length,
      hadRunResults: Boolean(runResults),
    };
  } finally {
    await s.close();
  }
}
