import type { Column, Dialect, Relation, Statement } from '../contracts/adapter.js';
import type { ManifestNode } from '../contracts/manifest.js';
import { described, dml } from '../contracts/statements.js';
import { MflowError } from '../errors.js';

export interface SeedPlanInput {
  node: ManifestNode;
  dialect: Dialect;
  /** Quoted relation of the seed table. */
  target: string;
  /** `select <typed columns> from <staged text>`. */
  select: string;
  /** Column names as they go into SQL (quoted or bare, per quote_columns) and as plain names. */
  columnsSql: string[];
  columnNames: string[];
  existing: Relation | null;
  existingColumns?: Column[];
  fullRefresh: boolean;
}


/**
 * How a seed's rows reach its table. A new table is created from the staged rows; an existing
 * one keeps its definition (and what depends on it) and has its rows replaced in one
 * transaction, as dbt does; a changed set of columns needs --full-refresh, which rebuilds it.
 */
export function planSeed(i: SeedPlanInput): Statement[] {
  const d = i.dialect;
  const tx = (body: Statement[]) => (d.capabilities.supportsTransactionalDdl ? [...d.beginTransaction(), ...body, ...d.commit()] : body);
  const create = described(`create ${i.target} from the CSV rows`, d.createTableAs(i.target, i.select, { replace: d.capabilities.atomicCreateOrReplace && !!i.existing }));
  if (!i.existing) return create;
  if (i.existing.type === 'view') return tx([...described(`drop view ${i.target} replaced by the seed table`, d.drop(i.target, 'view')), ...create]);
  if (i.fullRefresh || i.node.config.full_refresh === true) {
    return d.capabilities.atomicCreateOrReplace ? create : tx([...described('drop the old seed table (--full-refresh)', d.drop(i.target, 'table')), ...create]);
  }
  const had = new Set((i.existingColumns ?? []).map((c) => c.name.toLowerCase()));
  const now = new Set(i.columnNames.map((c) => c.toLowerCase()));
  const added = i.columnNames.filter((c) => !had.has(c.toLowerCase()));
  const removed = (i.existingColumns ?? []).map((c) => c.name).filter((c) => !now.has(c.toLowerCase()));
  if (added.length || removed.length) {
    throw new MflowError('SEED', `The columns of seed '${i.node.name}' changed since its table was built (added: ${added.join(', ') || 'none'}; removed: ${removed.join(', ') || 'none'})`, {
      file: i.node.original_file_path,
      line: 1,
      node: i.node.unique_id,
      hint: `Rebuild the table with: mflow seed --full-refresh -s ${i.node.name}`,
    });
  }
  const cols = i.columnsSql.join(', ');
  return tx([dml(`delete from ${i.target}`, 'remove the old rows'), dml(`insert into ${i.target} (${cols})\nselect ${cols} from (\n${i.select}\n) as mflow_seed_rows`, 'insert the CSV rows')]);
}
