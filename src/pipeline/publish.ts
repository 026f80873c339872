import type { ManifestNode } from '../contracts/manifest.js';
import { runEach } from '../contracts/statements.js';
import { MflowError } from '../errors.js';
import type { Session } from '../run/session.js';
import type { PipelineConfig } from './config.js';

/**
 * Publishing without a half-updated moment. Inside the pipeline, models of the published schemas
 * (marts) are built into `<schema><suffix>` (marts__staging) and tested there; the publish step
 * then makes them live together through the dialect's publishSchemas (DuckDB: one transaction;
 * Snowflake: ALTER SCHEMA ... SWAP WITH), and applies the configured grants. A reader of marts
 * sees all the old tables or all the new ones.
 */
export function stageNodes(s: Session, cfg: PipelineConfig): ManifestNode[] {
  const live = new Set(cfg.publish.schemas.map((x) => x.toLowerCase()));
  const staged: ManifestNode[] = [];
  for (const n of Object.values(s.manifest.nodes)) {
    if (n.resource_type !== 'model' || !n.relation_name || !live.has(n.schema.toLowerCase())) continue;
    n.schema = `${n.schema}${cfg.publish.stagingSuffix}`;
    n.relation_name = s.dialect.relation({ database: n.database, schema: n.schema, identifier: n.alias });
    staged.push(n);
  }
  return staged;
}

export interface PublishResult {
  tables: string[];
  statements: string[];
  grants: string[];
}

/** The run whose tables a schema holds, on warehouses where publishing is a swap (see below). */
export const PUBLISH_MARKER = '_mflow_publish';

export async function publish(s: Session, cfg: PipelineConfig, runId?: string): Promise<PublishResult> {
  const staged = Object.values(s.manifest.nodes).filter((n) => n.resource_type === 'model' && n.relation_name && n.schema.endsWith(cfg.publish.stagingSuffix));
  const d = s.dialect;
  if (!d.publishSchemas) throw new MflowError('CONFIG', `${d.type} cannot publish schemas atomically`, { file: cfg.file, line: cfg.lineOf(['publish']), hint: 'Remove the publish step, or build the marts in place.' });
  const adapter = await s.connect();
  const database = staged[0]?.database ?? null;
  const pairs: { staging: string; live: string; tables: string[] }[] = [];
  for (const live of cfg.publish.schemas) {
    const staging = `${live}${cfg.publish.stagingSuffix}`;
    const rels = await adapter.introspector.listRelations(database, d.normalize?.(staging, 'schema') ?? staging);
    const mine = new Set(staged.filter((n) => n.schema.toLowerCase() === staging.toLowerCase()).map((n) => n.alias.toLowerCase()));
    const tables = rels.filter((r) => mine.has(r.identifier.toLowerCase())).map((r) => r.identifier);
    const missing = [...mine].filter((m) => !tables.some((t) => t.toLowerCase() === m));
    if (missing.length) throw new MflowError('DATABASE', `cannot publish ${live}: ${missing.join(', ')} not built in ${staging}`, { hint: 'Run the step that builds them first (mflow pipeline --resume continues from the failed step).' });
    if (tables.length) pairs.push({ staging, live, tables });
  }
  if (pairs.length === 0) return { tables: [], statements: [], grants: [] };
  // Without a transaction around them (Snowflake: each swap is DDL and commits), several schemas
  // go live one after the other: say so, and on a failure say which are already live.
  const transactional = d.publishSchemas(database, pairs)[0]?.kind === 'begin';
  if (!transactional && runId) {
    // A swap is not idempotent: publishing the same run again (an orchestrator retrying the task
    // after the swap went through, --resume after a partial publish) would swap the old tables
    // back. Each staging schema gets a marker table naming the run; a live schema whose marker
    // names this run is already published and is skipped.
    const marker = (schema: string) => d.relation({ database, schema: d.normalize?.(schema, 'schema') ?? schema, identifier: d.normalize?.(PUBLISH_MARKER, 'identifier') ?? PUBLISH_MARKER });
    const c = await adapter.acquire();
    try {
      for (const p of [...pairs]) {
        const row = await c.execute(`select run_id from ${marker(p.live)}`).then((r) => r.rows[0], () => undefined);
        if (row && String(Object.values(row)[0]) === runId) {
          s.console.emit({ type: 'info', msg: `${p.live} already holds the tables of run ${runId} (published earlier): not swapped again` });
          pairs.splice(pairs.indexOf(p), 1);
        }
      }
      for (const p of pairs) await c.execute(`create or replace table ${marker(p.staging)} as select ${d.literal(runId)} as run_id, ${d.literal(new Date().toISOString())} as published_at`);
    } finally {
      adapter.release(c);
    }
    if (pairs.length === 0) return { tables: [], statements: [], grants: [] };
  }
  const statements = d.publishSchemas(database, pairs);
  const swaps = statements.filter((x) => /\bswap\s+with\b/i.test(x.sql));
  if (!transactional && pairs.length > 1) s.console.emit({ type: 'warn', msg: `publishing ${pairs.length} schemas on ${d.type}: each is swapped in its own statement, in this order: ${pairs.map((p) => p.live).join(', ')}; a reader may see ${pairs[0].live} new next to ${pairs[1].live} old between two swaps` });
  const c = await adapter.acquire();
  try {
    let inTx = false;
    const live: string[] = [];
    try {
      for (const st of statements) {
        if (st.kind === 'begin') inTx = true;
        await c.run(st);
        if (st.kind === 'commit' || st.kind === 'rollback') inTx = false;
        const i = swaps.indexOf(st);
        if (i >= 0) live.push(pairs[i].live);
      }
    } catch (e) {
      if (inTx) await runEach(c, d.rollback()).catch(() => undefined);
      const what = live.length ? `${live.join(', ')} ${live.length === 1 ? 'was' : 'were'} published, ${pairs.map((p) => p.live).filter((x) => !live.includes(x)).join(', ')} not` : 'nothing was published';
      throw new MflowError('DATABASE', `publish failed, ${what}: ${(e as Error).message}`, { hint: live.length ? 'Fix the cause and run mflow pipeline --resume: the schemas already published are not swapped again.' : undefined });
    }
    const grants: string[] = [];
    const canGrant = typeof (d as { showGrants?: unknown }).showGrants === 'function';
    if (Object.keys(cfg.publish.grants).length && !canGrant) s.console.emit({ type: 'warn', msg: `publish grants are ignored: ${d.type} has no grants` });
    else {
      for (const p of pairs) {
        for (const t of p.tables) {
          for (const [priv, who] of Object.entries(cfg.publish.grants)) {
            if (!who.length) continue;
            const list = d.grant(d.relation({ database, schema: p.live, identifier: t }), priv, who);
            await runEach(c, list);
            grants.push(...list.map((g) => g.sql));
          }
        }
      }
    }
    return { tables: pairs.flatMap((p) => p.tables.map((t) => `${p.live}.${t}`)), statements: statements.map((st) => st.sql), grants };
  } finally {
    adapter.release(c);
  }
}
