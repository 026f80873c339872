import type { Column, Dialect, Statement } from '../contracts/adapter.js';
import type { ManifestNode } from '../contracts/manifest.js';
import { ddl } from '../contracts/statements.js';

/**
 * `persist_docs: {relation: true, columns: true}`: descriptions become warehouse comments, so
 * people who query the warehouse directly (BI tools, notebooks) see them. Planned right after
 * the relation is built, inside the same transaction where the warehouse has one.
 */
export function persistDocsStatements(d: Dialect, n: ManifestNode, target: string, kind: 'table' | 'view', columns: Column[] | null): Statement[] {
  const pd = (n.config.persist_docs ?? {}) as { relation?: boolean; columns?: boolean };
  const out: Statement[] = [];
  if (pd.relation && n.description) out.push(ddl(`comment on ${kind} ${target} is ${d.literal(n.description)}`, `comment on ${kind} ${target}`));
  if (pd.columns && columns) {
    // Only columns the relation has: a description of a column the SQL no longer returns is skipped, as in dbt.
    const have = new Map(columns.map((c) => [c.name.toLowerCase(), c.name]));
    for (const c of Object.values(n.columns)) {
      const actual = have.get(c.name.toLowerCase());
      if (!actual || !c.description) continue;
      out.push(ddl(`comment on column ${target}.${d.quote(actual)} is ${d.literal(c.description)}`, `comment on column ${c.name}`));
    }
  }
  return out;
}

export const wantsColumnDocs = (n: ManifestNode): boolean => Boolean((n.config.persist_docs as { columns?: boolean } | undefined)?.columns);
