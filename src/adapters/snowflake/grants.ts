/** `show grants on` as mflow reads it: ownership and shares are never touched. */
import type { GrantMap } from '../../run/grant-diff.js';
export { diffGrants, type GrantMap, type GrantChanges } from '../../run/grant-diff.js';

/** `show grants on <rel>` rows → privilege → grantees, ignoring OWNERSHIP, shares and database roles. */
export function grantsFromShow(rows: Record<string, unknown>[]): GrantMap {
  const out: GrantMap = {};
  for (const r of rows) {
    const privilege = String(r.privilege ?? '').toUpperCase();
    const grantedTo = String(r.granted_to ?? '').toUpperCase();
    if (!privilege || privilege === 'OWNERSHIP' || grantedTo === 'SHARE' || grantedTo === 'DATABASE_ROLE') continue;
    (out[privilege] ??= []).push(String(r.grantee_name));
  }
  return out;
}

