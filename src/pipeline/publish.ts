import type { ManifestNode } from '../contracts/manifest.js';
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

export async function publish(s: Session, cfg: PipelineConfig): Promise<PublishResult> {
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
  const statements = d.publishSchemas(database, pairs);
  // Without a transaction around them (Snowflake: each swap is DDL and commits), several schemas
  // go live one after the other: say so, and on a failure say which are already live.
  const transactional = /^begin/i.test(statements[0] ?? '');
  const swaps = statements.filter((x) => /\bswap\s+with\b/i.test(x));
  if (!transactional && pairs.length > 1) s.console.emit({ type: 'warn', msg: `publishing ${pairs.length} schemas on ${d.type}: each is swapped in its own statement, in this order: ${pairs.map((p) => p.live).join(', ')}; a reader may see ${pairs[0].live} new next to ${pairs[1].live} old between two swaps` });
  const c = await adapter.acquire();
  try {
    let inTx = false;
    const live: string[] = [];
    try {
      for (const sql of statements) {
        if (/^begin/i.test(sql)) inTx = true;
        await c.execute(sql);
        if (/^commit/i.test(sql)) inTx = false;
        const i = swaps.indexOf(sql);
        if (i >= 0) live.push(pairs[i].live);
      }
    } catch (e) {
      if (inTx) await c.execute(d.rollback()).catch(() => undefined);
      const what = live.length ? `${live.join(', ')} ${live.length === 1 ? 'was' : 'were'} published, ${pairs.map((p) => p.live).filter((x) => !live.includes(x)).join(', ')} not` : 'nothing was published';
      throw new MflowError('DATABASE', `publish failed, ${what}: ${(e as Error).message}`, { hint: live.length ? 'The schemas already swapped now hold the old tables in their staging schema: start a new run (mflow pipeline), not --resume, which would swap them back.' : undefined });
    }
    const grants: string[] = [];
    const canGrant = typeof (d as { showGrants?: unknown }).showGrants === 'function';
    if (Object.keys(cfg.publish.grants).length && !canGrant) s.console.emit({ type: 'warn', msg: `publish grants are ignored: ${d.type} has no grants` });
    else {
      for (const p of pairs) {
        for (const t of p.tables) {
          for (const [priv, who] of Object.entries(cfg.publish.grants)) {
            if (!who.length) continue;
            const sql = d.grant(d.relation({ database, schema: p.live, identifier: t }), priv, who);
            for (const one of sql.split(';\n')) await c.execute(one);
            grants.push(sql);
          }
        }
      }
    }
    return { tables: pairs.flatMap((p) => p.tables.map((t) => `${p.live}.${t}`)), statements, grants };
  } finally {
    adapter.release(c);
  }
}
