import { relative } from 'node:path';
import type { Connection, Statement } from '../contracts/adapter.js';
import type { ManifestNode } from '../contracts/manifest.js';
import type { NodeResult, NodeStatus } from '../contracts/results.js';
import type { Console } from '../console/console.js';
import { compileNode, relationOf, type CompileContext } from '../compile/compiler.js';
import type { RelationCache } from '../compile/relation-cache.js';
import { MflowError } from '../errors.js';
import { planFor } from '../materializations/plans.js';
import { renderNodeOf } from '../jinja/render-node.js';
import { writeNodeSql } from '../artifacts/write.js';
import type { Session } from './session.js';
import { applyGrants } from './grants.js';
import { modelExtras } from './model-extras.js';
import { withQueryTag } from './query-tag.js';
import type { TestFusion } from './test-fusion.js';
import { explainTestFailure } from './test-columns.js';
import { runEach, sqlText } from '../contracts/statements.js';

/** What running one node produced. */
export interface NodeOutcome {
  status: NodeStatus;
  message: string;
  rowsAffected?: number;
  failures?: number;
  compiledCode?: string;
  compiledPath?: string;
  statements?: Statement[];
  /** Console detail, e.g. `CREATE VIEW` or `INSERT 42`. */
  detail?: string;
}

export interface ExecContext {
  session: Session;
  compile: CompileContext;
  relations: RelationCache;
  console: Console;
  fullRefresh: boolean;
  dryRun: boolean;
  /** Extra flags commands pass to their executors (store_failures, ...). */
  flags: Record<string, unknown>;
  /** Data tests of one relation answered by one query (absent: each test queries alone). */
  fusion?: TestFusion;
  /** Told as each node starts and ends (the pipeline's live OpenLineage events). */
  observer?: NodeObserver;
}

/** Called from the scheduler, synchronously: an observer queues its own work and never throws into the run. */
export interface NodeObserver {
  start(uniqueId: string, at: string): void;
  end(result: NodeResult): void;
}

export type NodeExecutor = (ctx: ExecContext, node: ManifestNode, conn: Connection) => Promise<NodeOutcome>;

/** Executors by resource type; seeds, snapshots and unit tests register theirs in their own files. */
export const executors: Partial<Record<string, NodeExecutor>> = {};

export function registerExecutor(type: string, ex: NodeExecutor): void {
  // Every node runs under its `query_tag` config, whatever its type.
  executors[type] = (ctx, node, conn) => withQueryTag(ctx, node, conn, () => ex(ctx, node, conn));
}

/** Runs statements in order; on failure inside a transaction it rolls back, so nothing half-done stays. */
/**
 * Runs planned statements in order. A failure inside a transaction (after a `begin` statement,
 * before its `commit`) runs `rollback` before the error goes up, so nothing half-done stays.
 */
export async function runStatements(conn: Connection, statements: Statement[], rollback: Statement[], compiled?: string): Promise<{ rowsAffected: number; last: Awaited<ReturnType<Connection['execute']>> | null }> {
  let inTx = false;
  let rows = 0;
  let last: Awaited<ReturnType<Connection['execute']>> | null = null;
  for (const s of statements) {
    try {
      if (s.kind === 'begin') inTx = true;
      last = await conn.run(s);
      if (s.kind === 'commit' || s.kind === 'rollback') inTx = false;
      rows = Math.max(rows, last.rowsAffected ?? 0);
    } catch (e) {
      if (inTx) await runEach(conn, rollback).catch(() => undefined);
      if (e instanceof MflowError) {
        (e as MflowError & { statement?: Statement }).statement = s;
        // The warehouse counts lines of the statement; users read the compiled model.
        const m = /LINE (\d+):/.exec(e.message);
        const line = m ? Number(m[1]) : (e as MflowError & { statementLine?: number }).statementLine;
        const at = compiled ? s.sql.indexOf(compiled) : -1;
        if (line && at >= 0) {
          const mapped = line - (s.sql.slice(0, at).split('\n').length - 1);
          (e as MflowError & { compiledLine?: number }).compiledLine = mapped;
          // Snowflake's "line N of the statement" becomes the line of the compiled model users open.
          e.message = e.message.replace(/at line \d+ of the statement:/, `at compiled SQL line ${mapped}:`);
        }
      }
      throw e;
    }
  }
  return { rowsAffected: rows, last };
}

export async function renderHooks(ctx: ExecContext, node: ManifestNode, kind: 'pre_hook' | 'post_hook'): Promise<string[]> {
  const hooks = (node.config[kind] as unknown[] | undefined) ?? [];
  const out: string[] = [];
  for (const h of hooks) {
    const sql = typeof h === 'string' ? h : String((h as { sql?: string }).sql ?? '');
    const r = await ctx.compile.runtime.render(sql, renderNodeOf(node, 1, relationOf(ctx.compile, node)), hostFor(ctx), `hook\0${sql}`);
    out.push(r.sql);
  }
  return out;
}

function hostFor(ctx: ExecContext) {
  // Hooks see the same run-time context as the model (ref, this, run_query).
  return {
    phase: 'execute' as const,
    resolveRef: () => {
      throw new MflowError('COMPILER_ERROR', 'ref() is not allowed in hooks; use {{ this }} or a full relation name');
    },
    resolveSource: () => {
      throw new MflowError('COMPILER_ERROR', 'source() is not allowed in hooks');
    },
    isIncremental: () => false,
    query: ctx.compile.adapter ? (sql: string) => withConn(ctx, (c) => c.execute(sql)) : undefined,
  };
}

async function withConn<T>(ctx: ExecContext, f: (c: Connection) => Promise<T>): Promise<T> {
  const a = ctx.compile.adapter!;
  const c = await a.acquire();
  try {
    return await f(c);
  } finally {
    a.release(c);
  }
}

/** Models: compile, plan the materialization, execute, update the relation cache. */
export const runModel: NodeExecutor = async (ctx, node, conn) => {
  const sql = await compileNode(ctx.compile, node);
  const targetDir = ctx.session.targetDir;
  const compiledPath = writeNodeSql(targetDir, 'compiled', node, sql);
  const mat = String(node.config.materialized);
  const planner = planFor(mat);
  if (!planner) throw new MflowError('CONFIG', `Unknown materialization '${mat}'`, { file: node.original_file_path, node: node.unique_id, hint: 'Use view, table, incremental or ephemeral.' });
  if (mat === 'ephemeral') return { status: 'success', message: 'ephemeral', compiledCode: sql, compiledPath, detail: 'EPHEMERAL' };
  const d = ctx.session.dialect;
  const target = { database: node.database, schema: node.schema, identifier: node.alias, type: null };
  const existing = await ctx.relations.get(node.database, node.schema, node.alias);
  let existingColumns, newColumns;
  const incrementalRun = mat === 'incremental' && existing && existing.type === 'table' && !ctx.fullRefresh && node.config.full_refresh !== true;
  if (incrementalRun) {
    existingColumns = await ctx.session.adapter!.introspector.getColumns(existing);
    newColumns = (await conn.execute(`select * from (\n${sql}\n) as mflow_probe limit 0`)).columns;
  }
  const extras = await modelExtras(ctx, node, conn, sql, mat, newColumns);
  const plan = planner({
    ...extras,
    node,
    sql,
    target,
    dialect: d,
    fullRefresh: ctx.fullRefresh || node.config.full_refresh === true,
    existing,
    existingColumns,
    newColumns,
    preHooks: await renderHooks(ctx, node, 'pre_hook'),
    // Post-hooks run last in every plan; outside a dry run they render after the build (below), as
    // dbt renders each hook when it runs: one may query or drop {{ this }} while rendering.
    postHooks: ctx.dryRun ? await renderHooks(ctx, node, 'post_hook') : [],
  });
  const runFile = () => writeNodeSql(targetDir, 'run', node, plan.statements.map((s) => `-- ${s.purpose}\n${s.sql};`).join('\n\n'));
  runFile();
  if (ctx.dryRun) {
    ctx.console.emit({ type: 'output', text: `-- ${node.unique_id}\n${plan.statements.map((s) => `-- ${s.purpose}\n${s.sql};`).join('\n')}\n` });
    return { status: 'success', message: 'dry run', statements: plan.statements, compiledCode: sql, compiledPath, detail: 'DRY RUN' };
  }
  const r = await runStatements(conn, plan.statements, d.rollback(), sql);
  if (plan.resultType) ctx.relations.set({ ...target, type: plan.resultType });
  const post = (await renderHooks(ctx, node, 'post_hook')).filter((h) => h.trim()).map((h) => sqlText(h, 'post-hook'));
  if (post.length) {
    await runStatements(conn, post, d.rollback());
    plan.statements.push(...post);
    runFile();
  }
  // An incremental run keeps the table (and its grants); every other plan replaced the relation.
  const grants = await applyGrants(ctx, node, conn, { ...target, type: mat === 'view' ? 'view' : 'table' }, !incrementalRun);
  if (grants.length) plan.statements.push(...grants);
  const detail = mat === 'view' ? 'CREATE VIEW' : incrementalRun ? `INSERT ${r.rowsAffected}` : `CREATE TABLE (${r.rowsAffected} rows)`;
  return { status: 'success', message: detail, rowsAffected: r.rowsAffected, compiledCode: sql, compiledPath, statements: plan.statements, detail };
};

/**
 * Where a test's failing rows go, as dbt's should_store_failures() decides: `store_failures_as`
 * (table, view or ephemeral) first, then a `store_failures` set to true or false, and only when
 * neither is set the --store-failures flag. Null: not stored.
 */
function storeFailuresAs(c: Record<string, unknown>, flag: boolean, node: ManifestNode): 'table' | 'view' | null {
  const as = c.store_failures_as;
  if (as !== undefined && as !== null) {
    if (as === 'table' || as === 'view') return as;
    if (as === 'ephemeral') return null;
    throw new MflowError('CONFIG', `Test '${node.name}' has store_failures_as: ${String(as)}`, { file: node.original_file_path, node: node.unique_id, hint: 'Use table, view or ephemeral.' });
  }
  if (c.store_failures === true || c.store_failures === false) return c.store_failures ? 'table' : null;
  return flag ? 'table' : null;
}

/** Data tests: count failing rows, compare with warn_if / error_if, optionally store them. */
export const runDataTest: NodeExecutor = async (ctx, node, conn) => {
  const sql = ctx.fusion ? await ctx.fusion.compile(node) : await compileNode(ctx.compile, node);
  const compiledPath = writeNodeSql(ctx.session.targetDir, 'compiled', node, sql);
  const c = node.config as Record<string, unknown>;
  const failCalc = String(c.fail_calc ?? 'count(*)');
  const limit = c.limit !== undefined && c.limit !== null ? `\nlimit ${Number(c.limit)}` : '';
  const storeAs = storeFailuresAs(c, Boolean(ctx.flags.storeFailures), node);
  const d = ctx.session.dialect;
  // Singular tests are placed in the target schema by the parser; failures go to the audit schema as in dbt.
  const auditSchema = node.test_metadata ? node.schema : `${ctx.session.target.schema}_${String(c.schema ?? 'dbt_test__audit')}`;
  const audit = d.relation({ database: node.database, schema: auditSchema, identifier: node.alias });
  let inner = `${sql}${limit}`;
  const storeFailures = storeAs !== null;
  if (storeAs && !ctx.dryRun) {
    await runEach(conn, d.createSchema(node.database, auditSchema));
    // A relation of the other kind from an earlier run is dropped first: neither kind replaces the other.
    const prev = await ctx.relations.get(node.database, auditSchema, node.alias);
    if (prev && prev.type !== storeAs) await runEach(conn, d.drop(audit, prev.type === 'view' ? 'view' : 'table'));
    await runEach(conn, storeAs === 'view' ? d.createView(audit, inner, { replace: true }) : d.createTableAs(audit, inner, { replace: true }));
    ctx.relations.set({ database: node.database, schema: auditSchema, identifier: node.alias, type: storeAs });
    inner = `select * from ${audit}`;
  }
  const warnIf = String(c.warn_if ?? '!= 0');
  const errorIf = String(c.error_if ?? '!= 0');
  const wrapped = `select\n  ${failCalc} as failures,\n  ${failCalc} ${warnIf} as should_warn,\n  ${failCalc} ${errorIf} as should_error\nfrom (\n${inner}\n) dbt_internal_test`;
  writeNodeSql(ctx.session.targetDir, 'run', node, wrapped);
  if (ctx.dryRun) return { status: 'pass', message: 'dry run', compiledCode: sql, compiledPath };
  const row = await testRow(ctx, node, conn, wrapped, storeAs === null);
  const failures = Number(row.failures ?? 0);
  const severity = String(c.severity ?? 'ERROR').toUpperCase();
  // What a reader needs to act: how many rows, where the SQL is, where the rows are kept.
  const rel = relative(ctx.session.project.root, compiledPath) || compiledPath;
  const tail = `\n  compiled code at ${rel}${storeFailures ? `\n  See test failures: select * from ${audit}` : ''}`;
  const got = `Got ${failures} result${failures === 1 ? '' : 's'}`;
  if (severity === 'ERROR' && truthy(row.should_error)) return { status: 'fail', message: `Failure in test ${node.name} (${node.original_file_path})\n  ${got}, configured to fail if ${errorIf}${tail}`, failures, compiledCode: sql, compiledPath };
  if (truthy(row.should_warn)) return { status: 'warn', message: `Warning in test ${node.name} (${node.original_file_path})\n  ${got}, configured to warn if ${warnIf}${tail}`, failures, compiledCode: sql, compiledPath };
  return { status: 'pass', message: 'PASS', failures, compiledCode: sql, compiledPath };
};

/** The failures row of a data test: from the fused query of its relation when it has one, else its own. */
async function testRow(ctx: ExecContext, node: ManifestNode, conn: Connection, wrapped: string, fusable: boolean): Promise<Record<string, unknown>> {
  const fused = fusable && ctx.fusion ? await ctx.fusion.answer(node, conn) : null;
  if (fused) return { failures: fused.failures, should_warn: fused.shouldWarn, should_error: fused.shouldError };
  const r = await conn.execute(wrapped).catch(async (e: unknown) => {
    throw await explainTestFailure(ctx.compile.manifest, node, ctx.compile.adapter, e);
  });
  // Warehouses that fold unquoted names to upper case (Snowflake) answer FAILURES, SHOULD_WARN...
  const first = r.rows[0] ? Object.fromEntries(Object.entries(r.rows[0]).map(([k, v]) => [k.toLowerCase(), v])) : undefined;
  return first ?? { failures: 0, should_warn: false, should_error: false };
}

const truthy = (v: unknown) => v === true || v === 1 || v === 'true' || (typeof v === 'bigint' && v !== 0n);

registerExecutor('model', runModel);
registerExecutor('test', runDataTest);
