/**
 * Grants are applied by difference with what the warehouse reports, so a run only issues the
 * grant/revoke statements that change something.
 */
export type GrantMap = Record<string, string[]>;

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
