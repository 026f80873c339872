import { createHash, randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Manifest } from '../contracts/manifest.js';
import type { NodeResult } from '../contracts/results.js';
import type { Console } from '../console/console.js';
import { findWarehouse } from '../adapters/index.js';
import { computeColumnLineage } from '../docs/column-lineage.js';
import type { Catalog } from '../docs/catalog.js';
import { MFLOW_VERSION } from '../version.js';

/**
 * OpenLineage run events (spec 2-0-2) for the nodes a pipeline step ran: a START and a COMPLETE or
 * FAIL per node, with its parents as input datasets and its relation as the output dataset,
 * carrying the schema and the column lineage the docs site derives (src/docs/column-lineage.ts).
 * The pipeline run is the parent run. Events go to a JSON-lines file or are POSTed to an HTTP
 * endpoint (Marquez: .../api/v1/lineage); a transport error is logged, never fatal.
 */
export interface LineageConfig {
  transport: 'file' | 'http' | 'none';
  /** For file: absolute path of the .jsonl file. */
  path: string;
  url: string | null;
  /** The job namespace. */
  namespace: string;
}

const SPEC = 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent';
const PRODUCER = `https://github.com/mediflow/mflow/tree/v${MFLOW_VERSION}`;
const facet = (file: string, def: string) => ({ _producer: PRODUCER, _schemaURL: `https://openlineage.io/spec/facets/${file}#/$defs/${def}` });

/** A stable UUID for a run id that is not one (mflow's and Airflow's run ids), so parents link up. */
export function uuidFor(id: string): string {
  const h = createHash('sha1').update(id).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h.slice(16, 18), 16) & 0x3f) | 0x80).toString(16)}${h.slice(18, 20)}-${h.slice(20, 32)}`;
}

export interface EmitContext {
  manifest: Manifest;
  target: { type: string; path?: unknown; account?: unknown };
  parent: { namespace: string; name: string; runId: string };
  console?: Console;
  /** The warehouse's column lists, so `select *` over a source or seed is traced too. */
  catalog?: Catalog;
}

export async function emitNodeEvents(cfg: LineageConfig, ctx: EmitContext, results: NodeResult[]): Promise<number> {
  if (cfg.transport === 'none') return 0;
  const m = ctx.manifest;
  const ran = results.filter((r) => ['model', 'seed', 'snapshot'].includes(m.nodes[r.unique_id]?.resource_type ?? '') && r.status !== 'skipped');
  if (!ran.length) return 0;
  // The compiled SQL of what ran, for the column lineage.
  for (const r of ran) if (r.compiled_code && m.nodes[r.unique_id]) m.nodes[r.unique_id].compiled_code = r.compiled_code;
  const lineage = await computeColumnLineage(m, { catalog: ctx.catalog }).catch(() => ({ nodes: {} as Record<string, never> }));
  const ns = findWarehouse(ctx.target.type)?.lineageNamespace(ctx.target) ?? `${ctx.target.type}://`;
  const dataset = (id: string): { namespace: string; name: string } | null => {
    const n = m.nodes[id];
    const s = m.sources[id];
    if (n && n.relation_name && n.config.materialized !== 'ephemeral') return { namespace: ns, name: [n.database, n.schema, n.alias || n.name].filter(Boolean).join('.') };
    if (s) return { namespace: ns, name: [s.database, s.schema, s.identifier || s.name].filter(Boolean).join('.') };
    return null;
  };
  const parentFacet = { ...facet('1-2-0/ParentRunFacet.json', 'ParentRunFacet'), job: { namespace: ctx.parent.namespace, name: ctx.parent.name }, run: { runId: uuidFor(ctx.parent.runId) } };
  const events: Record<string, unknown>[] = [];
  for (const r of ran) {
    const n = m.nodes[r.unique_id];
    const out = dataset(n.unique_id);
    if (!out) continue;
    const inputs = n.depends_on.nodes.map(dataset).filter((x): x is { namespace: string; name: string } => !!x);
    const runId = randomUUID();
    const t = r.timing.find((x) => x.name === 'execute') ?? r.timing[0];
    const started = t?.started_at ?? new Date().toISOString();
    const ended = t?.completed_at ?? new Date().toISOString();
    const job = { namespace: cfg.namespace, name: `${n.package_name}.${n.name}`, facets: { jobType: { ...facet('2-0-4/JobTypeJobFacet.json', 'JobTypeJobFacet'), processingType: 'BATCH', integration: 'MFLOW', jobType: n.resource_type.toUpperCase() } } };
    const base = { producer: PRODUCER, schemaURL: SPEC, job, inputs };
    events.push({ ...base, eventType: 'START', eventTime: started, run: { runId, facets: { parent: parentFacet } }, outputs: [out] });
    const ok = ['success', 'pass', 'warn'].includes(r.status);
    const cols = lineage.nodes[n.unique_id]?.columns ?? [];
    const outFacets: Record<string, unknown> = {};
    if (ok && cols.length) {
      outFacets.schema = { ...facet('1-2-0/SchemaDatasetFacet.json', 'SchemaDatasetFacet'), fields: cols.map((c, i) => ({ name: c.column, ordinal_position: i + 1 })) };
      const fields: Record<string, unknown> = {};
      for (const c of cols) {
        const inputFields = c.upstream.map((u) => ({ ...dataset(u.unique_id)!, field: u.column, transformations: [{ type: 'DIRECT', subtype: c.transform === 'identity' ? 'IDENTITY' : 'TRANSFORMATION' }] })).filter((x) => x.name);
        if (inputFields.length) fields[c.column] = { inputFields };
      }
      outFacets.columnLineage = { ...facet('1-2-0/ColumnLineageDatasetFacet.json', 'ColumnLineageDatasetFacet'), fields };
    }
    const runFacets: Record<string, unknown> = { parent: parentFacet };
    if (!ok) runFacets.errorMessage = { ...facet('1-0-1/ErrorMessageRunFacet.json', 'ErrorMessageRunFacet'), message: r.message ?? r.status, programmingLanguage: 'SQL' };
    events.push({ ...base, eventType: ok ? 'COMPLETE' : 'FAIL', eventTime: ended, run: { runId, facets: runFacets }, outputs: [{ ...out, facets: outFacets }] });
  }
  await send(cfg, events, ctx.console);
  return events.length;
}

async function send(cfg: LineageConfig, events: Record<string, unknown>[], cons?: Console): Promise<void> {
  if (cfg.transport === 'file') {
    mkdirSync(dirname(cfg.path), { recursive: true });
    appendFileSync(cfg.path, events.map((e) => JSON.stringify(e)).join('\n') + '\n');
    return;
  }
  for (const e of events) {
    try {
      const r = await fetch(cfg.url!, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(e), signal: AbortSignal.timeout(10_000) });
      if (!r.ok) throw new Error(`HTTP ${r.status}`);
    } catch (err) {
      cons?.emit({ type: 'warn', msg: `OpenLineage event not delivered to ${cfg.url}: ${(err as Error).message}` });
      return;
    }
  }
}
