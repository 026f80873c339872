/**
 * Grants are applied by difference with what `show grants on` reports, so a run only issues the
 * grant/revoke statements that change something and never touches ownership or shares.
 */
export type GrantMap = Record<string, string[]>;

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

export interface GrantChanges {
  grant: { privilege: string; grantees: string[] }[];
  revoke: { privilege: string; grantees: string[] }[];
}

/** What to grant and revoke to go from `current` to `desired` (grantees compared case-insensitively, as unquoted role names fold). */
export function diffGrants(current: GrantMap, desired: GrantMap): GrantChanges {
  const norm = (m: GrantMap) => {
    const o = new Map<string, Map<string, string>>();
    for (const [p, gs] of Object.entries(m)) {
      const set = o.get(p.toUpperCase()) ?? new Map<string, string>();
      for (const g of gs) set.set(g.toUpperCase(), g);
      o.set(p.toUpperCase(), set);
    }
    return o;
  };
  const cur = norm(current);
  const want = norm(desired);
  const changes: GrantChanges = { grant: [], revoke: [] };
  for (const [p, gs] of want) {
    const have = cur.get(p) ?? new Map();
    const add = [...gs].filter(([k]) => !have.has(k)).map(([, g]) => g);
    if (add.length) changes.grant.push({ privilege: p.toLowerCase(), grantees: add });
  }
  for (const [p, gs] of cur) {
    const keep = want.get(p) ?? new Map();
    const del = [...gs].filter(([k]) => !keep.has(k)).map(([, g]) => g);
    if (del.length) changes.revoke.push({ privilege: p.toLowerCase(), grantees: del });
  }
  return changes;
}
