/**
 * A synthetic project of any size, shaped like a real warehouse (per domain: sources, staging,
 * intermediate, core and marts models with joins across layers and a few across domains), with
 * real compiled SQL so column lineage is exercised too. Used by bench/docs-render.mjs.
 */
import type { Manifest, ManifestNode, SourceTable } from '../contracts/manifest.js';
import { duckdbWarehouse } from '../adapters/duckdb/warehouse.js';
import { parentChildMaps } from '../graph/maps.js';

const LAYERS: { prefix: string; folder: string; schema: string; count: number }[] = [
  { prefix: 'stg', folder: 'staging', schema: 'stg', count: 24 },
  { prefix: 'int', folder: 'intermediate', schema: 'stg', count: 24 },
  { prefix: 'dim', folder: 'core', schema: 'dim', count: 12 },
  { prefix: 'fact', folder: 'core', schema: 'fact', count: 12 },
  { prefix: 'mart', folder: 'marts', schema: 'marts', count: 8 },
];
const PER_DOMAIN = LAYERS.reduce((a, l) => a + l.count, 0);

export function syntheticManifest(models: number, seed = 7): Manifest {
  let s = seed;
  const rnd = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  const domains = Math.ceil(models / PER_DOMAIN);
  const nodes: Record<string, ManifestNode> = {};
  const sources: Record<string, SourceTable> = {};
  const rel = (schema: string, name: string) => `"warehouse"."${schema}"."${name}"`;
  let made = 0;
  for (let d = 0; d < domains && made < models; d++) {
    const dom = `d${String(d).padStart(3, '0')}`;
    const srcIds: string[] = [];
    for (let i = 0; i < 6; i++) {
      const name = `${dom}_table${i}`;
      const id = `source.synthetic.raw.${name}`;
      srcIds.push(id);
      sources[id] = {
        unique_id: id, resource_type: 'source', source_name: 'raw', name, package_name: 'synthetic', path: `models/${dom}/sources.yml`, original_file_path: `models/${dom}/sources.yml`,
        fqn: ['synthetic', dom, 'raw', name], database: 'warehouse', schema: 'raw', identifier: name, relation_name: rel('raw', name), description: `Raw table ${i} of domain ${dom}`,
        source_description: '', columns: Object.fromEntries(['id', 'key', 'amount', 'event_date'].map((c) => [c, { name: c, description: '', meta: {}, tags: [] }])),
        meta: {}, tags: [dom], config: { enabled: true }, loader: 'synthetic', quoting: {},
      };
    }
    let prev: string[] = srcIds;
    for (const layer of LAYERS) {
      const cur: string[] = [];
      for (let i = 0; i < layer.count && made < models; i++, made++) {
        const name = `${layer.prefix}_${dom}_${i}`;
        const id = `model.synthetic.${name}`;
        const k = layer.prefix === 'stg' ? 1 : 2;
        const parents = new Set<string>();
        for (let j = 0; j < k; j++) parents.add(prev[Math.floor(rnd() * prev.length)]);
        // A few cross-domain joins keep the DAG one big component, as in real projects.
        if (d > 0 && layer.prefix === 'fact' && rnd() < 0.3) parents.add(`model.synthetic.dim_d${String(Math.floor(rnd() * d)).padStart(3, '0')}_${Math.floor(rnd() * 12)}`);
        const ps = [...parents];
        const relOf = (p: string) => (p.startsWith('source.') ? sources[p].relation_name : nodes[p].relation_name!);
        const sql = ps.length === 1
          ? `select id, key, amount * 1.0 as amount, event_date from ${relOf(ps[0])}`
          : `select t0.id, t0.key, t0.amount + coalesce(t1.amount, 0) as amount, greatest(t0.event_date, t1.event_date) as event_date\nfrom ${relOf(ps[0])} t0\n${ps.slice(1).map((p, j) => `left join ${relOf(p)} t${j + 1} on t0.id = t${j + 1}.id`).join('\n')}`;
        nodes[id] = {
          unique_id: id, resource_type: 'model', name, package_name: 'synthetic', path: `${dom}/${layer.folder}/${name}.sql`, original_file_path: `models/${dom}/${layer.folder}/${name}.sql`,
          fqn: ['synthetic', dom, layer.folder, name], raw_code: sql, language: 'sql', checksum: { name: 'sha256', checksum: '' },
          config: { enabled: true, materialized: layer.prefix === 'stg' ? 'view' : 'table', tags: [dom, layer.folder], meta: {}, pre_hook: [], post_hook: [] },
          tags: [dom, layer.folder], description: `Model ${i} of the ${layer.folder} layer of domain ${dom}.`, columns: {}, meta: {},
          depends_on: { nodes: ps, macros: [] }, refs: [], sources: [], database: 'warehouse', schema: layer.schema, alias: name, relation_name: rel(layer.schema, name), compiled_code: sql,
        };
        cur.push(id);
      }
      prev = cur.length ? cur : prev;
    }
  }
  const { parent_map, child_map } = parentChildMaps(nodes, Object.keys(sources));
  return {
    metadata: { mflow_schema_version: 'v1', mflow_version: '0.1.0', generated_at: new Date(0).toISOString(), invocation_id: 'synthetic', project_name: 'synthetic', adapter_type: duckdbWarehouse.type, env: {} },
    nodes, sources, macros: {}, docs: {}, parent_map, child_map, selectors: {}, unit_tests: {},
  };
}
