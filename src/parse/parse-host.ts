import type { Dialect } from '../contracts/adapter.js';
import type { Manifest } from '../contracts/manifest.js';
import type { RenderHost } from '../jinja/context.js';
import { JinjaRelation } from '../jinja/relation.js';
import { lazyGraphNodes } from './partial/lazy.js';

// What a partial parse needs of the parser without loading it (build.ts and the phases it runs
// are imported only for a full parse).

/** `graph` as renders after the parse see it. Unit tests are not graph nodes in dbt; everything else the manifest holds is. */
export function graphOf(m: Manifest): { nodes: Record<string, unknown>; sources: Record<string, unknown>; unit_tests: Record<string, unknown> } {
  // A lazily read manifest's nodes are read when a template reads them (parse/partial/lazy.ts).
  const nodes = lazyGraphNodes(m.nodes) ?? Object.fromEntries(Object.entries(m.nodes).filter(([, n]) => n.resource_type !== 'unit_test'));
  return { nodes, sources: m.sources, unit_tests: m.unit_tests ?? {} };
}

/** The host of parse-time renders: refs and sources resolve to placeholders. */
export function parseHost(dialect: Dialect): RenderHost {
  return {
    phase: 'parse',
    resolveRef: (r) => new JinjaRelation(dialect, null, null, r.name),
    resolveSource: (s, t) => new JinjaRelation(dialect, null, s, t),
    isIncremental: () => false,
  };
}
