/**
 * Exposures, semantic models, metrics and saved queries, read from the manifest in dbt's shape
 * (top-level `exposures`, `semantic_models`, `metrics`, `saved_queries`, keyed by unique_id).
 * They are drawn in the lineage graph (edges from `depends_on.nodes`, as dbt docs does) and get a
 * page each; a manifest without them simply has none.
 */
import type { Manifest } from '../contracts/manifest.js';

export const SEMANTIC_KEYS = ['exposures', 'semantic_models', 'metrics', 'saved_queries'] as const;
export type SemanticKey = (typeof SEMANTIC_KEYS)[number];

/** The fields the site reads; everything else in dbt's shape is kept in the page's "definition". */
export interface SemanticNode {
  unique_id: string;
  name: string;
  resource_type: string;
  package_name?: string;
  original_file_path?: string;
  description?: string;
  label?: string | null;
  tags?: string[];
  depends_on?: { nodes?: string[]; macros?: string[] };
  [key: string]: unknown;
}

type WithSemantic = Manifest & Partial<Record<SemanticKey, Record<string, SemanticNode>>>;

export function semanticNodes(manifest: Manifest): SemanticNode[] {
  const m = manifest as WithSemantic;
  return SEMANTIC_KEYS.flatMap((k) => Object.values(m[k] ?? {}));
}

export function semanticNode(manifest: Manifest, id: string): SemanticNode | undefined {
  const m = manifest as WithSemantic;
  for (const k of SEMANTIC_KEYS) if (m[k]?.[id]) return m[k]![id];
  return undefined;
}

/** The facts an analyst asks about each kind, lifted out of dbt's nested shape for the page. */
export function semanticFacts(n: SemanticNode): Record<string, unknown> {
  const pick = (...keys: string[]) => Object.fromEntries(keys.filter((k) => n[k] !== undefined && n[k] !== null && n[k] !== '').map((k) => [k, n[k]]));
  switch (n.resource_type) {
    case 'exposure':
      return pick('label', 'type', 'maturity', 'url', 'owner');
    case 'metric':
      return pick('label', 'type', 'type_params', 'filter', 'time_granularity');
    case 'semantic_model':
      return pick('label', 'model', 'defaults', 'primary_entity', 'entities', 'dimensions', 'measures');
    case 'saved_query':
      return pick('label', 'query_params', 'exports');
    default:
      return {};
  }
}
