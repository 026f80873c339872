import type { ManifestNode } from '../contracts/manifest.js';
import type { RenderNode } from './context.js';
import type { JinjaRelation } from './relation.js';

export function renderNodeOf(n: ManifestNode, line = 1, thisRelation: JinjaRelation | null = null, extra?: Record<string, unknown>): RenderNode {
  return {
    unique_id: n.unique_id,
    name: n.name,
    resource_type: n.resource_type,
    file: n.original_file_path,
    line,
    config: n.config,
    thisRelation,
    model: n as unknown as Record<string, unknown>,
    extra,
    package: n.package_name,
  };
}
