import type { Adapter } from '../contracts/adapter.js';
import type { Manifest, ManifestNode } from '../contracts/manifest.js';
import type { RelationCache } from '../compile/relation-cache.js';
import { MflowError, MflowErrors, closest } from '../errors.js';

const PLAIN = /^[A-Za-z_][A-Za-z0-9_$]*$/;

/** The tested column of a generic test, when it is a plain name (dbt also allows expressions). */
function testedColumn(t: ManifestNode): string | null {
  const c = t.column_name;
  return typeof c === 'string' && PLAIN.test(c) ? c : null;
}

function missingColumnError(t: ManifestNode, parent: ManifestNode, column: string, have: string[]): MflowError {
  const s = closest(column, have);
  return new MflowError('CONFIG', `Test '${t.name}' is on column '${column}', which ${parent.resource_type} '${parent.name}' does not have`, {
    file: t.declared_at?.file ?? t.original_file_path,
    line: t.declared_at?.line,
    node: t.unique_id,
    hint: s ? `Did you mean '${s}'? ` : `${parent.name} has: ${have.join(', ')}. ` + 'Fix the column name in the properties file, or declare the column in the model.',
  });
}

/**
 * Generic tests on columns of relations this invocation does not rebuild (`mflow test`): the
 * relation's columns are read before anything runs, so a test on a column the model does not
 * have (declared in YAML but not produced by the SQL) is a located error rather than a
 * warehouse error per test. Tests on models this invocation builds are explained when their
 * query fails (explainTestFailure).
 */
export async function assertTestColumnsExist(m: Manifest, ids: string[], adapter: Adapter, relations: RelationCache): Promise<void> {
  const built = new Set(ids.filter((id) => m.nodes[id] && m.nodes[id].resource_type !== 'test'));
  const byParent = new Map<string, ManifestNode[]>();
  for (const id of ids) {
    const t = m.nodes[id];
    if (!t || t.resource_type !== 'test' || !t.attached_node || !testedColumn(t)) continue;
    const parent = m.nodes[t.attached_node];
    if (!parent || built.has(parent.unique_id) || !parent.relation_name) continue;
    if (!byParent.has(parent.unique_id)) byParent.set(parent.unique_id, []);
    byParent.get(parent.unique_id)!.push(t);
  }
  const errors: MflowError[] = [];
  for (const [pid, tests] of byParent) {
    const parent = m.nodes[pid];
    const rel = await relations.get(parent.database, parent.schema, parent.alias ?? parent.name);
    if (!rel) continue; // not built yet: the test reports that itself
    const have = (await adapter.introspector.getColumns(rel)).map((c) => c.name);
    const lower = new Set(have.map((h) => h.toLowerCase()));
    for (const t of tests) {
      const col = testedColumn(t)!;
      if (!lower.has(col.toLowerCase())) errors.push(missingColumnError(t, parent, col, have));
    }
  }
  if (errors.length) throw new MflowErrors(errors);
}

/**
 * A test whose query failed: when its column is missing from the relation just built, the error
 * says so at the test's file and line instead of showing the warehouse's binder message alone.
 */
export async function explainTestFailure(m: Manifest, t: ManifestNode, adapter: Adapter | null | undefined, e: unknown): Promise<unknown> {
  const col = testedColumn(t);
  const parent = t.attached_node ? m.nodes[t.attached_node] : undefined;
  if (!col || !parent?.relation_name || !adapter) return e;
  try {
    const have = (await adapter.introspector.getColumns({ database: parent.database, schema: parent.schema, identifier: parent.alias ?? parent.name, type: null })).map((c) => c.name);
    if (have.length && !have.some((h) => h.toLowerCase() === col.toLowerCase())) return missingColumnError(t, parent, col, have);
  } catch {
    // The original error is the better report.
  }
  return e;
}
