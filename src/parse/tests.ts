import { createHash } from 'node:crypto';
import type { Dialect } from '../contracts/adapter.js';
import type { ManifestMacro, ManifestNode, SourceTable } from '../contracts/manifest.js';
import { MflowError, closest } from '../errors.js';
import type { JinjaRuntime } from '../jinja/context.js';
import type { ProjectConfig, Warning } from '../project/types.js';
import { FolderConfigs, defaultConfig, mergeConfig } from './configs.js';
import type { TestDef } from './properties.js';
import { renderTestArgs } from './test-args.js';
import { dbtTestHash, synthesizeTestName } from './test-names.js';

export interface TestBuildCtx {
  /** The project (root or package) whose properties file declared the test. */
  project: ProjectConfig;
  /** That package's folder relative to the root project; absent for the root project. */
  prefix?: string;
  nodes: Record<string, ManifestNode>;
  index: Map<string, ManifestNode[]>;
  sources: Record<string, SourceTable>;
  macros: Record<string, ManifestMacro>;
  runtime: JinjaRuntime;
  folderCfg: FolderConfigs;
  warnings: Warning[];
  dialect: Dialect;
}

const BUILTIN_TESTS = new Set(['unique', 'not_null', 'accepted_values', 'relationships']);
const REF_ARG = /^\s*ref\(\s*['"]([^'"]+)['"]\s*\)\s*$/;
const SOURCE_ARG = /^\s*source\(\s*['"]([^'"]+)['"]\s*,\s*['"]([^'"]+)['"]\s*\)\s*$/;

/** A name as a Jinja string literal: `'x'` as dbt writes it, a quote in the name escaped. */
const jinjaStr = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** A generic data test declared in YAML becomes a test node attached to what it tests. */
export function buildTestNode(t: TestDef, c: TestBuildCtx): ManifestNode | null {
  const p = c.project;
  const testName = t.testName.includes('.') ? t.testName.split('.').pop()! : t.testName;
  const testNs = t.testName.includes('.') ? t.testName.split('.')[0] : null;
  if (testNs && !c.runtime.hasMacro(`test_${testName}`, testNs)) {
    const have = c.runtime.packageNames();
    throw new MflowError('CONFIG', `Unknown data test '${t.testName}': ${have.includes(testNs) || testNs === 'dbt' || testNs === p.name ? `package '${testNs}' has no test '${testName}'` : `no package '${testNs}' is installed`}`, { file: t.file, line: t.line, hint: have.includes(testNs) ? `Check the test name in ${testNs}'s documentation.` : `Add it to packages.yml and run mflow deps (installed: ${have.join(', ') || 'none'}).` });
  }
  if (!testNs && !BUILTIN_TESTS.has(testName) && !c.runtime.hasMacro(`test_${testName}`)) {
    const known = [...BUILTIN_TESTS, ...Object.values(c.macros).filter((m) => m.name.startsWith('test_')).map((m) => m.name.slice(5))];
    const s = closest(testName, known);
    throw new MflowError('CONFIG', `Unknown data test '${t.testName}'`, { file: t.file, line: t.line, hint: s ? `Did you mean '${s}'?` : `Define it with {% test ${testName}(model, column_name) %} in macros/ or tests/generic/.` });
  }
  let attached: string;
  let targetName: string;
  let modelArg: string;
  let columns: Record<string, unknown>;
  if (t.target.kind === 'source') {
    const id = `source.${p.name}.${t.target.source}.${t.target.table}`;
    const src = c.sources[id];
    if (!src) throw new MflowError('UNKNOWN_SOURCE', `Test on unknown source ${t.target.source}.${t.target.table}`, { file: t.file, line: t.line });
    if (src.config.enabled === false) return null;
    attached = id;
    targetName = `${t.target.source}_${t.target.table}`;
    modelArg = `source(${jinjaStr(t.target.source)}, ${jinjaStr(t.target.table)})`;
    columns = src.columns;
  } else {
    const target = t.target;
    const cands = c.index.get(target.name);
    const n = target.version != null ? cands?.find((x) => String(x.version) === String(target.version)) : (cands?.find((x) => x.resource_type === target.kind) ?? cands?.[0]);
    if (!n) return null; // properties for a missing node were already reported
    attached = n.unique_id;
    // A version's tests are named and ref'd as dbt does: unique_dim_x_v2_id on ref('dim_x', version='2').
    targetName = n.version != null ? `${n.name}_v${n.version}` : n.name;
    modelArg = n.version != null ? `ref(${jinjaStr(n.name)}, version=${jinjaStr(String(n.version))})` : `ref(${jinjaStr(n.name)})`;
    columns = n.columns;
  }
  const args: Record<string, unknown> = renderTestArgs(t.args, { file: t.file, line: t.line }, c.runtime.opts.vars, c.runtime.opts.env);
  if (t.columnName) args.column_name = t.columnName;
  const depends = new Set<string>([attached]);
  for (const [k, v] of Object.entries(args)) {
    if (typeof v !== 'string') continue;
    const r = REF_ARG.exec(v);
    if (r) {
      const dep = c.index.get(r[1])?.[0];
      if (!dep) {
        const s = closest(r[1], c.index.keys());
        throw new MflowError('UNKNOWN_REF', `Test '${testName}' on ${targetName} refers to ${v} in '${k}', which was not found`, { file: t.file, line: t.line, hint: s ? `Did you mean ref('${s}')?` : undefined });
      }
      depends.add(dep.unique_id);
    }
    const s = SOURCE_ARG.exec(v);
    if (s) {
      const id = `source.${p.name}.${s[1]}.${s[2]}`;
      if (!c.sources[id]) throw new MflowError('UNKNOWN_SOURCE', `Test '${testName}' refers to ${v}, which is not declared`, { file: t.file, line: t.line });
      depends.add(id);
    }
  }
  // A test on a column that is not declared is almost always a typo; say so before anything runs.
  if (t.columnName && Object.keys(columns).length && !(t.columnName in columns)) {
    const s = closest(t.columnName, Object.keys(columns));
    throw new MflowError('CONFIG', `Test '${testName}' names column '${t.columnName}', which ${targetName} does not declare`, { file: t.file, line: t.line, hint: s ? `Did you mean '${s}'?` : undefined });
  }
  if (testName === 'relationships' && (!args.to || !args.field)) {
    throw new MflowError('CONFIG', `relationships test on ${targetName}.${t.columnName} needs 'to' and 'field'`, { file: t.file, line: t.line, hint: "relationships: { arguments: { to: ref('dim_x'), field: x_id } }" });
  }
  if (testName === 'accepted_values' && !Array.isArray(args.values)) {
    throw new MflowError('CONFIG', `accepted_values test on ${targetName}.${t.columnName} needs a list of 'values'`, { file: t.file, line: t.line });
  }
  // dbt: source tests are `source_<test>_<source>_<table>_...`, package tests `<pkg>_<test>_...`.
  const namespace = t.testName.includes('.') ? t.testName.split('.')[0] : null;
  const testType = `${namespace ? `${namespace}_` : ''}${t.target.kind === 'source' ? 'source_' : ''}${testName}`;
  const { shortName, fullName } = synthesizeTestName(testType, targetName, args);
  const name = (t.config.alias as string | undefined) ?? shortName;
  const idName = (t.config.alias as string | undefined) ?? fullName;
  const dirs = (c.prefix ? t.file.slice(c.prefix.length + 1) : t.file).split('/').slice(1, -1);
  const fqn = [p.name, ...dirs, idName];
  let config = mergeConfig(defaultConfig('test'), c.folderCfg.resolve(fqn));
  config = mergeConfig(config, t.config);
  // dbt renders test configs at parse: `severity: "{{ 'warn' if target.type == 'spark' else 'error' }}"`.
  for (const k of ['enabled', 'severity', 'warn_if', 'error_if', 'fail_calc', 'where', 'limit', 'store_failures']) {
    const v = config[k];
    if (typeof v !== 'string' || !(v.includes('{{') || v.includes('{%'))) continue;
    const out = c.runtime.renderConfigValue(v, t.file).trim();
    // Jinja prints Python's booleans: enabled and store_failures become true or false again.
    config[k] = /^(true|false)$/i.test(out) && (k === 'enabled' || k === 'store_failures') ? out.toLowerCase() === 'true' : out;
  }
  if (typeof config.severity === 'string') config.severity = config.severity.toUpperCase();
  if (config.enabled === false) return null;
  const testMetadata = { name: testName, kwargs: { ...args, model: `{{ get_where_subquery(${modelArg}) }}` }, namespace };
  const hash = dbtTestHash(idName, testMetadata);
  return {
    // unique_id and fqn carry the full name as dbt's do; name, alias and file the short one.
    unique_id: `test.${p.name}.${idName}.${hash}`,
    resource_type: 'test',
    name,
    package_name: p.name,
    path: `${name}.sql`,
    original_file_path: t.file,
    fqn,
    raw_code: `{{ test_${testName}(**_dbt_generic_test_kwargs) }}`,
    language: 'sql',
    checksum: { name: 'sha256', checksum: hash },
    config,
    tags: [...(config.tags ?? [])],
    description: t.description ?? '',
    columns: {},
    meta: {},
    depends_on: { nodes: [...depends].sort(), macros: [`macro.${testNs ?? p.name}.test_${testName}`] },
    refs: [],
    sources: [],
    database: null,
    // Where store_failures keeps failing rows: generate_schema_name's default, as dbt names it.
    schema: `${c.runtime.opts.target.schema}_${String((config.schema as string | undefined) ?? 'dbt_test__audit')}`,
    alias: name,
    relation_name: null,
    test_metadata: testMetadata,
    attached_node: attached,
    column_name: t.columnName,
    declared_at: { file: t.file, line: t.line },
  };
}
