import { relative } from 'node:path';
import type { ManifestNode } from '../contracts/manifest.js';
import type { DuckDBConnectionWrapper } from '../adapters/duckdb/adapter.js';
import { compileNode, type CompileContext } from '../compile/compiler.js';
import { writeNodeSql } from '../artifacts/write.js';
import { MflowError } from '../errors.js';
import { JinjaRuntime } from '../jinja/context.js';
import { DuckDBDialect } from '../adapters/duckdb/dialect.js';
import type { UnitTestDef } from '../parse/properties.js';
import { registerExecutor, type ExecContext, type NodeExecutor } from '../run/executors.js';
import { diffRows, formatDiff } from './compare.js';
import { duckType, inferType, loadFixture, quoteIdent, rowsSelect, type Fixture } from './fixtures.js';

type UnitTest = UnitTestDef & { unique_id: string; attached_node: string };

/**
 * Unit tests: the model's SQL runs on an in-memory DuckDB against fixture tables that stand in
 * for its parents, so no parent is built and the warehouse is not written to. The result is
 * compared with `expect` (order-insensitive, only the columns `expect` names).
 */
export const runUnitTest: NodeExecutor = async (ctx, node) => {
  const m = ctx.session.manifest;
  const def = m.unit_tests[node.unique_id] as UnitTest | undefined;
  if (!def) throw new MflowError('INTERNAL', `unit test ${node.unique_id} has no definition in the manifest`);
  const model = m.nodes[def.attached_node];
  const what = `Unit test '${def.name}' of model '${model.name}'`;
  const where = { file: def.file, what, projectRoot: ctx.session.project.root, testPaths: ctx.session.project.testPaths };

  // Every parent needs a fixture, as in dbt: a test that silently read real tables would not be a unit test.
  const givenByParent = new Map<string, UnitTestDef['given'][number]>();
  for (const g of def.given) {
    // `this` stands for the model's existing table; its fixture replaces `{{ this }}`.
    const id = g.input?.trim() === 'this' ? model.unique_id : parentIdOf(ctx, g.input);
    if (id) givenByParent.set(id, g);
  }
  const missing = model.depends_on.nodes.filter((id) => !givenByParent.has(id));
  if (missing.length) {
    const inputs = missing.map((id) => inputCall(ctx, id));
    throw new MflowError('CONFIG', `${what} gives no input for ${inputs.join(', ')}`, {
      file: def.file,
      line: def.line,
      node: node.unique_id,
      hint: `Every ref() and source() of the model needs a fixture; an empty one is enough:\n  given:\n    - input: ${inputs[0]}\n      rows: []`,
    });
  }

  // Loaded here, not at start-up: commands that never run a unit test (compile, ls) skip DuckDB's load.
  const [{ DuckDBInstance }, { DuckDBConnectionWrapper }] = await Promise.all([import('@duckdb/node-api'), import('../adapters/duckdb/adapter.js')]);
  const inst = await DuckDBInstance.create(':memory:');
  const raw = await inst.connect();
  const db = new DuckDBConnectionWrapper(raw);
  try {
    const overrides = new Map<string, string>();
    let i = 0;
    for (const [parentId, g] of givenByParent) {
      const table = `__mflow_ut_${i++}_${shortName(parentId)}`;
      const fixture = loadFixture(g, { ...where, what: `${what}, input ${g.input}` });
      const select = fixture.kind === 'sql' ? fixture.sql : rowsSelect(await fixtureColumns(ctx, parentId, fixture, { ...where, line: g.line, input: g.input }), fixture.rows);
      await runOrExplain(db, `create temp table ${quoteIdent(table)} as\n${select}`, `${what}: input ${g.input}`, def.file, g.line);
      overrides.set(parentId, quoteIdent(table));
    }

    const sql = await compileModel(ctx, model, def, overrides);
    const compiledPath = writeNodeSql(ctx.session.targetDir, 'compiled', node, sql);
    if (ctx.dryRun) return { status: 'pass', message: 'dry run', compiledCode: sql, compiledPath };
    await runOrExplain(db, `create temp table __mflow_actual as\n${sql}`, `${what}: the model's SQL failed on the fixtures`, model.original_file_path, undefined);
    const actualCols = (await db.execute('select * from __mflow_actual limit 0')).columns;

    const expected = loadFixture(def.expect, { ...where, what: `${what}, expect` });
    let expectCols: string[];
    if (expected.kind === 'sql') {
      await runOrExplain(db, `create temp table __mflow_expected as\n${expected.sql}`, `${what}: expect`, def.file, def.expect.line);
      expectCols = (await db.execute('select * from __mflow_expected limit 0')).columns.map((c) => c.name);
    } else {
      // `rows: []` names no column: as dbt's unit materialization, all the model's columns, no rows.
      expectCols = expected.columns.length ? expected.columns : actualCols.map((c) => c.name);
    }
    const byLower = new Map(actualCols.map((c) => [c.name.toLowerCase(), c]));
    const unknown = expectCols.filter((c) => !byLower.has(c.toLowerCase()));
    if (unknown.length) {
      throw new MflowError('CONFIG', `${what}: expect names column${unknown.length > 1 ? 's' : ''} ${unknown.map((c) => `'${c}'`).join(', ')} that the model does not return`, {
        file: def.file,
        line: def.expect.line,
        node: node.unique_id,
        hint: `The model returns: ${actualCols.map((c) => c.name).join(', ')}`,
      });
    }
    const cols = expectCols.map((c) => byLower.get(c.toLowerCase())!);
    if (expected.kind === 'rows') {
      await db.execute(`create temp table __mflow_expected as\n${rowsSelect(cols.map((c) => ({ name: c.name, type: c.dataType })), expected.rows)}`);
    }
    const diff = await diffRows(db, '__mflow_actual', '__mflow_expected', cols.map((c) => c.name));
    if (diff.missing.length === 0 && diff.unexpected.length === 0) return { status: 'pass', message: 'PASS', failures: 0, compiledCode: sql, compiledPath };
    const n = diff.missing.length + diff.unexpected.length;
    return {
      status: 'fail',
      message: `${what} failed (${def.file}:${def.line})\n${formatDiff(cols.map((c) => c.name), diff)}\n  compiled code at ${relative(ctx.session.project.root, compiledPath)}`,
      failures: n,
      compiledCode: sql,
      compiledPath,
    };
  } finally {
    raw.closeSync();
    inst.closeSync();
  }
};

async function runOrExplain(db: DuckDBConnectionWrapper, sql: string, what: string, file: string, line: number | undefined): Promise<void> {
  try {
    await db.execute(sql);
  } catch (e) {
    throw new MflowError('DATABASE', `${what}\n  ${(e as Error).message.split('\n').join('\n  ')}`, { file, line });
  }
}

const duckRuntimes = new WeakMap<ExecContext['session'], JinjaRuntime>();
/** One DuckDB-dialect runtime per session for unit tests of a warehouse target. */
function unitRuntime(ctx: ExecContext): JinjaRuntime {
  let r = duckRuntimes.get(ctx.session);
  if (!r) {
    const base = ctx.compile.runtime.opts;
    const dialect = new DuckDBDialect();
    r = new JinjaRuntime({ ...base, dialect, target: { ...base.target, type: dialect.type }, macros: Object.values(ctx.session.manifest.macros) });
    duckRuntimes.set(ctx.session, r);
  }
  return r;
}

/** vars, env_vars and macros overrides apply to this render only. */
async function compileModel(ctx: ExecContext, model: ManifestNode, def: UnitTest, overrides: Map<string, string>): Promise<string> {
  const o = def.overrides ?? {};
  const extra = { ...(ctx.compile.extra ?? {}), __vars: o.vars ?? {}, __env: Object.fromEntries(Object.entries(o.env_vars ?? {}).map(([k, v]) => [k, String(v)])) };
  let runtime = ctx.compile.runtime;
  const macros = Object.entries(o.macros ?? {});
  // Unit tests run on in-memory DuckDB whatever the target: the model is rendered with DuckDB's
  // dialect (adapter.dispatch picks duckdb__ macros), not with the warehouse's.
  const foreign = !runtime.dialect.capabilities.localEngine;
  if (macros.length || foreign) {
    // A runtime of its own: replacing a macro on the shared one would leak into nodes rendering meanwhile.
    runtime = foreign ? unitRuntime(ctx) : new JinjaRuntime({ ...runtime.opts, macros: Object.values(ctx.session.manifest.macros) });
    if (macros.length && foreign) runtime = new JinjaRuntime({ ...runtime.opts });
    for (const [name, value] of macros) runtime.overrideMacro(name, typeof value === 'function' ? (value as (...a: unknown[]) => unknown) : () => value);
  }
  // is_incremental() is false unless overridden, whatever exists in the warehouse.
  const c: CompileContext = { ...ctx.compile, runtime, overrides, extra, relations: null, fullRefresh: true };
  return compileNode(c, { ...model, config: { ...model.config } });
}

/** Types for a fixture: the parent's real columns when it exists, else its YAML data_types, else the values. */
async function fixtureColumns(ctx: ExecContext, parentId: string, f: Extract<Fixture, { kind: 'rows' }>, w: { file: string; line: number; what: string; input: string }): Promise<{ name: string; type: string }[]> {
  const m = ctx.session.manifest;
  const parent = m.nodes[parentId] ?? m.sources[parentId];
  let known: { name: string; type: string }[] = [];
  const rel = m.nodes[parentId] ? { database: parent.database, schema: parent.schema, identifier: (parent as ManifestNode).alias } : { database: parent.database, schema: parent.schema, identifier: m.sources[parentId].identifier };
  if (ctx.session.adapter && (m.nodes[parentId]?.relation_name ?? m.sources[parentId]?.relation_name)) {
    const cols = await ctx.session.adapter.introspector.getColumns({ ...rel, type: null }).catch(() => []);
    known = cols.map((c) => ({ name: c.name, type: duckType(c.dataType) }));
  }
  if (known.length === 0) {
    const declared = Object.values(parent.columns ?? {}).filter((c) => c.data_type);
    if (declared.length && f.columns.every((c) => declared.some((d) => d.name.toLowerCase() === c.toLowerCase()))) known = declared.map((c) => ({ name: c.name, type: duckType(String(c.data_type)) }));
  }
  if (known.length) {
    const names = new Set(known.map((k) => k.name.toLowerCase()));
    const bad = f.columns.filter((c) => !names.has(c.toLowerCase()));
    if (bad.length) {
      throw new MflowError('CONFIG', `${w.what}, input ${w.input}: column${bad.length > 1 ? 's' : ''} ${bad.map((b) => `'${b}'`).join(', ')} not in ${parent.name}`, { file: w.file, line: w.line, hint: `${parent.name} has: ${known.map((k) => k.name).join(', ')}` });
    }
    return known;
  }
  if (f.columns.length === 0) {
    throw new MflowError('CONFIG', `${w.what}, input ${w.input}: no rows and no known columns, so the fixture has no shape`, { file: w.file, line: w.line, hint: `Build ${parent.name} once (mflow run -s ${parent.name}) or declare its columns with data_type in YAML.` });
  }
  return f.columns.map((c) => ({ name: c, type: inferType(f.rows.map((r) => r[c])) }));
}

function parentIdOf(ctx: ExecContext, input: string): string | null {
  const m = /^\s*(ref|source)\(\s*['"]([^'"]+)['"]\s*(?:,\s*['"]([^'"]+)['"]\s*)?\)\s*$/.exec(input ?? '');
  if (!m) return null;
  const man = ctx.session.manifest;
  if (m[1] === 'source') return Object.values(man.sources).find((s) => s.source_name === m[2] && s.name === m[3])?.unique_id ?? null;
  return Object.values(man.nodes).find((n) => n.name === m[2] && (n.resource_type === 'model' || n.resource_type === 'seed' || n.resource_type === 'snapshot'))?.unique_id ?? null;
}

function inputCall(ctx: ExecContext, id: string): string {
  const s = ctx.session.manifest.sources[id];
  return s ? `source('${s.source_name}', '${s.name}')` : `ref('${ctx.session.manifest.nodes[id]?.name ?? id.split('.').pop()}')`;
}

const shortName = (id: string) => id.split('.').slice(2).join('_').replace(/[^A-Za-z0-9_]/g, '_');

registerExecutor('unit_test', runUnitTest);
