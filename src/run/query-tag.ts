import type { Connection } from '../contracts/adapter.js';
import type { ManifestNode } from '../contracts/manifest.js';
import type { ExecContext } from './executors.js';
import { runEach } from '../contracts/statements.js';

/**
 * `query_tag` config: the session's tag is set for the node's queries and restored afterwards
 * (to the target's `query_tag`, or unset), so warehouse history attributes every query to its
 * node. Warehouses without query tags ignore the config.
 */
export async function withQueryTag<T>(ctx: ExecContext, node: ManifestNode, conn: Connection, f: () => Promise<T>): Promise<T> {
  const tag = node.config.query_tag;
  const d = ctx.session.dialect;
  if (tag === undefined || tag === null || tag === '' || ctx.dryRun || typeof d.setQueryTag !== 'function' || typeof d.unsetQueryTag !== 'function') return f();
  await runEach(conn, d.setQueryTag(String(tag)));
  try {
    return await f();
  } finally {
    const base = ctx.session.target.query_tag;
    await runEach(conn, base ? d.setQueryTag!(String(base)) : d.unsetQueryTag!()).catch(() => undefined);
  }
}
