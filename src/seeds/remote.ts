import { DuckDBAdapter } from '../adapters/duckdb/adapter.js';
import type { Connection, Statement } from '../contracts/adapter.js';
import type { ManifestNode } from '../contracts/manifest.js';
import { ddl, described, dml } from '../contracts/statements.js';
import { writeNodeSql } from '../artifacts/write.js';
import { MflowError } from '../errors.js';
import { runStatements, type ExecContext, type NodeOutcome } from '../run/executors.js';
import { applyGrants } from '../run/grants.js';
import { csvError } from './errors.js';
import { columnSql, fullInference, openSeedFile, readCsvSql, runSeedHooks } from './executor.js';
import { inferenceSql, kindOf, statsOf, survivors, typeNameOf, typedValue, type SeedKind } from './infer.js';
import { planSeed } from './plan.js';

/** Bound values per insert statement: below the driver's stage-binding threshold, few round trips. */
const MAX_BINDS = 16_000;

/**
 * Seeds on a warehouse other than DuckDB (Snowflake). The CSV is read, checked and typed exactly
 * as on DuckDB, by a local in-memory DuckDB (same errors with file:line:column, same inferred
 * types); the warehouse then gets `create table` with the inferred types (or column_types, in its
 * own type names) and the rows as batched bound inserts, replaced in one transaction. Values are
 * bound as text and converted by the warehouse into the column types.
 */
export async function runSeedRemote(ctx: ExecContext, node: ManifestNode, conn: Connection): Promise<NodeOutcome> {
  const s = ctx.session;
  const d = s.dialect;
  const { file, header, overrides } = openSeedFile(s.project.root, node);
  // Unset quote_columns on an upper-case warehouse: plain names become the upper-case names an
  // unquoted reference finds (`select code from seed`); other names, or quote_columns: true, stay exact.
  const fold = node.config.quote_columns == null && d.capabilities.identifierCase === 'upper';
  const columnsSql = columnSql(node, header, (x) => d.quote(fold && /^[A-Za-z_][A-Za-z0-9_$]*$/.test(x) ? x.toUpperCase() : x));
  const names = columnsSql.map((c) => (c.startsWith('"') ? c.slice(1, -1).replace(/""/g, '"') : c));

  const local = await DuckDBAdapter.local('seed-reader', ':memory:');
  let rows: unknown[][];
  let types: string[];
  try {
    const lc = await local.acquire();
    const ld = local.dialect;
    const stage = 'mflow_seed_rows';
    try {
      await lc.execute(`create table ${stage} as select * from ${readCsvSql(file.path, header, file.dialect)}`);
    } catch (e) {
      throw csvError(e, file);
    }
    const inferred = header.filter((h) => !(h in overrides));
    const sample = statsOf((await lc.execute(inferenceSql(stage, inferred, ld, undefined, 10_000))).rows[0] ?? {}, inferred);
    const { stats } = await fullInference(lc, stage, inferred, sample.map(survivors), ld);
    const kinds = new Map<string, SeedKind>(inferred.map((h, i) => [h, kindOf(stats[i])]));
    types = header.map((h) => overrides[h] ?? typeNameOf(kinds.get(h)!, d));
    // Text as the warehouse should parse it: trimmed typed values, booleans spelled true/false, strings as written.
    const text = header.map((h, i) => {
      const c = ld.quote(h);
      const k = kinds.get(h);
      if (k === 'string') return `${c} as c${i}`;
      if (k === 'boolean') return `lower(trim(${c})) as c${i}`;
      return `${typedValue(c)} as c${i}`;
    });
    const r = await lc.execute(`select ${text.join(', ')} from ${stage}`);
    rows = r.rows.map((row) => header.map((_, i) => row[`c${i}`] ?? null));
    local.release(lc);
  } finally {
    await local.close();
  }

  const target = d.relation({ database: node.database, schema: node.schema, identifier: node.alias });
  const existing = await ctx.relations.get(node.database, node.schema, node.alias);
  const existingColumns = existing && existing.type === 'table' && !ctx.fullRefresh ? await s.adapter!.introspector.getColumns(existing) : undefined;
  // The same rules as on DuckDB: a changed header needs --full-refresh (planSeed says so).
  planSeed({ node, dialect: d, target, select: '', columnsSql, columnNames: names, existing, existingColumns, fullRefresh: ctx.fullRefresh });
  const rebuild = !existing || existing.type !== 'table' || ctx.fullRefresh || node.config.full_refresh === true;
  const statements: Statement[] = [];
  if (existing && existing.type === 'view') statements.push(...described('drop the view replaced by the seed table', d.drop(target, 'view')));
  if (rebuild) {
    const transient = d.capabilities.supportsTransientTables && node.config.transient !== false ? 'transient ' : '';
    statements.push(ddl(`create or replace ${transient}table ${target} (${columnsSql.map((c, i) => `${c} ${types[i]}`).join(', ')})`, `create ${target}`));
  }
  const perBatch = Math.max(1, Math.floor(MAX_BINDS / Math.max(1, header.length)));
  const tuple = `(${header.map(() => '?').join(', ')})`;
  const batches = Math.ceil(rows.length / perBatch);
  const inserts: Statement[] = [];
  for (let i = 0; i < rows.length; i += perBatch) {
    const batch = rows.slice(i, i + perBatch);
    const purpose = `insert rows (batch ${inserts.length + 1} of ${batches}, ${batch.length} rows)`;
    inserts.push(dml(`insert into ${target} (${columnsSql.join(', ')}) values ${batch.map(() => tuple).join(', ')}`, purpose, batch.flat()));
  }
  const tx: Statement[] = [...d.beginTransaction(), ...(rebuild ? [] : [dml(`delete from ${target}`, 'remove the old rows')]), ...inserts, ...d.commit()];
  // The values stay binds: the run file shows the markers, never the data.
  writeNodeSql(s.targetDir, 'run', node, [...statements, ...tx].map((x) => `-- ${x.purpose}\n${x.sql};`).join('\n\n'));
  if (ctx.dryRun) return { status: 'success', message: 'dry run', statements: [...statements, ...tx], detail: 'DRY RUN' };
  const pre = await runSeedHooks(ctx, node, conn, 'pre_hook');
  await runStatements(conn, statements, d.rollback());
  try {
    await runStatements(conn, tx, d.rollback());
  } catch (e) {
    if (e instanceof MflowError) e.hint ??= `The table ${target} kept its previous rows. Check the values of ${node.original_file_path} against the column types (column_types sets them).`;
    throw e;
  }
  ctx.relations.set({ database: node.database, schema: node.schema, identifier: node.alias, type: 'table' });
  const grants = await applyGrants(ctx, node, conn, { database: node.database, schema: node.schema, identifier: node.alias, type: 'table' }, rebuild);
  // After the grants, as dbt's seed materialization runs them.
  const post = await runSeedHooks(ctx, node, conn, 'post_hook');
  return { status: 'success', message: `INSERT ${rows.length}`, rowsAffected: rows.length, statements: [...pre, ...statements, ...tx, ...grants, ...post], detail: `INSERT ${rows.length}` };
}
