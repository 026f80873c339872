import type { Column, Dialect, Statement } from '../contracts/adapter.js';
import { described, dml } from '../contracts/statements.js';
import type { SnapshotConfig } from './config.js';

/**
 * SCD type 2 as statements (no I/O), in the spirit of dbt's snapshot macros. The query's rows are
 * staged first, so it runs once; a later run then, in one transaction: closes the current version
 * of changed rows, handles hard deletes, and inserts a new version for every key that has no
 * current version left (new keys and just-closed ones). Running it twice without changes
 * therefore changes nothing.
 */
export interface SnapshotPlanInput {
  dialect: Dialect;
  cfg: SnapshotConfig;
  /** Quoted snapshot table. */
  target: string;
  /** Relation holding the query's rows for this run. */
  stage: string;
  /** Columns of the query, as named there. */
  sourceColumns: Column[];
  /** unique_key, updated_at and check_cols resolved to the query's column names. */
  keys: string[];
  updatedAt: string | null;
  checkCols: string[];
  /** SQL timestamp of this run (dbt's snapshot_get_time), one value for every statement. */
  now: string;
  /** Columns of the existing table (later runs). */
  existingColumns?: Column[];
}

/** Snapshot updates change rows only (dml); the table's creation and new columns are ddl. */
const stmt = (sql: string, purpose: string): Statement => dml(sql, purpose);

export function planSnapshotCreate(i: SnapshotPlanInput): Statement[] {
  const d = i.dialect;
  const n = i.cfg.names;
  const upd = updExpr(i, 's');
  const cols = i.sourceColumns.map((c) => `s.${d.quote(c.name)}`);
  const meta = [
    `${scdExpr(i, 's', upd)} as ${d.quote(n.dbt_scd_id)}`,
    `${upd} as ${d.quote(n.dbt_updated_at)}`,
    `${upd} as ${d.quote(n.dbt_valid_from)}`,
    `${currentValidTo(i, upd)} as ${d.quote(n.dbt_valid_to)}`,
    ...(i.cfg.hardDeletes === 'new_record' ? [`'False' as ${d.quote(n.dbt_is_deleted)}`] : []),
  ];
  return described(`create snapshot table ${i.target}`, d.createTableAs(i.target, `select\n  ${[...cols, ...meta].join(',\n  ')}\nfrom ${i.stage} as s`));
}

export function planSnapshotUpdate(i: SnapshotPlanInput): Statement[] {
  const d = i.dialect;
  const n = i.cfg.names;
  const q = (c: string) => d.quote(c);
  const have = new Set((i.existingColumns ?? []).map((c) => c.name.toLowerCase()));
  const added = i.sourceColumns.filter((c) => !have.has(c.name.toLowerCase()));
  const body: Statement[] = [];
  if (added.length) body.push(...described('add a new column of the query', d.addColumns(i.target, added)));
  const isCurrent = (t: string) => (i.cfg.validToCurrent ? `(${t}.${q(n.dbt_valid_to)} is null or ${t}.${q(n.dbt_valid_to)} = ${i.cfg.validToCurrent})` : `${t}.${q(n.dbt_valid_to)} is null`);
  const keyMatch = (a: string, b: string) => i.keys.map((k) => `${a}.${q(k)} = ${b}.${q(k)}`).join(' and ');
  const deletedMarker = (t: string) => (i.cfg.hardDeletes === 'new_record' ? `coalesce(${t}.${q(n.dbt_is_deleted)}, 'False') = 'True'` : 'false');
  const upd = updExpr(i, 's');
  const changed =
    i.cfg.strategy === 'timestamp'
      ? `t.${q(n.dbt_valid_from)} < ${upd}`
      : i.checkCols.map((c) => `t.${q(c)} is distinct from s.${q(c)}`).join(' or ') || 'false';
  // 1. Changed rows (and, with new_record, keys that come back after a delete) lose their current version.
  body.push(
    stmt(
      `update ${i.target} as t\nset ${q(n.dbt_valid_to)} = ${upd}\nfrom ${i.stage} as s\nwhere ${keyMatch('t', 's')}\n  and ${isCurrent('t')}\n  and ((${changed}) or ${deletedMarker('t')})`,
      'close the current version of changed rows',
    ),
  );
  // 2. Hard deletes: rows whose key left the query.
  if (i.cfg.hardDeletes !== 'ignore') {
    const gone = `${isCurrent('t')} and not ${deletedMarker('t')} and not exists (select 1 from ${i.stage} as s where ${keyMatch('t', 's')})`;
    if (i.cfg.hardDeletes === 'new_record') {
      const cols = (i.existingColumns ?? []).map((c) => c.name).filter((c) => !Object.values(n).some((m) => m.toLowerCase() === c.toLowerCase()));
      const scd = `md5(${[...i.keys.map((k) => `coalesce(cast(t.${q(k)} as ${d.typeName('string')}), '')`), `cast(${i.now} as ${d.typeName('string')})`].join(` || '|' || `)})`;
      body.push(
        stmt(
          `insert into ${i.target} (${[...cols.map(q), q(n.dbt_scd_id), q(n.dbt_updated_at), q(n.dbt_valid_from), q(n.dbt_valid_to), q(n.dbt_is_deleted)].join(', ')})\n` +
            `select ${[...cols.map((c) => `t.${q(c)}`), scd, i.now, i.now, currentValidTo(i, i.now), `'True'`].join(', ')}\nfrom ${i.target} as t\nwhere ${gone}`,
          'record deleted rows as new versions',
        ),
      );
      // The markers just inserted are current too, but `gone` skips markers: only the old versions close.
    }
    body.push(stmt(`update ${i.target} as t\nset ${q(n.dbt_valid_to)} = ${i.now}\nwhere ${gone}`, 'close the versions of deleted rows'));
  }
  // 3. Every key without a current version gets one: new keys and the rows closed above.
  const cols = i.sourceColumns.map((c) => c.name);
  const insertCols = [...cols.map(q), q(n.dbt_scd_id), q(n.dbt_updated_at), q(n.dbt_valid_from), q(n.dbt_valid_to), ...(i.cfg.hardDeletes === 'new_record' ? [q(n.dbt_is_deleted)] : [])];
  const values = [...cols.map((c) => `s.${q(c)}`), scdExpr(i, 's', upd), upd, upd, currentValidTo(i, upd), ...(i.cfg.hardDeletes === 'new_record' ? [`'False'`] : [])];
  body.push(
    stmt(
      `insert into ${i.target} (${insertCols.join(', ')})\nselect ${values.join(', ')}\nfrom ${i.stage} as s\nwhere not exists (select 1 from ${i.target} as t where ${keyMatch('t', 's')} and ${isCurrent('t')})`,
      'insert new versions',
    ),
  );
  return [...d.beginTransaction(), ...body, ...d.commit()];
}

/** dbt_updated_at: the updated_at column (timestamp, or check with updated_at), else the run's time. */
function updExpr(i: SnapshotPlanInput, alias: string): string {
  return i.updatedAt ? `${alias}.${i.dialect.quote(i.updatedAt)}` : i.now;
}

function scdExpr(i: SnapshotPlanInput, alias: string, upd: string): string {
  const d = i.dialect;
  const str = d.typeName('string');
  const parts = [...i.keys.map((k) => `coalesce(cast(${alias}.${d.quote(k)} as ${str}), '')`), `coalesce(cast(${upd} as ${str}), '')`];
  return `md5(${parts.join(` || '|' || `)})`;
}

/** dbt_valid_to of a current row: NULL typed like dbt_updated_at, or dbt_valid_to_current. */
function currentValidTo(i: SnapshotPlanInput, upd: string): string {
  return i.cfg.validToCurrent ? `coalesce(nullif(${upd}, ${upd}), ${i.cfg.validToCurrent})` : `nullif(${upd}, ${upd})`;
}
