import type { Connection, Dialect, Relation, Statement } from '../contracts/adapter.js';
import type { ManifestNode } from '../contracts/manifest.js';
import { diffGrants, type GrantMap } from './grant-diff.js';
import { MflowError } from '../errors.js';
import type { ExecContext } from './executors.js';
import { described, runEach } from '../contracts/statements.js';

function desiredGrants(node: ManifestNode): GrantMap | null {
  const g = node.config.grants as unknown;
  if (g === undefined || g === null) return null;
  if (typeof g !== 'object' || Array.isArray(g)) {
    throw new MflowError('CONFIG', `grants of ${node.resource_type} '${node.name}' must be a mapping of privilege to grantees`, { file: node.patch_path ?? node.original_file_path, node: node.unique_id, hint: 'Write grants: { select: [reporter, analyst] }.' });
  }
  const out: GrantMap = {};
  for (const [p, who] of Object.entries(g as Record<string, unknown>)) out[p] = (Array.isArray(who) ? who : [who]).filter((x) => x !== null && x !== undefined && x !== '').map(String);
  return out;
}

/**
 * The `grants` config, applied after the node built: what `show grants on` reports is compared
 * with the config and only the difference is granted or revoked. A relation just replaced
 * without `copy grants` has no grants left, so it is not read back (one round trip saved), as
 * dbt's `should_revoke` does.
 */
export async function applyGrants(ctx: ExecContext, node: ManifestNode, conn: Connection, rel: Pick<Relation, 'database' | 'schema' | 'identifier'> & { type: 'table' | 'view' }, replaced: boolean): Promise<Statement[]> {
  const desired = desiredGrants(node);
  if (!desired || Object.keys(desired).length === 0) return [];
  const d: Dialect = ctx.session.dialect;
  if (typeof d.showGrants !== 'function' || typeof d.grantsFromRows !== 'function') {
    ctx.console.emit({ type: 'warn', msg: `grants of '${node.name}' are ignored: ${d.type} has no grants` });
    return [];
  }
  const target = d.relation(rel);
  const keepsGrants = node.config.copy_grants === true;
  const current = replaced && !keepsGrants ? {} : d.grantsFromRows((await runEach(conn, d.showGrants(target, rel.type))).rows.map(lowerKeys));
  const changes = diffGrants(current, desired);
  const statements: Statement[] = [
    ...changes.revoke.flatMap((r) => described(`revoke ${r.privilege}`, d.revoke(target, r.privilege, r.grantees, rel.type))),
    ...changes.grant.flatMap((g) => described(`grant ${g.privilege}`, d.grant(target, g.privilege, g.grantees, rel.type))),
  ];
  if (ctx.dryRun) return statements;
  await runEach(conn, statements);
  return statements;
}

const lowerKeys = (r: Record<string, unknown>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k.toLowerCase(), v]));
