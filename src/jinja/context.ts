import type nunjucks from 'nunjucks';
import type { Column, Dialect, QueryResult, Relation } from '../contracts/adapter.js';
import type { ManifestMacro, NodeConfig, RefCall } from '../contracts/manifest.js';
import { MflowError, closest } from '../errors.js';
import { envVarLookup } from '../project/yaml-jinja.js';
import { toAgate } from './agate.js';
import { BUILTIN_MACROS, BUILTIN_MACROS_PATH, BUILTIN_TEST_MACROS } from './builtin-macros.js';
import { warehouseMacros } from '../adapters/index.js';
import { compileTemplate, createJinjaEnvironment, loadMacros, renderTemplate } from './environment.js';
import { makeModules } from './modules.js';
import { JinjaRelation } from './relation.js';
import { columnApi, columnFromWarehouse } from './column.js';
import { parseStatic, type StaticCall, type StaticTemplate } from './static-template.js';
import { findInertMacros } from './inert-macros.js';

function emptyGraph(): Record<string, Record<string, unknown>> {
  return { nodes: {}, sources: {}, exposures: {}, metrics: {}, groups: {}, semantic_models: {}, saved_queries: {}, unit_tests: {} };
}

/** One text per macro file, each macro padded to its own line so errors carry file lines. */
function macroFiles(ms: ManifestMacro[]): { path: string; source: string }[] {
  const byFile = new Map<string, ManifestMacro[]>();
  for (const m of ms) {
    if (!byFile.has(m.original_file_path)) byFile.set(m.original_file_path, []);
    byFile.get(m.original_file_path)!.push(m);
  }
  return [...byFile.entries()].map(([path, list]) => ({
    path,
    source: list
      .sort((a, b) => a.line - b.line)
      .reduce((acc, m) => acc + '\n'.repeat(Math.max(0, m.line - 1 - (acc.match(/\n/g)?.length ?? 0))) + m.macro_sql, ''),
  }));
}

/**
 * The dbt-compatible template context. Parse time and run time share the same names: at parse
 * time `ref()` records a dependency and returns a placeholder; at run time it resolves.
 *
 * Database calls from templates (`run_query`, `statement`, `adapter.get_columns_in_relation`)
 * are async while nunjucks renders synchronously. They suspend: on a cache miss the call throws a
 * request, the caller runs it and renders again with the answer cached. Rendering is
 * deterministic, so the replay is exact; logs are kept only from the final pass.
 */
export type Phase = 'parse' | 'compile' | 'execute';

/** What a render needs from the stage that runs it (parser, compiler, runner). */
export interface RenderHost {
  phase: Phase;
  resolveRef(call: RefCall): JinjaRelation;
  resolveSource(sourceName: string, tableName: string): JinjaRelation;
  isIncremental(): boolean;
  query?(sql: string): Promise<QueryResult>;
  getRelation?(database: string | null, schema: string, identifier: string): Promise<Relation | null>;
  getColumns?(rel: { database: string | null; schema: string; identifier: string }): Promise<Column[]>;
  log?(msg: string, info: boolean): void;
  warn?(msg: string): void;
  /** The caller only wants what the render records (parsing a node), not its text. */
  discardOutput?: boolean;
}

/** The node being rendered, as templates see it in `model`, `this` and `config`. */
export interface RenderNode {
  unique_id: string;
  name: string;
  resource_type: string;
  file: string;
  /** First line of the template in its file (macros in the middle of a file). */
  line?: number;
  config: NodeConfig;
  thisRelation: JinjaRelation | null;
  model: Record<string, unknown>;
  /** Extra context values: `sql` for materializations, test kwargs, ... */
  extra?: Record<string, unknown>;
  /** The package the node belongs to (unqualified macro calls look there first). */
  package?: string;
}

/** What parsing records from a render. */
export interface Recorded {
  refs: RefCall[];
  sources: [string, string][];
  config: Record<string, unknown>;
  macros: Set<string>;
}

interface Suspend {
  __mflowSuspend: true;
  key: string;
  run: () => Promise<unknown>;
}

interface RenderState {
  node: RenderNode;
  host: RenderHost;
  recorded: Recorded;
  cache: Map<string, unknown>;
  seq: number;
  logs: { msg: string; info: boolean }[];
  results: Map<string, unknown>;
}

export interface RuntimeOptions {
  projectName: string;
  dialect: Dialect;
  target: Record<string, unknown> & { name: string; type: string; schema: string; database?: string | null };
  vars: Record<string, unknown>;
  env?: NodeJS.ProcessEnv;
  macros: ManifestMacro[];
  docs?: Record<string, string>;
  invocationId: string;
  flags?: Record<string, unknown>;
  now?: () => Date;
  /** `dispatch:` from the root project file. */
  dispatch?: { macro_namespace: string; search_order: string[] }[];
}

export class JinjaRuntime {
  readonly env: nunjucks.Environment;
  private state: RenderState | null = null;
  private readonly macroFns: Record<string, (...a: unknown[]) => unknown> = {};
  private readonly templates = new Map<string, nunjucks.Template>();
  private readonly statics = new Map<string, StaticTemplate | null>();
  private readonly macroSources: string[];
  private inert?: Map<string, string[]>;
  /** Output of inert macro calls by name and literal arguments (see inert-macros.ts). */
  private readonly inertOutput = new Map<string, string>();
  readonly dialect: Dialect;
  readonly runStartedAt: Date;

  /** Macros by package: `dbt` (the built-ins), the root project and each installed package. */
  private readonly namespaces = new Map<string, Record<string, (...a: unknown[]) => unknown>>();

  constructor(readonly opts: RuntimeOptions) {
    this.env = createJinjaEnvironment();
    this.dialect = opts.dialect;
    this.runStartedAt = (opts.now ?? (() => new Date()))();
    this.installGlobals();
    const builtin = loadMacros(this.env, [{ path: BUILTIN_MACROS_PATH, source: BUILTIN_MACROS + warehouseMacros() + BUILTIN_TEST_MACROS }], {});
    Object.assign(this.macroFns, builtin);
    this.namespaces.set('dbt', this.track('dbt', builtin));
    const root = opts.projectName;
    const byPackage = new Map<string, ManifestMacro[]>();
    for (const m of opts.macros) {
      const pkg = m.package_name ?? root;
      if (!byPackage.has(pkg)) byPackage.set(pkg, []);
      byPackage.get(pkg)!.push(m);
    }
    this.macroSources = [BUILTIN_MACROS + warehouseMacros() + BUILTIN_TEST_MACROS];
    // Packages first, the root project last: its macros override built-ins of the same name
    // everywhere; a package's macros are reached as `package.macro()`, and unqualified only from
    // inside that package (and, leniently, where no other macro has the name).
    const order = [...[...byPackage.keys()].filter((k) => k !== root).sort(), ...(byPackage.has(root) ? [root] : [])];
    for (const pkg of order) {
      const files = macroFiles(byPackage.get(pkg)!);
      const local: Record<string, (...a: unknown[]) => unknown> = {};
      const fns = loadMacros(this.env, files, { __mflowLocal: local });
      Object.assign(local, this.track(pkg, fns));
      this.namespaces.set(pkg, local);
      if (pkg === root) Object.assign(this.macroFns, fns);
      this.macroSources.push(...files.map((f) => f.source));
    }
    if (!this.namespaces.has(root)) this.namespaces.set(root, {});
    for (const [name, fn] of Object.entries(this.macroFns)) this.env.addGlobal(name, this.trackMacro(name, fn));
    for (const [pkg, ns] of this.namespaces) if (!(pkg in this.macroFns)) this.env.addGlobal(pkg, ns);
  }

  private track(pkg: string, fns: Record<string, (...a: unknown[]) => unknown>): Record<string, (...a: unknown[]) => unknown> {
    const out: Record<string, (...a: unknown[]) => unknown> = {};
    for (const [name, fn] of Object.entries(fns)) out[name] = this.trackMacro(`${pkg}.${name}`, fn);
    return out;
  }

  /** The macro `name` as a node of `pkg` sees it unqualified: its package, the root project, the built-ins, then any package. */
  private flatMacro(name: string, pkg: string | undefined): ((...a: unknown[]) => unknown) | undefined {
    const own = pkg ? this.namespaces.get(pkg)?.[name] : undefined;
    if (own) return own;
    const g = this.globals[name];
    if (typeof g === 'function' && this.macroFns[name]) return g as (...a: unknown[]) => unknown;
    for (const [p, ns] of this.namespaces) if (p !== 'dbt' && ns[name]) return ns[name];
    return undefined;
  }

  /** A macro by name, optionally in a package (`dbt_utils`, `dbt`, the root project's name). */
  findMacro(name: string, pkg?: string | null): ((...a: unknown[]) => unknown) | undefined {
    if (pkg) return this.namespaces.get(pkg)?.[name];
    return this.flatMacro(name, undefined);
  }

  /**
   * A unit test's `overrides.macros` entry on this runtime: `name` replaces the global macro,
   * `package.name` the macro in that package's namespace only (as dbt-core's unit-test context
   * does), so package macros calling `package.name()` or `name()` get the override. As in dbt,
   * `dbt.name` also replaces the global `name`, and a global override of a built-in replaces `dbt.name`.
   */
  overrideMacro(name: string, fn: (...a: unknown[]) => unknown): void {
    const dot = name.indexOf('.');
    const pkg = dot > 0 ? name.slice(0, dot) : null;
    const short = dot > 0 ? name.slice(dot + 1) : name;
    const ns = pkg ? this.namespaces.get(pkg) : undefined;
    if (ns && short in ns) ns[short] = fn;
    if (!pkg || pkg === 'dbt') {
      this.globals[short] = fn;
      const builtins = this.namespaces.get('dbt')!;
      if (short in builtins) builtins[short] = fn;
    }
  }

  /** `graph` as dbt fills it at execution time: nodes, sources, exposures, metrics, groups, ... */
  setGraph(graph: { nodes: Record<string, unknown>; sources: Record<string, unknown> } & Record<string, unknown>): void {
    this.globals.graph = { ...emptyGraph(), ...graph };
  }

  /** A config value from a project file, rendered with target, var and env_var (no node). */
  renderConfigValue(text: string, file: string): string {
    return renderTemplate(this.env, this.template(`cfg\0${text}`, text, file), {}, file);
  }

  /** Installed package names (not `dbt`, not the root project). */
  packageNames(): string[] {
    return [...this.namespaces.keys()].filter((k) => k !== 'dbt' && k !== this.opts.projectName);
  }

  /** `adapter.dispatch` search order for a namespace, as dbt: dispatch config, else [root, package], else unqualified. */
  private dispatchOrder(namespace: string | null): (string | null)[] {
    if (!namespace) return [null];
    const cfg = this.opts.dispatch?.find((d) => d.macro_namespace === namespace);
    if (cfg) return cfg.search_order;
    if (namespace !== 'dbt' && namespace !== this.opts.projectName && this.namespaces.has(namespace)) return [this.opts.projectName, namespace];
    return [null];
  }

  /** Macro call tracking: `depends_on.macros` at parse time. */
  private trackMacro(name: string, fn: (...a: unknown[]) => unknown) {
    return (...args: unknown[]) => {
      this.state?.recorded.macros.add(name);
      return fn(...args);
    };
  }

  /** nunjucks keeps globals on the environment; its typings do not show them. */
  get globals(): Record<string, unknown> {
    return (this.env as unknown as { globals: Record<string, unknown> }).globals;
  }

  hasMacro(name: string, pkg?: string | null): boolean {
    return pkg ? Boolean(this.namespaces.get(pkg)?.[name]) : name in this.macroFns || this.packageNames().some((p) => this.namespaces.get(p)![name]);
  }

  private get s(): RenderState {
    if (!this.state) throw new MflowError('INTERNAL', 'template context used outside a render');
    return this.state;
  }

  private fail(message: string, hint?: string, code = 'COMPILER_ERROR'): never {
    const n = this.state?.node;
    throw new MflowError(code, message, { file: n?.file, node: n?.unique_id, hint });
  }

  /** Async work requested by a template; see the class comment. */
  private suspendable<T>(key: string, run: () => Promise<T>): T {
    const s = this.s;
    const k = `${s.seq++}:${key}`;
    if (s.cache.has(k)) return s.cache.get(k) as T;
    const e: Suspend = { __mflowSuspend: true, key: k, run };
    throw e;
  }

  private installGlobals(): void {
    const g = this.globals as Record<string, unknown>;
    const self = this;
    const kw = (args: unknown[]): Record<string, unknown> => {
      const last = args[args.length - 1] as Record<string, unknown> | undefined;
      if (last && typeof last === 'object' && (last as { __keywords?: boolean }).__keywords) {
        args.pop();
        const { __keywords, ...rest } = last;
        return rest;
      }
      return {};
    };

    const ref = (...args: unknown[]) => {
      const k = kw(args);
      const version = (k.version ?? k.v ?? null) as string | number | null;
      if (args.length < 1 || args.length > 2) this.fail('ref() takes a model name and optionally a package name first');
      const call: RefCall = args.length === 2 ? { package: String(args[0]), name: String(args[1]), version } : { name: String(args[0]), version, package: null };
      if (self.s.host.phase === 'parse') {
        self.s.recorded.refs.push(call);
      }
      return self.s.host.resolveRef(call);
    };
    g.ref = ref;
    g.source = (sourceName: string, tableName: string) => {
      if (typeof sourceName !== 'string' || typeof tableName !== 'string') this.fail("source() takes two names: source('raw', 'table')");
      if (self.s.host.phase === 'parse') self.s.recorded.sources.push([sourceName, tableName]);
      return self.s.host.resolveSource(sourceName, tableName);
    };

    const config = (...args: unknown[]) => {
      const k = kw(args);
      const obj = (args[0] && typeof args[0] === 'object' ? args[0] : {}) as Record<string, unknown>;
      const all = { ...obj, ...k };
      if (self.s.host.phase === 'parse') {
        const rec = self.s.recorded.config;
        for (const [key, v] of Object.entries(all)) {
          const nk = key === 'pre-hook' ? 'pre_hook' : key === 'post-hook' ? 'post_hook' : key;
          if ((nk === 'tags' || nk === 'pre_hook' || nk === 'post_hook') && rec[nk] !== undefined) {
            rec[nk] = [...toList(rec[nk]), ...toList(v)];
          } else rec[nk] = v;
        }
      }
      return '';
    };
    (config as unknown as Record<string, unknown>).get = (key: string, dflt?: unknown) => {
      const c = self.s.node.config as Record<string, unknown>;
      const rec = self.s.recorded.config;
      const v = key in rec ? rec[key] : c[key];
      return v === undefined || v === null ? (dflt === undefined ? null : dflt) : v;
    };
    (config as unknown as Record<string, unknown>).require = (key: string) => {
      const v = (config as unknown as { get(k: string): unknown }).get(key);
      if (v === null) this.fail(`Config '${key}' is required for ${self.s.node.name} but not set`, `Set it with {{ config(${key}=...) }} or in a properties file.`);
      return v;
    };
    g.config = config;

    Object.defineProperty(g, 'this', { get: () => self.state?.node.thisRelation ?? null, enumerable: true, configurable: true });
    Object.defineProperty(g, 'model', { get: () => self.state?.node.model ?? null, enumerable: true, configurable: true });
    Object.defineProperty(g, 'execute', { get: () => self.state?.host.phase !== 'parse', enumerable: true, configurable: true });
    for (const key of ['sql', 'compiled_code', 'column_name', 'pre_hooks', 'post_hooks', 'sql_header']) {
      Object.defineProperty(g, key, { get: () => self.state?.node.extra?.[key], enumerable: true, configurable: true });
    }
    g.is_incremental = () => (self.s.host.phase === 'parse' ? false : self.s.host.isIncremental());
    g.should_full_refresh = () => Boolean(this.opts.flags?.FULL_REFRESH) || self.s.node.config.full_refresh === true;

    g.var = (name: string, dflt?: unknown) => {
      const vars = { ...this.opts.vars, ...((self.state?.node.extra?.__vars as Record<string, unknown>) ?? {}) };
      if (name in vars) return vars[name];
      if (dflt !== undefined) return dflt;
      // dbt is lenient with disabled nodes: a var they miss is None while parsing, never an error.
      if (self.state?.host.phase === 'parse' && (self.state.node.config.enabled === false || self.state.recorded.config.enabled === false)) return null;
      this.fail(`Required var '${name}' not found in config`, `Define it under 'vars:' in project.yml, or pass --vars '{${name}: ...}'.`, 'MISSING_VAR');
    };
    g.env_var = (name: string, dflt?: unknown) => {
      const envs = { ...(this.opts.env ?? process.env), ...((self.state?.node.extra?.__env as Record<string, string>) ?? {}) };
      return envVarLookup(envs, name, dflt, { file: self.state?.node.file });
    };
    const target = { ...this.opts.target, profile_name: this.opts.projectName, target_name: this.opts.target.name };
    g.target = target;
    g.project_name = this.opts.projectName;
    // Filled by the parser once the manifest exists (see setGraph); empty while parsing, as in dbt.
    g.graph = emptyGraph();
    g.selected_resources = [];
    g.invocation_id = this.opts.invocationId;
    // Aware UTC, as dbt's run_started_at (pytz.utc).
    g.run_started_at = makeModules(() => this.runStartedAt).datetime.datetime.now(makeModules(() => this.runStartedAt).pytz.utc);
    g.flags = { FULL_REFRESH: false, STORE_FAILURES: false, WHICH: 'run', ...(this.opts.flags ?? {}) };
    g.database = this.opts.target.database ?? null;
    g.schema = this.opts.target.schema;
    g.modules = makeModules(this.opts.now ?? (() => new Date()));
    g.local_md5 = (s: string) => md5(s);
    g.fromjson = (s: string, dflt?: unknown) => {
      try {
        return JSON.parse(s);
      } catch {
        return dflt ?? null;
      }
    };
    g.tojson = (v: unknown) => JSON.stringify(v);
    g.zip = (...arrs: unknown[][]) => arrs[0].map((_, i) => arrs.map((a) => a[i]));
    // Python's set has no order, so two sets compare equal whatever order their items came in:
    // kept sorted, mflow's list stand-in compares the same way (dbt_utils.equality compares column sets).
    g.set = (xs: unknown[]) => [...new Set(xs ?? [])].sort((a, b) => (typeof a === typeof b ? (String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0) : typeof a < typeof b ? -1 : 1));
    g.doc = (name: string) => {
      const d = this.opts.docs?.[name];
      if (d === undefined) this.fail(`Documentation block '${name}' not found`, closest(name, Object.keys(this.opts.docs ?? {})) ? `Did you mean '${closest(name, Object.keys(this.opts.docs ?? {}))}'?` : 'Define it with {% docs name %}...{% enddocs %} in a .md file.');
      return d;
    };
    g.log = (msg: unknown, info?: unknown) => {
      self.state?.logs.push({ msg: String(msg), info: Boolean(info && typeof info === 'object' ? (info as { info?: boolean }).info : info) });
      return '';
    };
    g.print = (msg: unknown) => {
      self.state?.logs.push({ msg: String(msg), info: true });
      return '';
    };
    g.exceptions = {
      raise_compiler_error: (msg: string) => this.fail(String(msg)),
      raise_not_implemented: (msg: string) => this.fail(`Not implemented: ${msg}`),
      warn: (msg: string) => {
        self.state?.logs.push({ msg: `WARNING: ${msg}`, info: true });
        return '';
      },
    };

    g.run_query = (sql: unknown) => {
      if (self.s.host.phase === 'parse') return null;
      const text = String(sql);
      const host = self.s.host;
      return this.suspendable(`q:${text}`, async () => toAgate(await this.hostQuery(host, text)));
    };
    g.statement = (...args: unknown[]) => {
      const k = kw(args);
      const name = String(args[0] ?? k.name ?? 'statement');
      const caller = k.caller as (() => unknown) | undefined;
      const sql = caller ? String(caller()) : '';
      if (self.s.host.phase === 'parse') return '';
      const fetch = Boolean(k.fetch_result);
      const host = self.s.host;
      const res = this.suspendable(`s:${sql}`, async () => {
        const r = await this.hostQuery(host, sql);
        return { response: { rows_affected: r.rowsAffected ?? 0, code: 'OK', _message: 'OK' }, table: fetch ? toAgate(r) : null, data: fetch ? toAgate(r).rows : [] };
      });
      self.s.results.set(name, res);
      return '';
    };
    g.load_result = (name: string) => self.state?.results.get(name) ?? null;
    g.store_result = (name: string, response: unknown, table?: unknown) => {
      self.state?.results.set(name, { response, table, data: table });
      return '';
    };

    const adapterObj = {
      type: () => this.dialect.type,
      quote: (s: string) => this.dialect.quote(s),
      dispatch: (...raw: unknown[]) => {
        const [name, namespace] = named(raw, ['macro_name', 'macro_namespace']) as [string, string | null | undefined];
        if (String(name).includes('.')) this.fail(`In adapter.dispatch, got a macro name of "${name}", but "." is not a valid macro name component`, `Did you mean adapter.dispatch("${String(name).split('.').slice(1).join('.')}", macro_namespace="${String(name).split('.')[0]}")?`);
        const attempts: string[] = [];
        const pkgOfNode = self.state?.node.package;
        for (const pkg of this.dispatchOrder(namespace ?? null)) {
          for (const prefix of [this.dialect.type, 'default']) {
            const search = `${prefix}__${name}`;
            const fn = pkg === null ? this.flatMacro(search, pkgOfNode) : this.namespaces.get(pkg)?.[search];
            attempts.push(pkg === null ? search : `${pkg}.${search}`);
            if (fn) return fn;
          }
        }
        this.fail(`In dispatch: No macro named '${name}' found within namespace: '${namespace ?? 'None'}'. Searched for: ${attempts.map((a) => `'${a}'`).join(', ')}`, `Define {% macro default__${name}(...) %} in a macro file, or install the package that has it (mflow deps).`);
      },
      get_relation: (...raw: unknown[]) => {
        const [database, schema, identifier] = named(raw, ['database', 'schema', 'identifier']) as [string | null, string, string];
        const host = self.s.host;
        if (host.phase === 'parse' || !host.getRelation) return null;
        const rel = this.suspendable(`r:${database}.${schema}.${identifier}`, () => host.getRelation!(database ?? null, schema, identifier));
        return rel ? new JinjaRelation(this.dialect, rel.database, rel.schema, rel.identifier, rel.type) : null;
      },
      get_columns_in_relation: (...raw: unknown[]) => {
        const [rel] = named(raw, ['relation']) as [JinjaRelation];
        const host = self.s.host;
        if (host.phase === 'parse' || !host.getColumns || !rel) return [];
        const cols = this.suspendable(`c:${String(rel)}`, () => host.getColumns!({ database: rel.database, schema: rel.schema ?? '', identifier: rel.identifier }));
        return cols.map((c) => columnFromWarehouse(c.name, c.dataType, this.dialect.quote('x').slice(0, 1)));
      },
      // dbt's adapter.drop_relation (a seed's post-hook in dbt_utils' integration tests uses it).
      drop_relation: (...raw: unknown[]) => {
        const [rel] = named(raw, ['relation']) as [JinjaRelation];
        const host = self.s.host;
        if (host.phase === 'parse' || !host.query || !rel) return '';
        const kind = rel.type === 'view' ? 'view' : 'table';
        this.suspendable(`drop:${String(rel)}`, () => host.query!(`drop ${kind} if exists ${String(rel)}`));
        return '';
      },
      check_schema_exists: (database: string | null, schema: string) => {
        void database;
        const host = self.s.host;
        if (host.phase === 'parse' || !host.query) return false;
        const r = this.suspendable(`sch:${schema}`, () => host.query!(`select 1 from information_schema.schemata where lower(schema_name) = lower(${this.dialect.literal(schema)})`));
        return r.rows.length > 0;
      },
    };
    g.adapter = adapterObj;
    g.api = {
      Column: columnApi,
      Relation: {
        create: (...args: unknown[]) => {
          const k = kw(args);
          return new JinjaRelation(this.dialect, (k.database as string) ?? null, (k.schema as string) ?? null, String(k.identifier ?? ''), (k.type as 'table') ?? null);
        },
      },
    };
  }

  private async hostQuery(host: RenderHost, sql: string): Promise<QueryResult> {
    if (!host.query) throw new MflowError('COMPILER_ERROR', 'run_query() needs a database connection here');
    return host.query(sql);
  }

  private template(key: string, source: string, path: string): nunjucks.Template {
    const cached = this.templates.get(key);
    if (cached) return cached;
    const t = compileTemplate(this.env, source, path);
    this.templates.set(key, t);
    return t;
  }

  /** Calls a macro directly (generate_schema_name, test macros): no template is compiled. */
  callMacro(name: string, args: unknown[], node: RenderNode, host: RenderHost): unknown {
    const fn = this.globals[name];
    if (typeof fn !== 'function') {
      const s = closest(name, Object.keys(this.macroFns));
      throw new MflowError('COMPILER_ERROR', `Macro '${name}' not found`, { file: node.file, node: node.unique_id, hint: s ? `Did you mean '${s}'?` : undefined });
    }
    const prev = this.state;
    this.state = { node, host, recorded: { refs: [], sources: [], config: {}, macros: new Set() }, cache: new Map(), seq: 0, logs: [], results: new Map() };
    try {
      return (fn as (...a: unknown[]) => unknown)(...args);
    } finally {
      this.state = prev;
    }
  }

  /** Renders a node's SQL (or any template) for the given host, replaying async calls. */
  async render(source: string, node: RenderNode, host: RenderHost, cacheKey?: string): Promise<{ sql: string; recorded: Recorded; logs: { msg: string; info: boolean }[] }> {
    const cache = new Map<string, unknown>();
    const results = new Map<string, unknown>();
    for (let attempt = 0; attempt < 500; attempt++) {
      const recorded: Recorded = { refs: [], sources: [], config: {}, macros: new Set() };
      this.state = { node, host, recorded, cache, seq: 0, logs: [], results };
      try {
        const sql = this.renderSync(source, node, cacheKey);
        const logs = this.state.logs;
        for (const l of logs) host.log?.(l.msg, l.info);
        return { sql, recorded, logs };
      } catch (e) {
        if (e && typeof e === 'object' && (e as Suspend).__mflowSuspend) {
          const sp = e as Suspend;
          this.state = null;
          cache.set(sp.key, await sp.run());
          continue;
        }
        throw e;
      } finally {
        this.state = null;
      }
    }
    throw new MflowError('JINJA_RUNTIME', 'template made more than 500 database calls while rendering', { file: node.file, node: node.unique_id });
  }

  private renderSync(source: string, node: RenderNode, cacheKey?: string): string {
    const key = cacheKey ?? node.file + '\0' + source;
    // Keyed by the text: parse time and run time share one scan of each template.
    let st = this.statics.get(source);
    if (st === undefined) {
      st = parseStatic(source);
      this.statics.set(source, st);
    }
    if (st) return this.renderStatic(source, st, node, this.state?.host.discardOutput === true);
    const ctx = node.extra ? { ...node.extra } : {};
    // A template that starts inside a file (a snapshot block) is padded so errors carry file lines.
    const pad = node.line && node.line > 1 ? node.line - 1 : 0;
    const out = renderTemplate(this.env, this.template(key, '\n'.repeat(pad) + source, node.file), ctx, node.file);
    return out.slice(pad);
  }

  /** Inert macros (their closure of callees), found on first use. */
  private inertMacros(): Map<string, string[]> {
    if (!this.inert) this.inert = findInertMacros(this.macroSources, new Set([...Object.keys(this.macroFns), ...[...this.namespaces.values()].flatMap((ns) => Object.keys(ns))])).inert;
    return this.inert;
  }

  /**
   * The fast path: calls are made directly, no template is compiled. An inert macro's output is
   * computed once per distinct arguments; with `discard` (parsing, where only the recorded refs,
   * sources and config matter) it is not computed at all.
   */
  private renderStatic(source: string, st: StaticTemplate, node: RenderNode, discard: boolean): string {
    // Parts joined once: a flat string, where `+=` builds a rope that every later reader (the
    // manifest's JSON.stringify, the file writer) has to flatten again.
    const out: string[] = [];
    let pos = 0;
    const g = this.globals;
    for (const c of st.calls) {
      if (!discard) out.push(source.slice(pos, c.start));
      pos = c.end;
      const fn = g[c.fn];
      if (typeof fn !== 'function') {
        if (node.extra && typeof node.extra[c.fn] === 'function') {
          out.push(printValue((node.extra[c.fn] as (...a: unknown[]) => unknown)(...callArgs(c))));
          continue;
        }
        const line = source.slice(0, c.start).split('\n').length + (node.line ? node.line - 1 : 0);
        const s = closest(c.fn, Object.keys(this.macroFns));
        throw new MflowError('JINJA_RUNTIME', `'${c.fn}' is undefined: no macro or function of that name`, {
          file: node.file,
          line,
          node: node.unique_id,
          hint: s ? `Did you mean '${s}'?` : 'Define it in a macro file under macro-paths.',
        });
      }
      try {
        const closure = this.macroFns[c.fn] ? this.inertMacros().get(c.fn) : undefined;
        if (closure) {
          const rec = this.state?.recorded.macros;
          if (rec) for (const m of closure) rec.add(m);
          if (discard) continue;
          const key = `${c.fn}\0${JSON.stringify(c.args)}\0${JSON.stringify(c.kwargs)}`;
          let v = this.inertOutput.get(key);
          if (v === undefined) {
            v = printValue((fn as (...a: unknown[]) => unknown)(...callArgs(c)));
            this.inertOutput.set(key, v);
          }
          out.push(v);
          continue;
        }
        const v = (fn as (...a: unknown[]) => unknown)(...callArgs(c));
        if (!discard) out.push(printValue(v));
      } catch (e) {
        if (e instanceof MflowError && !e.line) {
          e.file = e.file ?? node.file;
          e.line = source.slice(0, c.start).split('\n').length + (node.line ? node.line - 1 : 0);
        }
        throw e;
      }
    }
    if (discard) return '';
    out.push(source.slice(pos));
    return out.join('');
  }
}

/** Positional and keyword arguments of a call from a template, in the order of `names`. */
function named(args: unknown[], names: string[]): unknown[] {
  const last = args[args.length - 1] as Record<string, unknown> | undefined;
  const kw = last && typeof last === 'object' && (last as { __keywords?: boolean }).__keywords ? (args.pop() as Record<string, unknown>) : {};
  return names.map((n, i) => (i < args.length ? args[i] : kw[n]));
}

/** A static call's arguments as the callee receives them (see StaticCall.mutable). */
function callArgs(c: StaticCall): unknown[] {
  return c.mutable ? withKw(c.args.map(copyLiteral), copyLiteral(c.kwargs) as Record<string, unknown>) : withKw(c.args, c.kwargs);
}

/** A fresh copy of a literal (lists and dicts of literals): cheaper than structuredClone here. */
function copyLiteral(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(copyLiteral);
  if (v === null || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const k in v) out[k] = copyLiteral((v as Record<string, unknown>)[k]);
  return out;
}

function withKw(args: unknown[], kwargs: Record<string, unknown>): unknown[] {
  for (const _ in kwargs) return [...args, { ...kwargs, __keywords: true }];
  return args;
}

function printValue(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (Array.isArray(v)) return `[${v.map((x) => (typeof x === 'string' ? `'${x}'` : printValue(x))).join(', ')}]`;
  return String(v);
}

function toList(v: unknown): unknown[] {
  return v === undefined || v === null ? [] : Array.isArray(v) ? v : [v];
}

import { createHash } from 'node:crypto';
function md5(s: string): string {
  return createHash('md5').update(s).digest('hex');
}
