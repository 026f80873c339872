import type { ManifestNode } from '../contracts/manifest.js';
import { MflowError } from '../errors.js';

const REF = /^\s*ref\(\s*['"]([^'"]+)['"]\s*\)\s*$/;

/**
 * Parse-time rules of enforced contracts (dbt's): every column needs a data_type, ephemeral models
 * cannot have one, and a foreign key's `to: ref('x')` is a dependency (x builds first).
 */
export function checkContracts(nodes: Record<string, ManifestNode>, byName: Map<string, ManifestNode[]>, errors: MflowError[]): void {
  for (const n of Object.values(nodes)) {
    if (n.resource_type !== 'model' || !(n.config.contract as { enforced?: boolean } | undefined)?.enforced) continue;
    const where = { file: n.patch_path ?? n.original_file_path, line: n.declared_at?.line, node: n.unique_id };
    if (n.config.materialized === 'ephemeral') {
      errors.push(new MflowError('CONTRACT', `Model '${n.name}' is ephemeral and has an enforced contract; ephemeral models cannot have one`, { ...where, hint: 'Materialize it as a view or table, or remove contract: {enforced: true}.' }));
      continue;
    }
    const cols = Object.values(n.columns);
    const untyped = cols.filter((c) => !c.data_type).map((c) => c.name);
    if (cols.length === 0 || untyped.length) {
      errors.push(
        new MflowError('CONTRACT', `Contracted models require data_type to be defined for each column. Please ensure that the column name and data_type are defined within the YAML configuration for the [${untyped.map((x) => `'${x}'`).join(', ')}] column(s).`, {
          ...where,
          hint: cols.length === 0 ? `Model '${n.name}' has an enforced contract but declares no columns: list them with their data_type.` : `Add data_type to ${untyped.join(', ')}.`,
        }),
      );
    }
    const keys = [...cols.flatMap((c) => c.constraints ?? []), ...(n.constraints ?? [])];
    for (const k of keys) {
      if (k.type !== 'foreign_key' || !k.to) continue;
      const m = REF.exec(k.to);
      const target = m ? byName.get(m[1])?.[0] : undefined;
      if (!target) {
        errors.push(new MflowError('CONTRACT', `The foreign key of '${n.name}' points to ${k.to}, which was not found`, { ...where, hint: "Write to: ref('other_model') with to_columns: [id]." }));
        continue;
      }
      if (!n.depends_on.nodes.includes(target.unique_id)) n.depends_on.nodes = [...n.depends_on.nodes, target.unique_id].sort();
    }
  }
}
