import type { Column, Connection, Statement } from '../contracts/adapter.js';
import type { ManifestNode } from '../contracts/manifest.js';
import { runEach } from '../contracts/statements.js';
import { compileNode } from '../compile/compiler.js';
import { writeNodeSql } from '../artifacts/write.js';
import { MflowError, closest } from '../errors.js';
import { registerExecutor, type NodeExecutor } from '../run/executors.js';
import { checkSnapshot, type SnapshotConfig } from './config.js';
import { planSnapshotCreate, planSnapshotUpdate, type SnapshotPlanInput } from './plan.js';

/** The run's time as a SQL timestamp (UTC), the same value in every statement of the run. */
export function nowLiteral(d: { typeName(k: 'timestamp'): string }, at = new Date()): string {
  return `cast('${at.toISOString().replace('T', ' ').replace('Z', '')}' as ${d.typeName('timestamp')})`;
}

/** Snapshots: stage the query once, check its keys, then create the table or apply SCD2 changes. */
export const runSnapshot: NodeExecutor = async (ctx, node, conn) => {
  const s = ctx.session;
  const d = s.dialect;
  const checked = checkSnapshot(node, s.project.root);
  if (!checked.config) throw checked.errors[0];
  // Meta columns as dbt creates them, unquoted: DBT_VALID_FROM on Snowflake, where a quoted
  // lower-case name could only be queried quoted.
  let cfg: SnapshotConfig = { ...checked.config, names: mapNames(checked.config.names, (n) => d.normalize?.(n, 'column') ?? n) };
  const sql = await compileNode(ctx.compile, node);
  const compiledPath = writeNodeSql(s.targetDir, 'compiled', node, sql);
  const stageName = `mflow_snapshot__${node.unique_id.replace(/\W+/g, '_')}`;
  // Named in full where the warehouse allows it (Snowflake: the session may have no current schema).
  const stage = d.temporaryRelation?.({ database: node.database, schema: node.schema, identifier: stageName }) ?? d.quote(stageName);
  await runEach(conn, d.createTableAs(stage, sql, { temporary: true, replace: true }));
  try {
    const sourceColumns = (await conn.execute(`select * from ${stage} limit 0`)).columns;
    const resolve = (name: string, what: string) => resolveColumn(node, sourceColumns, name, what);
    const keys = cfg.uniqueKey.map((k) => resolve(k, 'unique_key'));
    const updatedAt = cfg.updatedAt ? resolve(cfg.updatedAt, 'updated_at') : null;
    const metaNames = new Set(Object.values(cfg.names).map((x) => x.toLowerCase()));
    const checkCols = cfg.checkCols === 'all' ? sourceColumns.map((c) => c.name).filter((c) => !metaNames.has(c.toLowerCase())) : cfg.checkCols.map((c) => resolve(c, 'check_cols'));
    const clash = sourceColumns.find((c) => metaNames.has(c.name.toLowerCase()));
    if (clash) throw new MflowError('CONFIG', `The query of snapshot '${node.name}' has a column '${clash.name}', a name the snapshot uses for its own bookkeeping`, { file: node.original_file_path, node: node.unique_id, hint: 'Rename the column in the select, or rename the meta column with snapshot_meta_column_names.' });
    await assertUniqueKeys(conn, node, stage, keys, d.quote.bind(d));
    const target = d.relation({ database: node.database, schema: node.schema, identifier: node.alias });
    const existing = await ctx.relations.get(node.database, node.schema, node.alias);
    const input: SnapshotPlanInput = { dialect: d, cfg, target, stage, sourceColumns, keys, updatedAt, checkCols, now: nowLiteral(d) };
    let statements: Statement[];
    if (!existing) statements = planSnapshotCreate(input);
    else {
      if (existing.type !== 'table') throw new MflowError('CONFIG', `Snapshot '${node.name}' would write to ${target}, which is a ${existing.type}`, { file: node.original_file_path, node: node.unique_id, hint: 'Drop that relation, or give the snapshot another name or target_schema.' });
      input.existingColumns = await s.adapter!.introspector.getColumns(existing);
      checkExistingMeta(node, cfg, input.existingColumns, target);
      // A table built before keeps its own spelling of the meta columns.
      const have = input.existingColumns;
      cfg = { ...cfg, names: mapNames(cfg.names, (n) => have.find((c) => c.name === n)?.name ?? have.find((c) => c.name.toLowerCase() === n.toLowerCase())?.name ?? n) };
      input.cfg = cfg;
      statements = planSnapshotUpdate(input);
    }
    writeNodeSql(s.targetDir, 'run', node, statements.map((x) => `-- ${x.purpose}\n${x.sql};`).join('\n\n'));
    if (ctx.dryRun) return { status: 'success', message: 'dry run', statements, compiledCode: sql, compiledPath, detail: 'DRY RUN' };
    const counts = await execute(conn, statements, d.rollback());
    ctx.relations.set({ database: node.database, schema: node.schema, identifier: node.alias, type: 'table' });
    const inserted = counts['insert new versions'] ?? counts[`create snapshot table ${target}`] ?? 0;
    const closed = (counts['close the current version of changed rows'] ?? 0) + (counts['close the versions of deleted rows'] ?? 0);
    const detail = existing ? `INSERT ${inserted + (counts['record deleted rows as new versions'] ?? 0)}, UPDATE ${closed}` : `CREATE TABLE (${inserted} rows)`;
    return { status: 'success', message: detail, rowsAffected: inserted, statements, compiledCode: sql, compiledPath, detail };
  } finally {
    await runEach(conn, d.drop(stage, 'table')).catch(() => undefined);
  }
};

function mapNames(names: SnapshotConfig['names'], f: (n: string) => string): SnapshotConfig['names'] {
  return Object.fromEntries(Object.entries(names).map(([k, v]) => [k, f(v)])) as SnapshotConfig['names'];
}

function resolveColumn(node: ManifestNode, cols: Column[], name: string, what: string): string {
  const hit = cols.find((c) => c.name === name) ?? cols.find((c) => c.name.toLowerCase() === name.toLowerCase());
  if (hit) return hit.name;
  const s = closest(name, cols.map((c) => c.name));
  throw new MflowError('CONFIG', `Snapshot '${node.name}': ${what} '${name}' is not a column of its query`, { file: node.original_file_path, node: node.unique_id, hint: s ? `Did you mean '${s}'?` : `The query's columns are: ${cols.map((c) => c.name).join(', ')}. Expressions are not supported: select them as a column.` });
}

/** Two rows with one key would both become current versions; dbt lets that corrupt history, we stop. */
async function assertUniqueKeys(conn: Connection, node: ManifestNode, stage: string, keys: string[], q: (s: string) => string): Promise<void> {
  const k = keys.map(q).join(', ');
  const r = await conn.execute(`select ${k}, count(*) as mflow_n from ${stage} group by ${k} having count(*) > 1 limit 1`);
  if (r.rows.length) {
    // Read by name whatever case the warehouse returns them in (Snowflake: MFLOW_N).
    const row = new Map(Object.entries(r.rows[0]).map(([c, v]) => [c.toLowerCase(), v]));
    const key = keys.map((x) => `${x}=${String(row.get(x.toLowerCase()))}`).join(', ');
    throw new MflowError('SNAPSHOT', `Snapshot '${node.name}': unique_key is not unique in its query (${key} appears ${String(row.get('mflow_n'))} times); nothing was changed`, { file: node.original_file_path, node: node.unique_id, hint: 'Deduplicate the query, or use a unique_key that identifies one row.' });
  }
}

function checkExistingMeta(node: ManifestNode, cfg: SnapshotConfig, cols: Column[], target: string): void {
  const have = new Set(cols.map((c) => c.name.toLowerCase()));
  const need = [cfg.names.dbt_scd_id, cfg.names.dbt_valid_from, cfg.names.dbt_valid_to, cfg.names.dbt_updated_at, ...(cfg.hardDeletes === 'new_record' ? [cfg.names.dbt_is_deleted] : [])];
  const missing = need.filter((n) => !have.has(n.toLowerCase()));
  if (missing.length) throw new MflowError('CONFIG', `The table ${target} of snapshot '${node.name}' has no column ${missing.join(', ')}`, { file: node.original_file_path, node: node.unique_id, hint: 'The meta column names or hard_deletes changed since the table was built: restore them, or rename the old table to keep its history and let the snapshot start a new one.' });
}

/** Runs the statements, rolling back on failure, and keeps each one's row count by purpose. */
async function execute(conn: Connection, statements: Statement[], rollback: Statement[]): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  let inTx = false;
  for (const st of statements) {
    try {
      if (st.kind === 'begin') inTx = true;
      const r = await conn.run(st);
      if (st.kind === 'commit' || st.kind === 'rollback') inTx = false;
      counts[st.purpose] = (counts[st.purpose] ?? 0) + (r.rowsAffected ?? 0);
    } catch (e) {
      if (inTx) await runEach(conn, rollback).catch(() => undefined);
      throw e;
    }
  }
  return counts;
}

registerExecutor('snapshot', runSnapshot);
