import { createHash, randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Introspector } from '../contracts/adapter.js';
import type { Manifest, ManifestNode } from '../contracts/manifest.js';
import type { NodeResult } from '../contracts/results.js';
import type { Console } from '../console/console.js';
import { findWarehouse } from '../adapters/index.js';
import { computeColumnLineage, type ColumnLineageEntry } from '../docs/column-lineage.js';
import type { NodeObserver } from '../run/executors.js';
import type { Catalog } from '../docs/catalog.js';
import { MFLOW_VERSION } from '../version.js';

/**
 * OpenLineage run events (spec 2-0-2) for the nodes a pipeline step runs, sent as they happen: a
 * START when a seed, model or snapshot starts and a COMPLETE or FAIL when it ends, so a lineage
 * server (Marquez) shows the job running while it runs. Each carries the node's parents as input
 * datasets and its relation as the output dataset; the COMPLETE adds the schema and the column
 * lineage the docs site derives (src/docs/column-lineage.ts). The pipeline run is the parent run.
 * Events go, in order, to a JSON-lines file or are POSTed to an HTTP endpoint (Marquez:
 * .../api/v1/lineage); a transport error is logged once and the endpoint is not tried again for
 * the step, never fatal.
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
  /** Reads the columns of a node and its parents as each node ends (when no catalog is given). */
  introspector?: Introspector;
}

type Dataset = { namespace: string; name: string };
type Event = Record<string, unknown>;
const LINEAGE_TYPES = new Set(['model', 'seed', 'snapshot']);

/**
 * Receives node starts and ends from the scheduler (a NodeObserver) and sends their events in the
 * order they happened. A COMPLETE's column lineage is computed while later events wait behind it,
 * so the order on the wire is the order of the run.
 */
export class LineageEmitter implements NodeObserver {
  private queue: Promise<void> = Promise.resolve();
  private readonly runIds = new Map<string, string>();
  private readonly columns = new Map<string, Promise<string[] | null>>();
  private readonly ns: string;
  private readonly parentFacet: Record<string, unknown>;
  private down = false;
  private dropped = 0;
  /** Events sent (or appended) so far. */
  sent = 0;

  constructor(
    private readonly cfg: LineageConfig,
    private readonly ctx: EmitContext,
  ) {
    this.ns = findWarehouse(ctx.target.type)?.lineageNamespace(ctx.target) ?? `${ctx.target.type}://`;
    this.parentFacet = { ...facet('1-2-0/ParentRunFacet.json', 'ParentRunFacet'), job: { namespace: ctx.parent.namespace, name: ctx.parent.name }, run: { runId: uuidFor(ctx.parent.runId) } };
  }

  private dataset(id: string): Dataset | null {
    const m = this.ctx.manifest;
    const n = m.nodes[id];
    const s = m.sources[id];
    if (n && n.relation_name && n.config.materialized !== 'ephemeral') return { namespace: this.ns, name: [n.database, n.schema, n.alias || n.name].filter(Boolean).join('.') };
    if (s) return { namespace: this.ns, name: [s.database, s.schema, s.identifier || s.name].filter(Boolean).join('.') };
    return null;
  }

  private eligible(id: string): ManifestNode | null {
    const n = this.ctx.manifest.nodes[id];
    return this.cfg.transport !== 'none' && n && LINEAGE_TYPES.has(n.resource_type) && this.dataset(id) ? n : null;
  }

  private base(n: ManifestNode): Event {
    const job = { namespace: this.cfg.namespace, name: `${n.package_name}.${n.name}`, facets: { jobType: { ...facet('2-0-4/JobTypeJobFacet.json', 'JobTypeJobFacet'), processingType: 'BATCH', integration: 'MFLOW', jobType: n.resource_type.toUpperCase() } } };
    const inputs = n.depends_on.nodes.map((p) => this.dataset(p)).filter((x): x is Dataset => !!x);
    return { producer: PRODUCER, schemaURL: SPEC, job, inputs };
  }

  start(id: string, at: string): void {
    const n = this.eligible(id);
    if (!n) return;
    const runId = randomUUID();
    this.runIds.set(id, runId);
    this.enqueue(Promise.resolve({ ...this.base(n), eventType: 'START', eventTime: at, run: { runId, facets: { parent: this.parentFacet } }, outputs: [this.dataset(id)!] }));
  }

  end(r: NodeResult): void {
    const n = this.eligible(r.unique_id);
    if (!n || r.status === 'skipped') return;
    let runId = this.runIds.get(r.unique_id);
    const t = r.timing.find((x) => x.name === 'execute') ?? r.timing[0];
    if (!runId) {
      // Ended without a start we saw (emitNodeEvents on finished results): send both now.
      this.start(r.unique_id, t?.started_at ?? new Date().toISOString());
      runId = this.runIds.get(r.unique_id)!;
    }
    this.enqueue(this.finishEvent(n, r, runId, t?.completed_at ?? new Date().toISOString()));
  }

  /** Waits until every event so far is sent; returns how many were. */
  async flush(): Promise<number> {
    await this.queue;
    if (this.dropped) this.ctx.console?.emit({ type: 'warn', msg: `${this.dropped} OpenLineage event${this.dropped === 1 ? '' : 's'} not delivered to ${this.cfg.url}` });
    this.dropped = 0;
    return this.sent;
  }

  private enqueue(event: Promise<Event | null>): void {
    // The event is prepared now; it goes out after every earlier one.
    event.catch(() => undefined);
    this.queue = this.queue.then(async () => {
      const e = await event.catch((err: Error) => {
        this.ctx.console?.emit({ type: 'warn', msg: `OpenLineage event not built: ${err.message}` });
        return null;
      });
      if (e) await this.send(e);
    });
  }

  private async finishEvent(n: ManifestNode, r: NodeResult, runId: string, ended: string): Promise<Event> {
    const out = this.dataset(n.unique_id)!;
    const ok = ['success', 'pass', 'warn'].includes(r.status);
    const outFacets: Record<string, unknown> = {};
    if (ok) {
      const cols = await this.columnLineage(n, r);
      if (cols.length) {
        outFacets.schema = { ...facet('1-2-0/SchemaDatasetFacet.json', 'SchemaDatasetFacet'), fields: cols.map((c, i) => ({ name: c.column, ordinal_position: i + 1 })) };
        const fields: Record<string, unknown> = {};
        for (const c of cols) {
          const inputFields = c.upstream.map((u) => ({ ...this.dataset(u.unique_id)!, field: u.column, transformations: [{ type: 'DIRECT', subtype: c.transform === 'identity' ? 'IDENTITY' : 'TRANSFORMATION' }] })).filter((x) => x.name);
          if (inputFields.length) fields[c.column] = { inputFields };
        }
        outFacets.columnLineage = { ...facet('1-2-0/ColumnLineageDatasetFacet.json', 'ColumnLineageDatasetFacet'), fields };
      }
    }
    const runFacets: Record<string, unknown> = { parent: this.parentFacet };
    if (!ok) runFacets.errorMessage = { ...facet('1-0-1/ErrorMessageRunFacet.json', 'ErrorMessageRunFacet'), message: r.message ?? r.status, programmingLanguage: 'SQL' };
    return { ...this.base(n), eventType: ok ? 'COMPLETE' : 'FAIL', eventTime: ended, run: { runId, facets: runFacets }, outputs: [{ ...out, facets: outFacets }] };
  }

  /** The column lineage of one node: its compiled SQL over the columns of its parents. */
  private async columnLineage(n: ManifestNode, r: NodeResult): Promise<ColumnLineageEntry[]> {
    const m = this.ctx.manifest;
    if (r.compiled_code) m.nodes[n.unique_id].compiled_code = r.compiled_code;
    // The node and what it reads (ephemeral parents are inlined as CTEs of its SQL).
    const ids = new Set<string>([n.unique_id]);
    const stack = [...n.depends_on.nodes];
    while (stack.length) {
      const id = stack.pop()!;
      if (ids.has(id)) continue;
      ids.add(id);
      if (m.nodes[id]?.config.materialized === 'ephemeral') stack.push(...m.nodes[id].depends_on.nodes);
    }
    const nodes: Manifest['nodes'] = {};
    for (const id of ids) if (m.nodes[id]) nodes[id] = id === n.unique_id ? m.nodes[id] : { ...m.nodes[id], compiled_code: m.nodes[id].config.materialized === 'ephemeral' ? m.nodes[id].compiled_code : undefined };
    const catalog = this.ctx.catalog ?? (await this.catalogOf([...ids], n.unique_id));
    const lineage = await computeColumnLineage({ ...m, nodes }, { catalog }).catch(() => ({ nodes: {} as Record<string, never> }));
    return lineage.nodes[n.unique_id]?.columns ?? [];
  }

  private async catalogOf(ids: string[], built: string): Promise<Catalog | undefined> {
    const intro = this.ctx.introspector;
    if (!intro) return undefined;
    const m = this.ctx.manifest;
    const catalog: Catalog = { metadata: { generated_at: new Date().toISOString() }, nodes: {}, sources: {}, errors: null };
    // The node just built is read again (its columns may have changed); its parents once per step.
    this.columns.delete(built);
    for (const id of ids) {
      const n = m.nodes[id];
      const s = m.sources[id];
      if (!(n && n.relation_name && n.config.materialized !== 'ephemeral') && !s) continue;
      if (!this.columns.has(id)) {
        const rel = n ? { database: n.database, schema: n.schema, identifier: n.alias || n.name, type: null } : { database: s.database, schema: s.schema, identifier: s.identifier || s.name, type: null };
        this.columns.set(id, intro.getColumns(rel).then((c) => (c.length ? c.map((x) => x.name) : null), () => null));
      }
      const cols = await this.columns.get(id)!;
      if (!cols) continue;
      catalog[n ? 'nodes' : 'sources'][id] = {
        metadata: { type: 'BASE TABLE', schema: n ? n.schema : s.schema, name: n ? n.alias || n.name : s.identifier || s.name, database: n ? n.database : s.database, comment: null, owner: null },
        columns: Object.fromEntries(cols.map((c, i) => [c, { type: '', index: i + 1, name: c, comment: null }])),
        stats: {},
        unique_id: id,
      } as Catalog['nodes'][string];
    }
    return catalog;
  }

  private async send(e: Event): Promise<void> {
    const cfg = this.cfg;
    if (cfg.transport === 'file') {
      mkdirSync(dirname(cfg.path), { recursive: true });
      appendFileSync(cfg.path, JSON.stringify(e) + '\n');
      this.sent++;
      return;
    }
    if (this.down) {
      this.dropped++;
      return;
    }
    try {
      const r = await fetch(cfg.url!, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(e), signal: AbortSignal.timeout(10_000) });
      if (!r.ok) throw new Error(`HTTP ${r.status}`);
      this.sent++;
    } catch (err) {
      // One warning, and no 10-second wait per event after it.
      this.down = true;
      this.dropped++;
      this.ctx.console?.emit({ type: 'warn', msg: `OpenLineage event not delivered to ${cfg.url}: ${(err as Error).message}; the step's further events are dropped` });
    }
  }
}

/** The events of nodes that already ran, in their order (a START and a COMPLETE or FAIL each). */
export async function emitNodeEvents(cfg: LineageConfig, ctx: EmitContext, results: NodeResult[]): Promise<number> {
  if (cfg.transport === 'none') return 0;
  const e = new LineageEmitter(cfg, ctx);
  for (const r of results) e.end(r);
  return e.flush();
}
