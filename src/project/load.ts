import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { MflowError, closest } from '../errors.js';
import { MASK, redactDeep } from './secrets.js';
import { validateTarget } from './validate-target.js';
import { parseYaml } from '../util/yaml.js';
import { findWarehouse, warehouseTypes } from '../adapters/index.js';
import { PROJECT_KEYS, SECRET_KEY_PATTERN } from './config-keys.js';
import type { ProjectConfig, ResolvedTarget, Warning } from './types.js';
import { renderYamlValues } from './yaml-jinja.js';

export interface LoadOptions {
  projectDir?: string;
  profilesDir?: string;
  target?: string;
  /** `--vars` from the CLI, already parsed; they win over project vars. */
  vars?: Record<string, unknown>;
  env?: NodeJS.ProcessEnv;
}

export interface LoadedProject {
  config: ProjectConfig;
  target: ResolvedTarget;
  warnings: Warning[];
}

const asList = (v: unknown, dflt: string[]): string[] => (v === undefined || v === null ? dflt : Array.isArray(v) ? v.map(String) : [String(v)]);
const asHooks = (v: unknown): string[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);

/** Reads `project.yml` (mflow) or `dbt_project.yml` (dbt), and the target to run against. */
export function loadProject(opts: LoadOptions = {}): LoadedProject {
  const env = opts.env ?? process.env;
  const { config, raw, warnings } = readProjectConfig(resolve(opts.projectDir ?? '.'), opts.vars ?? {}, env);
  const target = resolveTarget(config, raw, config.lineOf, opts, env, warnings);
  return { config, target, warnings };
}

/**
 * The project file alone, without a target: the root project, and each installed package (whose
 * `vars` the root project's vars override, as in dbt).
 */
export function readProjectConfig(root: string, cliVars: Record<string, unknown>, env: NodeJS.ProcessEnv, inheritedVars: Record<string, unknown> = {}): { config: ProjectConfig; raw: Record<string, unknown>; warnings: Warning[] } {
  const file = ['project.yml', 'dbt_project.yml'].find((f) => existsSync(join(root, f)));
  if (!file) {
    throw new MflowError('PROJECT_NOT_FOUND', `No project.yml or dbt_project.yml in ${root}`, {
      file: join(root, 'project.yml'),
      hint: 'Run mflow from the project folder, or pass --project-dir PATH.',
    });
  }
  const warnings: Warning[] = [];
  const yf = parseYaml<Record<string, unknown>>(readFileSync(join(root, file), 'utf8'), file);
  const raw = yf.data ?? {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new MflowError('CONFIG', `${file} must be a mapping of keys`, { file, line: 1 });
  for (const key of Object.keys(raw)) {
    if (!(PROJECT_KEYS as readonly string[]).includes(key)) {
      const s = closest(key, PROJECT_KEYS);
      warnings.push({ file, line: yf.lineOf([key]), message: `Unknown key '${key}' in ${file}${s ? ` (did you mean '${s}'?)` : ''}; it is ignored` });
    }
  }
  if (!raw.name || typeof raw.name !== 'string') throw new MflowError('CONFIG', `${file} needs a 'name'`, { file, line: 1, hint: 'Add `name: my_project`.' });
  const vars = { ...flattenVars((raw.vars as Record<string, unknown>) ?? {}, raw.name, inheritedVars), ...cliVars };
  // Only the parts that are not per-node Jinja are rendered here; hooks and folder configs render later with the full context.
  const secret: string[] = [];
  const renderCtx = { file, vars, env, onEnvVar: (p: string) => secret.push(p) };
  const pick = <T>(k: string): T => renderYamlValues(raw[k] as T, renderCtx, yf.lineOf, [k]);

  const config: ProjectConfig = {
    root,
    file,
    name: raw.name,
    version: String(raw.version ?? '0.0.0'),
    profile: raw.profile as string | undefined,
    modelPaths: asList(pick('model-paths') ?? pick('source-paths'), ['models']),
    seedPaths: asList(pick('seed-paths') ?? pick('data-paths'), ['seeds']),
    testPaths: asList(pick('test-paths'), ['tests']),
    macroPaths: asList(pick('macro-paths'), ['macros']),
    snapshotPaths: asList(pick('snapshot-paths'), ['snapshots']),
    docsPaths: asList(pick('docs-paths'), []),
    analysisPaths: asList(pick('analysis-paths'), ['analyses']),
    targetPath: String(pick('target-path') ?? 'target'),
    logPath: String(pick('log-path') ?? 'logs'),
    cleanTargets: asList(pick('clean-targets'), [String(pick('target-path') ?? 'target')]),
    packagesInstallPath: String(pick('packages-install-path') ?? 'dbt_packages'),
    dispatch: readDispatch(raw.dispatch, file, yf.lineOf),
    vars,
    models: (raw.models as Record<string, unknown>) ?? {},
    seeds: (raw.seeds as Record<string, unknown>) ?? {},
    snapshots: (raw.snapshots as Record<string, unknown>) ?? {},
    tests: ((raw.data_tests ?? raw.tests) as Record<string, unknown>) ?? {},
    sources: (raw.sources as Record<string, unknown>) ?? {},
    onRunStart: asHooks(raw['on-run-start']),
    onRunEnd: asHooks(raw['on-run-end']),
    quoting: (raw.quoting as Record<string, boolean>) ?? {},
    restrictAccess: raw['restrict-access'] === true,
    lineOf: yf.lineOf,
  };
  return { config, raw, warnings };
}

/**
 * dbt's `vars:` may be scoped by project: `vars: { dbt_utils: { x: 1 }, y: 2 }`. A project sees
 * the global ones and those under its own name; `inherited` (the root project's, for a package)
 * wins over the package's own.
 */
function flattenVars(vars: Record<string, unknown>, name: string, inherited: Record<string, unknown>): Record<string, unknown> {
  const own = { ...vars };
  const scoped = own[name];
  if (scoped && typeof scoped === 'object' && !Array.isArray(scoped)) Object.assign(own, scoped as Record<string, unknown>);
  return { ...own, ...inherited };
}

/** `dispatch: [{macro_namespace: dbt_utils, search_order: [my_project, dbt_utils]}]`. */
function readDispatch(v: unknown, file: string, lineOf: (p: (string | number)[]) => number): { macro_namespace: string; search_order: string[] }[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new MflowError('CONFIG', `'dispatch' in ${file} must be a list`, { file, line: lineOf(['dispatch']), hint: 'Write `dispatch: [{macro_namespace: dbt_utils, search_order: [my_project, dbt_utils]}]`.' });
  return v.map((d, i) => {
    const e = d as Record<string, unknown>;
    if (!e || typeof e.macro_namespace !== 'string' || !Array.isArray(e.search_order)) {
      throw new MflowError('CONFIG', `dispatch entry ${i + 1} in ${file} needs macro_namespace (a name) and search_order (a list of package names)`, { file, line: lineOf(['dispatch', i]) });
    }
    return { macro_namespace: e.macro_namespace, search_order: e.search_order.map(String) };
  });
}

function resolveTarget(
  config: ProjectConfig,
  raw: Record<string, unknown>,
  lineOf: (p: (string | number)[]) => number,
  opts: LoadOptions,
  env: NodeJS.ProcessEnv,
  warnings: Warning[],
): ResolvedTarget {
  let outputs: Record<string, unknown>;
  let defaultName: string | undefined;
  let source: string;
  let outLine: (p: (string | number)[]) => number;
  let prefix: (string | number)[];
  if (raw.targets && typeof raw.targets === 'object') {
    const t = raw.targets as Record<string, unknown>;
    defaultName = (t.default as string | undefined) ?? Object.keys(t).find((k) => k !== 'default');
    outputs = Object.fromEntries(Object.entries(t).filter(([k]) => k !== 'default'));
    source = config.file;
    outLine = lineOf;
    prefix = ['targets'];
  } else {
    const found = findProfiles(config, opts, env);
    if (!found) {
      throw new MflowError('CONFIG', `No targets: ${config.file} has no 'targets' and no profiles.yml was found`, {
        file: config.file,
        hint: "Add `targets: { default: dev, dev: { type: duckdb, path: data/dev.duckdb } }` to project.yml, or a profiles.yml (--profiles-dir, DBT_PROFILES_DIR, the project folder or ~/.dbt).",
      });
    }
    const pf = parseYaml<Record<string, Record<string, unknown>>>(readFileSync(found, 'utf8'), found);
    const profileName = config.profile ?? config.name;
    const profile = pf.data?.[profileName];
    if (!profile) {
      const s = closest(profileName, Object.keys(pf.data ?? {}));
      throw new MflowError('CONFIG', `Profile '${profileName}' not found in ${found}`, { file: found, hint: s ? `Did you mean '${s}'?` : `Add a '${profileName}:' entry with outputs.` });
    }
    outputs = (profile.outputs as Record<string, unknown>) ?? {};
    defaultName = profile.target as string | undefined;
    source = found;
    outLine = pf.lineOf;
    prefix = [profileName, 'outputs'];
  }
  const name = opts.target ?? env.MFLOW_TARGET ?? defaultName;
  if (!name || !(name in outputs)) {
    const s = name ? closest(name, Object.keys(outputs)) : undefined;
    throw new MflowError('CONFIG', `Target '${name ?? ''}' is not defined in ${source}`, {
      file: source,
      hint: s ? `Did you mean '${s}'?` : `Defined targets: ${Object.keys(outputs).join(', ') || '(none)'}`,
    });
  }
  const secretKeys: string[] = [];
  const rendered = renderYamlValues(outputs[name] as Record<string, unknown>, {
    file: source,
    vars: config.vars,
    env,
    onEnvVar: (p) => secretKeys.push(p.split('.').pop()!),
  }, outLine, [...prefix, name]);
  const type = String(rendered.type ?? '');
  const wh = findWarehouse(type);
  if (!wh) throw new MflowError('CONFIG', `Target '${name}' has unknown type '${type}'`, { file: source, line: outLine([...prefix, name, 'type']), hint: `Use type: ${warehouseTypes().join(' or type: ')}.` });
  const known = wh.targetKeys;
  for (const k of Object.keys(rendered)) {
    if (!(known as readonly string[]).includes(k)) {
      const s = closest(k, known);
      warnings.push({ file: source, line: outLine([...prefix, name, k]), message: `Unknown ${type} target key '${k}'${s ? ` (did you mean '${s}'?)` : ''}; it is ignored` });
    }
    if (SECRET_KEY_PATTERN.test(k) && !secretKeys.includes(k)) {
      warnings.push({ file: source, line: outLine([...prefix, name, k]), message: `Target key '${k}' holds a secret written in the file; use "{{ env_var('...') }}" instead` });
      secretKeys.push(k);
    }
  }
  validateTarget(rendered, { file: source, line: (k) => outLine([...prefix, name, k]), name });
  wh.checkTarget?.(rendered, { file: source, line: (...k) => outLine([...prefix, name, ...k]), name });
  wh.completeTarget?.(rendered, config.root);
  return {
    ...rendered,
    name,
    type,
    threads: Number(rendered.threads ?? wh.defaultThreads),
    schema: String(rendered.schema ?? 'public'),
    database: (rendered.database as string | undefined) ?? null,
    secretKeys: secretKeys.filter((k) => SECRET_KEY_PATTERN.test(k) || k === 'password' || k === 'token'),
    source,
  };
}

function findProfiles(config: ProjectConfig, opts: LoadOptions, env: NodeJS.ProcessEnv): string | undefined {
  const dirs = [opts.profilesDir, env.MFLOW_PROFILES_DIR, env.DBT_PROFILES_DIR, config.root, join(homedir(), '.dbt')].filter(Boolean) as string[];
  for (const d of dirs) {
    const f = join(resolve(d), 'profiles.yml');
    if (existsSync(f)) return f;
  }
  return undefined;
}

/**
 * A copy of the target safe to print or write: secret-looking keys at any depth (`settings:`
 * included) and every value that came from a secret env_var() are masked.
 */
export function maskTarget(t: ResolvedTarget): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(t)) {
    if (k === 'secretKeys' || k === 'source') continue;
    out[k] = t.secretKeys.includes(k) || SECRET_KEY_PATTERN.test(k) ? MASK : v;
  }
  return redactDeep(out);
}
