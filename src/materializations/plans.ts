import type { Column, Relation, Statement } from '../contracts/adapter.js';
import { described as as, ddl, dml, sqlText } from '../contracts/statements.js';
import { MflowError } from '../errors.js';
import type { Plan, PlanInput } from './types.js';

/** Hooks are the user's SQL text: their kind is read from their first keyword. */
const hooks = (hs: string[], kind: string): Statement[] => hs.filter((h) => h.trim()).map((h) => sqlText(h, kind));

function rel(i: PlanInput, identifier = i.target.identifier): string {
  return i.dialect.relation({ ...i.target, identifier });
}

/** Wraps DDL in a transaction when the warehouse can roll DDL back. */
function atomic(i: PlanInput, body: Statement[]): Statement[] {
  if (!i.dialect.capabilities.supportsTransactionalDdl || body.length < 2) return body;
  return [...i.dialect.beginTransaction(), ...body, ...i.dialect.commit()];
}

export function planView(i: PlanInput): Plan {
  const d = i.dialect;
  const body: Statement[] = [];
  if (i.existing && i.existing.type !== 'view') body.push(...as(`drop table ${rel(i)} replaced by a view`, d.drop(rel(i), 'table')));
  body.push(...as(`create view ${rel(i)}`, d.createView(rel(i), i.sql, { replace: true, copyGrants: Boolean(i.node.config.copy_grants) })));
  body.push(...(i.afterBuild ?? []));
  return { statements: [...hooks(i.preHooks, 'pre-hook'), ...atomic(i, body), ...hooks(i.postHooks, 'post-hook')], resultType: 'view' };
}

/**
 * The new table becomes visible at once or not at all: `create or replace` where the warehouse
 * makes it atomic, otherwise build under a temporary name and swap inside one transaction.
 */
export function planTable(i: PlanInput): Plan {
  const d = i.dialect;
  const body: Statement[] = [];
  const transient = d.capabilities.supportsTransientTables && i.node.config.transient !== false;
  // A contracted table is created, then filled: only a transaction keeps the empty table out of sight.
  const contractSwap = Boolean(i.contract) && !d.capabilities.supportsTransactionalDdl;
  if (d.capabilities.atomicCreateOrReplace && !contractSwap) {
    if (i.existing && i.existing.type === 'view') body.push(...as(`drop view ${rel(i)} replaced by a table`, d.drop(rel(i), 'view')));
    const opts = { replace: true, transient, copyGrants: Boolean(i.node.config.copy_grants) };
    if (i.contract) {
      const [create, ...fill] = i.contract.tableStatements(rel(i), { replace: true, transient });
      body.push(ddl(create, `create table ${rel(i)} with the contract's columns and constraints`), ...fill.map((f) => dml(f, `insert the rows of ${rel(i)}`)));
    } else body.push(...as(`create table ${rel(i)}`, d.createTableAs(rel(i), i.sql, opts)));
    body.push(...(i.afterBuild ?? []));
  } else {
    const tmp = `${i.target.identifier}__mflow_tmp`;
    const backup = `${i.target.identifier}__mflow_backup`;
    const build = i.contract
      ? i.contract.tableStatements(rel(i, tmp), { transient }).map((x, k) => (k === 0 ? ddl(x, `build ${rel(i, tmp)} with the contract's columns and constraints`) : dml(x, `fill ${rel(i, tmp)}`)))
      : as(`build ${rel(i, tmp)}`, d.createTableAs(rel(i, tmp), i.sql, { transient }));
    const pre = [...as('drop leftover temporary table', d.drop(rel(i, tmp), 'table')), ...build];
    const swap: Statement[] = as('drop leftover backup', d.drop(rel(i, backup), 'table'));
    if (i.existing) swap.push(...as('move the old version aside', d.rename({ ...i.target, type: i.existing.type }, backup)));
    swap.push(...as('swap the new table in', d.rename({ ...i.target, identifier: tmp, type: 'table' }, i.target.identifier)));
    if (i.existing) swap.push(...as('drop the old version', d.drop(rel(i, backup), i.existing.type === 'view' ? 'view' : 'table')));
    return { statements: [...hooks(i.preHooks, 'pre-hook'), ...pre, ...atomic(i, swap), ...(i.afterBuild ?? []), ...hooks(i.postHooks, 'post-hook')], resultType: 'table' };
  }
  return { statements: [...hooks(i.preHooks, 'pre-hook'), ...atomic(i, body), ...hooks(i.postHooks, 'post-hook')], resultType: 'table' };
}

const keyList = (k: unknown): string[] => (k === null || k === undefined ? [] : Array.isArray(k) ? k.map(String) : [String(k)]);

export function planIncremental(i: PlanInput): Plan {
  const c = i.node.config;
  if (!i.existing || i.fullRefresh || c.full_refresh === true || i.existing.type === 'view') return planTable(i);
  const d = i.dialect;
  const strategy = String(c.incremental_strategy ?? (c.unique_key ? (d.capabilities.supportsMerge ? 'merge' : 'delete+insert') : 'append'));
  const uniqueKey = keyList(c.unique_key);
  if ((strategy === 'merge' || strategy === 'delete+insert') && uniqueKey.length === 0) {
    throw new MflowError('CONFIG', `Incremental strategy '${strategy}' needs a unique_key`, { file: i.node.original_file_path, node: i.node.unique_id, hint: "Set config(unique_key='id') or use incremental_strategy='append'." });
  }
  if (!['merge', 'delete+insert', 'append'].includes(strategy)) {
    throw new MflowError('CONFIG', `Unknown incremental_strategy '${strategy}'`, { file: i.node.original_file_path, node: i.node.unique_id, hint: 'Use append, merge or delete+insert.' });
  }
  const tmpName = `${i.target.identifier}__mflow_tmp`;
  // Qualified where the warehouse allows it (Snowflake: the session may have no current schema).
  const tmp = d.temporaryRelation?.({ ...i.target, identifier: tmpName }) ?? d.quote(tmpName);
  const target = rel(i);
  const existing = i.existingColumns ?? [];
  const incoming = i.newColumns ?? existing;
  const lower = (cs: Column[]) => new Map(cs.map((x) => [x.name.toLowerCase(), x]));
  const ex = lower(existing);
  const inc = lower(incoming);
  const added = incoming.filter((x) => !ex.has(x.name.toLowerCase()));
  const removed = existing.filter((x) => !inc.has(x.name.toLowerCase()));
  const mode = String(c.on_schema_change ?? 'ignore');
  const body: Statement[] = [];
  const rows: Statement[] = [];
  let columns = existing.filter((x) => inc.has(x.name.toLowerCase())).map((x) => x.name);
  if (added.length || removed.length) {
    const desc = `added: ${added.map((x) => x.name).join(', ') || 'none'}; removed: ${removed.map((x) => x.name).join(', ') || 'none'}`;
    if (mode === 'fail') {
      throw new MflowError('SCHEMA_CHANGE', `The columns of incremental model '${i.node.name}' changed (${desc}) and on_schema_change is 'fail'`, {
        file: i.node.original_file_path,
        node: i.node.unique_id,
        hint: "Run with --full-refresh, or set on_schema_change to 'append_new_columns' or 'sync_all_columns'.",
      });
    }
    if (mode === 'append_new_columns' || mode === 'sync_all_columns') {
      if (added.length) body.push(...as('add new column', d.addColumns(target, added)));
      columns = [...columns, ...added.map((x) => x.name)];
    }
    if (mode === 'sync_all_columns' && removed.length) body.push(...as('drop removed column', d.dropColumns(target, removed.map((x) => x.name))));
  }
  const predicates = keyList(c.incremental_predicates);
  if (strategy === 'append') rows.push(...as('append new rows', d.insertInto(target, tmp, columns)));
  else if (strategy === 'merge') {
    const exclude = keyList(c.merge_exclude_columns).map((x) => x.toLowerCase());
    const upd = c.merge_update_columns ? keyList(c.merge_update_columns) : exclude.length ? columns.filter((x) => !exclude.includes(x.toLowerCase())) : undefined;
    rows.push(...as('merge new rows', d.merge({ target, source: tmp, uniqueKey, columns, updateColumns: upd, predicates })));
  } else rows.push(...as('delete and insert new rows', d.deleteInsert({ target, source: tmp, uniqueKey, columns, predicates })));
  const drop = as('drop the staging table', d.drop(tmp, 'table'));
  // Where DDL cannot be rolled back (and commits an open transaction, as on Snowflake), column
  // changes run first on their own and only the DML shares a transaction: delete+insert is never half-applied.
  const apply = d.capabilities.supportsTransactionalDdl
    ? atomic(i, [...body, ...rows, ...drop])
    : [...body, ...(rows.length > 1 ? [...d.beginTransaction(), ...rows, ...d.commit()] : rows), ...drop];
  return {
    statements: [
      ...hooks(i.preHooks, 'pre-hook'),
      ...as('stage new rows in a temporary table', d.createTableAs(tmp, i.sql, { temporary: true, replace: true })),
      ...apply,
      ...(i.afterBuild ?? []),
      ...hooks(i.postHooks, 'post-hook'),
    ],
    resultType: 'table',
  };
}

export function planFor(materialized: string): ((i: PlanInput) => Plan) | null {
  switch (materialized) {
    case 'view':
      return planView;
    case 'table':
      return planTable;
    case 'incremental':
      return planIncremental;
    case 'ephemeral':
      return () => ({ statements: [], resultType: null });
    default:
      return null;
  }
}
