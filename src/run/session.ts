import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse as parseYamlText } from 'yaml';
import { createAdapter } from '../adapters/index.js';
import { DuckDBDialect } from '../adapters/duckdb/dialect.js';
import type { Adapter, Dialect } from '../contracts/adapter.js';
import type { Manifest } from '../contracts/manifest.js';
import { CaptureConsole, type Console } from '../console/console.js';
import { MflowError } from '../errors.js';
import { Dag } from '../graph/dag.js';
import { parseSelectorsYaml, type SelectorsFile } from '../graph/selectors-yaml.js';
import type { JinjaRuntime } from '../jinja/context.js';
import { parseProject } from '../parse/build.js';
import { loadProject } from '../project/load.js';
import type { ProjectConfig, ResolvedTarget } from '../project/types.js';
import { writeManifest } from '../artifacts/write.js';
import { LogFileConsole } from '../console/log-file.js';
import { phase } from '../util/timing.js';

/** Options every command takes; the CLI maps its flags onto these. */
export interface CommonOptions {
  projectDir?: string;
  profilesDir?: string;
  target?: string;
  /** `--vars` as an object or a YAML string. */
  vars?: Record<string, unknown> | string;
  console?: Console;
  env?: NodeJS.ProcessEnv;
  threads?: number;
  select?: string[];
  exclude?: string[];
  selector?: string;
  /** Folder with the manifest of an earlier run, for `state:modified`. */
  state?: string;
  fullRefresh?: boolean;
  failFast?: boolean;
  dryRun?: boolean;
  /** Override target-path. */
  targetPath?: string;
  writeArtifacts?: boolean;
}

/** `logs/mflow.log` under the project, or under its `log-path`. */
function logFile(config: ProjectConfig): string {
  return resolve(config.root, config.logPath ?? 'logs', 'mflow.log');
}

export function parseVars(v: CommonOptions['vars']): Record<string, unknown> {
  if (!v) return {};
  if (typeof v === 'object') return v;
  let parsed: unknown;
  try {
    parsed = parseYamlText(v);
  } catch (e) {
    throw new MflowError('USAGE', `--vars is not valid YAML: ${(e as Error).message.split('\n')[0]}`, { hint: `Example: --vars '{year: 2009, state: CA}'` });
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new MflowError('USAGE', '--vars must be a YAML mapping', { hint: `Example: --vars '{year: 2009}'` });
  return parsed as Record<string, unknown>;
}

export async function dialectFor(type: string, target: ResolvedTarget): Promise<Dialect> {
  if (type === 'duckdb') return new DuckDBDialect();
  const spec = './../adapters/snowflake/dialect.js';
  const mod = (await import(spec)) as { SnowflakeDialect: new (q?: unknown) => Dialect };
  return new mod.SnowflakeDialect((target as Record<string, unknown>).quoting ?? {});
}

/** Adapters of the sessions open in this process, so Ctrl-C can cancel what they run. */
const openAdapters = new Set<Adapter>();

/**
 * Ctrl-C: ask every open warehouse session to abort its running statements (Snowflake keeps
 * running a query whose client just exits). Call it from a SIGINT handler before exiting.
 */
export async function cancelRunningQueries(): Promise<void> {
  await Promise.all([...openAdapters].map((a) => (a as Adapter & { cancel?: () => Promise<void> }).cancel?.().catch(() => undefined)));
}

export class Session {
  adapter: Adapter | null = null;
  private constructor(
    readonly opts: CommonOptions,
    readonly project: ProjectConfig,
    readonly target: ResolvedTarget,
    readonly dialect: Dialect,
    readonly manifest: Manifest,
    readonly runtime: JinjaRuntime,
    readonly dag: Dag,
    readonly console: Console,
    readonly vars: Record<string, unknown>,
  ) {}

  get targetDir(): string {
    return resolve(this.project.root, this.opts.targetPath ?? this.project.targetPath);
  }

  get threads(): number {
    return Math.max(1, Number(this.opts.threads ?? this.target.threads ?? 1));
  }

  /** Loads and parses the project; the warehouse is connected only when a command needs it. */
  static async open(opts: CommonOptions): Promise<Session> {
    const vars = parseVars(opts.vars);
    const { config, target, warnings } = loadProject({ projectDir: opts.projectDir, profilesDir: opts.profilesDir, target: opts.target, vars, env: opts.env });
    const given: Console = opts.console ?? new CaptureConsole();
    const invocationId = given.invocationId ?? randomUUID();
    const console = new LogFileConsole(given, logFile(config), invocationId);
    const dialect = await dialectFor(target.type, target);
    const parseWarnings = [...warnings];
    let parsed;
    try {
      parsed = await parseProject({ project: config, target, dialect, vars, env: opts.env, warnings: parseWarnings, invocationId });
    } finally {
      // Warnings first: an unknown config key is often the cause of the error that follows.
      for (const w of parseWarnings) console.emit({ type: 'warn', msg: w.message, file: w.file, line: w.line });
    }
    phase('tests, manifest');
    const { manifest, runtime } = parsed;
    const dag = Dag.fromManifest(manifest);
    dag.assertAcyclic();
    phase('graph');
    const s = new Session(opts, config, target, dialect, manifest, runtime, dag, console, vars);
    if (opts.writeArtifacts !== false) writeManifest(s.targetDir, manifest);
    return s;
  }

  async connect(): Promise<Adapter> {
    if (!this.adapter) {
      this.adapter = await createAdapter(this.target);
      openAdapters.add(this.adapter);
    }
    return this.adapter;
  }

  selectorsFile(): SelectorsFile | undefined {
    const f = join(this.project.root, 'selectors.yml');
    if (!existsSync(f)) return undefined;
    return parseSelectorsYaml(readFileSync(f, 'utf8'), 'selectors.yml');
  }

  async close(): Promise<void> {
    if (this.adapter) openAdapters.delete(this.adapter);
    await this.adapter?.close();
    this.adapter = null;
  }
}
