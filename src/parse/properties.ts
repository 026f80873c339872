import type { ColumnInfo, Constraint, FreshnessRule, SourceTable } from '../contracts/manifest.js';
import { MflowError, closest } from '../errors.js';
import type { Warning } from '../project/types.js';
import { parseYaml } from '../util/yaml.js';
import { checkConfigKeys } from './configs.js';
import { RESOURCE_KINDS, type ResourceDef } from './resources.js';

/**
 * Properties files (`models/**.yml`): descriptions, columns, data tests, sources, seeds,
 * snapshots, macros and unit tests. Everything keeps its file and line, so a typo is reported
 * where it was made.
 */
export interface TestDef {
  /** The package whose properties file declared it; absent for the root project. */
  pkg?: string;
  testName: string;
  args: Record<string, unknown>;
  config: Record<string, unknown>;
  columnName: string | null;
  file: string;
  line: number;
  target: { kind: 'model' | 'seed' | 'snapshot'; name: string; version?: string | number | null } | { kind: 'source'; source: string; table: string };
  description?: string;
}

export interface Patch {
  kind: 'models' | 'seeds' | 'snapshots' | 'analyses';
  name: string;
  file: string;
  line: number;
  description: string;
  config: Record<string, unknown>;
  columns: Record<string, ColumnInfo>;
  meta: Record<string, unknown>;
  tags: string[];
  docs?: Record<string, unknown>;
  latestVersion?: string | number | null;
  versions?: { v: string | number; config?: Record<string, unknown>; defined_in?: string; columns?: Record<string, ColumnInfo> }[];
  /** Snapshots may be defined entirely in YAML (`relation:`). */
  relation?: string;
  constraints?: Constraint[];
  /** dbt accepts `access:` and `group:` as properties as well as configs. */
  access?: string;
  group?: string;
}

export interface MacroPatch {
  name: string;
  description: string;
  arguments: { name: string; type?: string; description?: string }[];
  file: string;
  line: number;
}

export interface UnitTestDef {
  name: string;
  model: string;
  file: string;
  line: number;
  given: { input: string; rows?: Record<string, unknown>[] | string; format?: string; fixture?: string; line: number }[];
  expect: { rows?: Record<string, unknown>[] | string; format?: string; line: number };
  overrides?: { vars?: Record<string, unknown>; env_vars?: Record<string, string>; macros?: Record<string, unknown> };
  config: Record<string, unknown>;
  description: string;
}

export interface PropertiesResult {
  patches: Patch[];
  sources: SourceTable[];
  tests: TestDef[];
  macros: MacroPatch[];
  unitTests: UnitTestDef[];
  /** groups, exposures, semantic_models, metrics, saved_queries (built in resources.ts once refs resolve). */
  resources: ResourceDef[];
}

const TOP_KEYS = ['version', 'models', 'sources', 'seeds', 'snapshots', 'macros', 'unit_tests', 'analyses', 'exposures', 'metrics', 'semantic_models', 'saved_queries', 'groups', 'data_tests'];
const NODE_KEYS = ['name', 'description', 'config', 'columns', 'tests', 'data_tests', 'meta', 'tags', 'docs', 'latest_version', 'versions', 'access', 'group', 'constraints', 'deprecation_date', 'relation', 'time_spine', 'quote_columns', 'column_types'];
const COLUMN_KEYS = ['name', 'description', 'data_type', 'meta', 'tags', 'tests', 'data_tests', 'quote', 'constraints', 'policy_tags', 'granularity', 'config'];
const SOURCE_KEYS = ['name', 'description', 'database', 'schema', 'loader', 'loaded_at_field', 'freshness', 'quoting', 'tables', 'meta', 'tags', 'config', 'overrides'];
const TABLE_KEYS = ['name', 'description', 'identifier', 'loaded_at_field', 'freshness', 'quoting', 'columns', 'tests', 'data_tests', 'meta', 'tags', 'external', 'config', 'loader'];

const TEST_CONFIG_KEYS = new Set(['severity', 'where', 'limit', 'warn_if', 'error_if', 'fail_calc', 'store_failures', 'store_failures_as', 'enabled', 'tags', 'meta', 'alias', 'schema', 'database']);

export function parseProperties(text: string, file: string, projectName: string, defaultSchema: string, warnings: Warning[]): PropertiesResult {
  const y = parseYaml<Record<string, unknown> | null>(text, file);
  const out: PropertiesResult = { patches: [], sources: [], tests: [], macros: [], unitTests: [], resources: [] };
  const data = y.data;
  if (!data) return out;
  if (typeof data !== 'object' || Array.isArray(data)) throw new MflowError('YAML_SYNTAX', 'A properties file must be a mapping (version: 2, models: [...])', { file, line: 1 });
  const warnKeys = (obj: Record<string, unknown>, allowed: string[], path: (string | number)[], what: string) => {
    for (const k of Object.keys(obj)) {
      if (!allowed.includes(k)) {
        const s = closest(k, allowed);
        warnings.push({ file, line: y.lineOf([...path, k]), message: `Unknown key '${k}' in ${what}${s ? ` (did you mean '${s}'?)` : ''}; it is ignored` });
      }
    }
  };
  warnKeys(data, TOP_KEYS, [], 'a properties file');
  const list = (v: unknown, path: (string | number)[]): Record<string, unknown>[] => {
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) throw new MflowError('YAML_SYNTAX', `'${path.join('.')}' must be a list (each entry starting with '- name: ...')`, { file, line: y.lineOf(path) });
    return v as Record<string, unknown>[];
  };
  const columnsOf = (cols: unknown, path: (string | number)[], onTests: (col: string, tests: unknown[], tpath: (string | number)[]) => void): Record<string, ColumnInfo> => {
    const res: Record<string, ColumnInfo> = {};
    list(cols, path).forEach((c, i) => {
      if (!c || typeof c !== 'object' || !c.name) throw new MflowError('YAML_SYNTAX', 'Each column needs a name', { file, line: y.lineOf([...path, i]) });
      warnKeys(c, COLUMN_KEYS, [...path, i], `column '${c.name}'`);
      const name = String(c.name);
      res[name] = { name, description: String(c.description ?? ''), data_type: (c.data_type as string) ?? null, meta: (c.meta as Record<string, unknown>) ?? {}, tags: (c.tags as string[]) ?? [], constraints: constraintsOf(c.constraints, [...path, i, 'constraints']) };
      const tk = c.data_tests !== undefined ? 'data_tests' : 'tests';
      onTests(name, list(c[tk], [...path, i, tk]), [...path, i, tk]);
    });
    return res;
  };
  const CONSTRAINT_TYPES = ['not_null', 'primary_key', 'unique', 'check', 'foreign_key', 'custom'];
  const constraintsOf = (v: unknown, path: (string | number)[]): Constraint[] =>
    list(v, path).map((c, i) => {
      if (!c || typeof c !== 'object' || !CONSTRAINT_TYPES.includes(String(c.type))) {
        throw new MflowError('YAML_SYNTAX', `A constraint needs a type: one of ${CONSTRAINT_TYPES.join(', ')}`, { file, line: y.lineOf([...path, i]), hint: 'constraints: [{type: not_null}, {type: check, expression: "id > 0"}]' });
      }
      const out = { ...c, type: String(c.type) } as unknown as Constraint;
      if (c.to_columns !== undefined) out.to_columns = (c.to_columns as unknown[]).map(String);
      if (c.columns !== undefined) out.columns = (c.columns as unknown[]).map(String);
      return out;
    });
  const testsOf = (entries: unknown[], tpath: (string | number)[], columnName: string | null, target: TestDef['target']) => {
    entries.forEach((t, i) => out.tests.push(toTestDef(t, columnName, target, file, y.lineOf([...tpath, i]))));
  };

  for (const kind of ['models', 'seeds', 'snapshots', 'analyses'] as const) {
    list(data[kind], [kind]).forEach((m, i) => {
      const path = [kind, i];
      if (!m || typeof m !== 'object' || !m.name) throw new MflowError('YAML_SYNTAX', `Each entry of '${kind}' needs a name`, { file, line: y.lineOf(path) });
      warnKeys(m, NODE_KEYS, path, `${kind.slice(0, -1)} '${m.name}'`);
      const name = String(m.name);
      const cfg = (m.config as Record<string, unknown>) ?? {};
      checkConfigKeys(cfg, { file, line: y.lineOf([...path, 'config']) }, warnings);
      const targetKind = kind === 'models' || kind === 'analyses' ? 'model' : kind === 'seeds' ? 'seed' : 'snapshot';
      const target = { kind: targetKind, name } as TestDef['target'];
      const versions = kind === 'models' ? versionsOf(m.versions) : undefined;
      // Tests on a versioned model apply to every version (a column test to every version that has the column), as in dbt.
      const columnTests: { col: string; tests: unknown[]; tpath: (string | number)[] }[] = [];
      const columns = columnsOf(m.columns, [...path, 'columns'], (col, tests, tpath) => (versions ? columnTests.push({ col, tests, tpath }) : testsOf(tests, tpath, col, target)));
      const tk = m.data_tests !== undefined ? 'data_tests' : 'tests';
      const modelTests = list(m[tk], [...path, tk]);
      if (!versions) testsOf(modelTests, [...path, tk], null, target);
      else {
        versions.forEach((ver, vi) => {
          const vpath = [...path, 'versions', vi];
          const vraw = (m.versions as Record<string, unknown>[])[vi];
          const vtarget = { kind: 'model', name, version: ver.v } as TestDef['target'];
          const own = columnsOf(vraw.columns ? (vraw.columns as unknown[]).filter((c) => !(c && typeof c === 'object' && 'include' in c)) : undefined, [...vpath, 'columns'], (col, tests, tpath) => testsOf(tests, tpath, col, vtarget));
          ver.columns = versionColumns(columns, vraw.columns, own);
          testsOf(modelTests, [...path, tk], null, vtarget);
          const vtk = vraw.data_tests !== undefined ? 'data_tests' : 'tests';
          testsOf(list(vraw[vtk], [...vpath, vtk]), [...vpath, vtk], null, vtarget);
          for (const ct of columnTests) if (ct.col in ver.columns && !(ct.col in own)) testsOf(ct.tests, ct.tpath, ct.col, vtarget);
        });
      }
      out.patches.push({
        kind,
        name,
        file,
        line: y.lineOf(path),
        description: String(m.description ?? ''),
        config: cfg,
        columns,
        meta: (m.meta as Record<string, unknown>) ?? {},
        tags: (m.tags as string[]) ?? [],
        docs: m.docs as Record<string, unknown> | undefined,
        latestVersion: (m.latest_version as string | number | undefined) ?? null,
        versions,
        relation: m.relation as string | undefined,
        constraints: constraintsOf(m.constraints, [...path, 'constraints']),
        access: (m.access as string | undefined) ?? undefined,
        group: (m.group as string | undefined) ?? undefined,
      });
    });
  }

  list(data.sources, ['sources']).forEach((s, i) => {
    const spath = ['sources', i];
    if (!s || typeof s !== 'object' || !s.name) throw new MflowError('YAML_SYNTAX', 'Each source needs a name', { file, line: y.lineOf(spath) });
    warnKeys(s, SOURCE_KEYS, spath, `source '${s.name}'`);
    const sourceName = String(s.name);
    list(s.tables, [...spath, 'tables']).forEach((t, j) => {
      const tpath = [...spath, 'tables', j];
      if (!t || typeof t !== 'object' || !t.name) throw new MflowError('YAML_SYNTAX', `Each table of source '${sourceName}' needs a name`, { file, line: y.lineOf(tpath) });
      warnKeys(t, TABLE_KEYS, tpath, `source table '${sourceName}.${t.name}'`);
      const tableName = String(t.name);
      const target = { kind: 'source', source: sourceName, table: tableName } as const;
      const columns = columnsOf(t.columns, [...tpath, 'columns'], (col, tests, p) => testsOf(tests, p, col, target));
      const tk = t.data_tests !== undefined ? 'data_tests' : 'tests';
      testsOf(list(t[tk], [...tpath, tk]), [...tpath, tk], null, target);
      const freshness = mergeFreshness(s.freshness as FreshnessRule | null | undefined, t.freshness as FreshnessRule | null | undefined);
      const quoting = { ...((s.quoting as object) ?? {}), ...((t.quoting as object) ?? {}) };
      const tableCfg = (t.config as Record<string, unknown>) ?? {};
      const srcCfg = (s.config as Record<string, unknown>) ?? {};
      out.sources.push({
        unique_id: `source.${projectName}.${sourceName}.${tableName}`,
        resource_type: 'source',
        source_name: sourceName,
        name: tableName,
        package_name: projectName,
        path: file,
        original_file_path: file,
        fqn: [projectName, ...file.split('/').slice(1, -1), sourceName, tableName],
        database: (s.database as string) ?? null,
        schema: String(s.schema ?? sourceName ?? defaultSchema),
        identifier: String(t.identifier ?? tableName),
        relation_name: '',
        description: String(t.description ?? ''),
        source_description: String(s.description ?? ''),
        columns,
        meta: { ...((s.meta as object) ?? {}), ...((t.meta as object) ?? {}) },
        tags: [...new Set([...((s.tags as string[]) ?? []), ...((t.tags as string[]) ?? [])])],
        config: { enabled: (tableCfg.enabled ?? srcCfg.enabled ?? true) as boolean, ...srcCfg, ...tableCfg },
        loader: String(t.loader ?? s.loader ?? ''),
        loaded_at_field: (t.loaded_at_field ?? s.loaded_at_field ?? null) as string | null,
        freshness,
        quoting,
        external: (t.external as Record<string, unknown>) ?? null,
        declared_at: { file, line: y.lineOf(tpath) },
      });
    });
  });

  for (const kind of RESOURCE_KINDS) {
    list(data[kind], [kind]).forEach((r, i) => {
      if (!r || typeof r !== 'object' || !r.name) throw new MflowError('YAML_SYNTAX', `Each entry of '${kind}' needs a name`, { file, line: y.lineOf([kind, i]) });
      out.resources.push({ kind, name: String(r.name), file, line: y.lineOf([kind, i]), raw: r });
    });
  }

  list(data.macros, ['macros']).forEach((m, i) => {
    out.macros.push({ name: String(m.name), description: String(m.description ?? ''), arguments: (m.arguments as MacroPatch['arguments']) ?? [], file, line: y.lineOf(['macros', i]) });
  });

  list(data.unit_tests, ['unit_tests']).forEach((u, i) => {
    const path = ['unit_tests', i];
    if (!u?.name || !u.model) throw new MflowError('YAML_SYNTAX', 'Each unit test needs a name and a model', { file, line: y.lineOf(path), hint: 'unit_tests: [{ name: ..., model: ..., given: [...], expect: { rows: [...] } }]' });
    const given = list(u.given, [...path, 'given']).map((g, j) => ({ ...(g as object), line: y.lineOf([...path, 'given', j]) })) as UnitTestDef['given'];
    out.unitTests.push({
      name: String(u.name),
      model: String(u.model),
      file,
      line: y.lineOf(path),
      given,
      expect: { ...((u.expect as object) ?? {}), line: y.lineOf([...path, 'expect']) } as UnitTestDef['expect'],
      overrides: u.overrides as UnitTestDef['overrides'],
      config: (u.config as Record<string, unknown>) ?? {},
      description: String(u.description ?? ''),
    });
  });
  return out;
}

/** `versions: [{v: 2, config: {...}, defined_in: ..., columns: [{include: all, exclude: [x]}, {name: y}]}]`. */
function versionsOf(v: unknown): Patch['versions'] {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.length === 0) return undefined;
  return v.map((x: Record<string, unknown>) => ({ v: x.v as string | number, config: (x.config as Record<string, unknown>) ?? {}, defined_in: x.defined_in as string | undefined, columns: undefined }));
}

/** A version's columns: the model's (all, or `include`/`exclude`d), then its own declared ones. */
function versionColumns(top: Record<string, ColumnInfo>, raw: unknown, own: Record<string, ColumnInfo>): Record<string, ColumnInfo> {
  const rule = Array.isArray(raw) ? (raw.find((c) => c && typeof c === 'object' && 'include' in c) as { include?: unknown; exclude?: unknown } | undefined) : undefined;
  const include = rule?.include;
  const exclude = new Set(Array.isArray(rule?.exclude) ? rule.exclude.map(String) : []);
  const out: Record<string, ColumnInfo> = {};
  for (const [k, c] of Object.entries(top)) {
    const included = include === undefined || include === 'all' || include === '*' || (Array.isArray(include) && include.map(String).includes(k));
    if (included && !exclude.has(k)) out[k] = c;
  }
  return { ...out, ...own };
}

function mergeFreshness(a: FreshnessRule | null | undefined, b: FreshnessRule | null | undefined): FreshnessRule | null {
  if (b === null) return null;
  if (!a && !b) return null;
  return { ...(a ?? {}), ...(b ?? {}) };
}

/** `- unique`, `- accepted_values: {values: [...]}`, `- relationships: {arguments: {to: ..., field: ...}, config: {...}}`. */
function toTestDef(t: unknown, columnName: string | null, target: TestDef['target'], file: string, line: number): TestDef {
  if (typeof t === 'string') return { testName: t, args: {}, config: {}, columnName, file, line, target };
  if (!t || typeof t !== 'object' || Array.isArray(t) || Object.keys(t).length !== 1) {
    throw new MflowError('YAML_SYNTAX', 'A data test is a name (`- unique`) or a mapping with one key (`- accepted_values: {values: [...]}`)', { file, line });
  }
  const [testName, body] = Object.entries(t as Record<string, unknown>)[0];
  const b = (body ?? {}) as Record<string, unknown>;
  const config: Record<string, unknown> = { ...((b.config as object) ?? {}) };
  let args: Record<string, unknown> = {};
  let description: string | undefined;
  for (const [k, v] of Object.entries(b)) {
    if (k === 'config') continue;
    if (k === 'arguments') args = { ...args, ...(v as object) };
    else if (k === 'name') config.alias = config.alias ?? v;
    else if (k === 'description') description = String(v);
    else if (k === 'column_name') columnName = String(v);
    else if (TEST_CONFIG_KEYS.has(k)) config[k] = v;
    else args[k] = v;
  }
  return { testName, args, config, columnName, file, line, target, description };
}
