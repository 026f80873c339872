/**
 * The landing page's data (data/overview.js): the project's own words (dbt's `__overview__` doc
 * block, else its README), how many things each layer holds, and what the last run and the last
 * freshness check said. Kept out of data/index.js so the 10,000-node first render does not pay for it.
 */
import type { Manifest } from '../contracts/manifest.js';
import type { RunResults } from '../contracts/results.js';
import { markdown } from './site-data.js';
import { semanticNodes } from './semantic.js';

/** `target/sources.json` in dbt's shape (what `mflow source freshness` writes). */
export interface FreshnessArtifact {
  metadata?: { generated_at?: string };
  elapsed_time?: number;
  results: { unique_id: string; status: string; max_loaded_at?: string; snapshotted_at?: string; max_loaded_at_time_ago_in_s?: number; error?: string; criteria?: unknown }[];
}

export interface OverviewInputs {
  manifest: Manifest;
  runResults?: RunResults;
  freshness?: FreshnessArtifact;
  /** The project's README.md (Markdown), used when there is no `__overview__` doc block. */
  readme?: string;
}

/** The layer of a node: the first folder under its resource folder (models/staging/x.sql → staging). */
export function layerOf(originalFilePath: string, type: string): string {
  const parts = originalFilePath.split('/');
  if (type === 'source') return 'sources';
  return parts.length > 2 ? parts[1] : parts[0] === 'models' ? '(root)' : `${type}s`;
}

export function overviewData({ manifest, runResults, freshness, readme }: OverviewInputs): Record<string, unknown> {
  const project = manifest.metadata?.project_name ?? '';
  const docs = Object.values(manifest.docs ?? {});
  const overviewDoc = docs.find((d) => d.name === '__overview__' && d.package_name === project) ?? docs.find((d) => d.name === '__overview__');
  // Images in a README point at files the site does not ship: their alt text stands in (no 404s).
  const readmeText = readme?.replace(/!\[([^\]]*)\]\([^)]*\)/g, (_m, alt: string) => (alt ? `*(picture: ${alt})*` : ''));
  const html = overviewDoc ? markdown(overviewDoc.block_contents, manifest, project) : readmeText ? markdown(readmeText, manifest, project) : '';
  // The page has its own <h1> and <h2>s: the project's headings go two levels down.
  const about = html
    .replace(/<(\/?)h([1-6])(?=[\s>])/g, (_m, close: string, n: string) => `<${close}h${Math.min(6, Number(n) + 2)}`)
    // Raw <img> tags too: the site does not ship the README's pictures.
    .replace(/<img\b[^>]*>/gi, (tag) => {
      const alt = /\balt\s*=\s*"([^"]*)"/i.exec(tag)?.[1];
      return alt ? `<em>(picture: ${alt})</em>` : '';
    });

  const layers: Record<string, Record<string, number>> = {};
  const types: Record<string, number> = {};
  const count = (layer: string, type: string) => {
    (layers[layer] ??= {})[type] = (layers[layer][type] ?? 0) + 1;
    types[type] = (types[type] ?? 0) + 1;
  };
  for (const n of Object.values(manifest.nodes)) {
    if (n.config?.enabled === false) continue;
    if (n.resource_type === 'test' || n.resource_type === 'unit_test') count('tests', n.resource_type);
    else count(layerOf(n.original_file_path, n.resource_type), n.resource_type);
  }
  for (const s of Object.values(manifest.sources)) count('sources', 'source');
  for (const s of semanticNodes(manifest)) count('semantic layer & exposures', s.resource_type);
  types.macro = Object.values(manifest.macros ?? {}).filter((m) => m.package_name === project).length;

  let lastRun: Record<string, unknown> | null = null;
  if (runResults) {
    const statuses: Record<string, number> = {};
    for (const r of runResults.results) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
    const bad = runResults.results.filter((r) => ['fail', 'error', 'warn', 'runtime error'].includes(r.status));
    const started = runResults.results.flatMap((r) => r.timing ?? []).map((t) => t.started_at).filter(Boolean).sort()[0];
    lastRun = {
      generatedAt: runResults.metadata?.generated_at ?? null,
      startedAt: started ?? null,
      elapsed: runResults.elapsed_time ?? null,
      command: (runResults.args as Record<string, unknown> | undefined)?.which ?? null,
      statuses,
      status: bad.some((r) => r.status !== 'warn') ? 'failed' : bad.length ? 'warnings' : 'success',
      problems: bad.slice(0, 200).map((r) => ({ id: r.unique_id, status: r.status, failures: r.failures ?? null, message: r.message ?? null })),
      problemsTotal: bad.length,
    };
  }
  const fresh = freshness
    ? {
        generatedAt: freshness.metadata?.generated_at ?? null,
        results: freshness.results.map((r) => ({ id: r.unique_id, status: r.status, maxLoadedAt: r.max_loaded_at ?? null, ageSeconds: r.max_loaded_at_time_ago_in_s ?? null, error: r.error ?? null })),
      }
    : null;
  return { project, about, aboutFrom: overviewDoc ? 'doc' : readme ? 'readme' : null, layers, types, lastRun, freshness: fresh };
}
