import type { ManifestNode } from '../contracts/manifest.js';

/**
 * The manifest's `parent_map` and `child_map` (as dbt writes them): every node and source has an
 * entry, children sorted, so two parses of one project give the same file.
 */
export function parentChildMaps(nodes: Record<string, ManifestNode>, sourceIds: Iterable<string>): { parent_map: Record<string, string[]>; child_map: Record<string, string[]> } {
  const parent_map: Record<string, string[]> = {};
  const child_map: Record<string, string[]> = {};
  for (const id of [...Object.keys(nodes), ...sourceIds]) {
    parent_map[id] = [];
    child_map[id] = [];
  }
  for (const n of Object.values(nodes)) {
    parent_map[n.unique_id] = [...n.depends_on.nodes];
    for (const d of n.depends_on.nodes) (child_map[d] ??= []).push(n.unique_id);
  }
  for (const k of Object.keys(child_map)) child_map[k].sort();
  return { parent_map, child_map };
}
