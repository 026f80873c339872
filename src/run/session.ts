import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse as parseYamlText } from 'yaml';
import { createAdapter, createDialect } from '../adapters/index.js';
import type { Adapter, Dialect } from '../contracts/adapter.js';
import type { Manifest } from '../contracts/manifest.js';
import { CaptureConsole, type Console } from '../console/console.js';
import { MflowError } from '../errors.js';
import { Dag } from '../graph/dag.js';
import { parseSelectorsYaml, type SelectorsFile } from '../graph/selectors-yaml.js';
import type { JinjaRuntime } from '../jinja/context.js';
import { parseWithCache, partialStateOf } from '../parse/partial/index.js';
import type { Scan } from '../parse/partial/files.js';
import { saveParse } from '../parse/partial/commit.js';
import { loadProject } from '../project/load.js';
import type { ProjectConfig, ResolvedTarget } from '../project/types.js';
import { LogFileConsole } from '../console/log-file.js';
import { phase } from '../util/timing.js';
import { parseVars } from './vars.js';

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
  /** `--query-profile`: DuckDB's profile of each node's statements under target/profile, and the slowest printed. */
  profile?: boolean;
  /** Override target-path. */
  targetPath?: string;
  writeArtifacts?: boolean;
  /** false: parse every file (`--no-partial-parse`); by default target/partial_parse.json is reused when it is valid. */
  partialParse?: boolean;
  /** Internal: the file scan of `compile`'s up-to-date check, reused by the parse that follows. */
  partialScan?: Scan | null;
  /** Internal: a reused manifest's nodes may be read lazily (`compile` of the whole project; parse/partial/lazy.ts). */
  lazyManifest?: boolean;
}

export { parseVars } from './vars.js';
/** `logs/mflow.log` under the project, or under its `log-path`. */
function logFile(config: ProjectConfig): string {
  return resolve(config.root, config.logPath ?? 'logs', 'mflow.log');
}


/** The target's dialect, with the project's `quoting:` (the target's own `quoting:` wins). */
export async function dialectFor(target: ResolvedTarget, project?: Pick<ProjectConfig, 'quoting'>): Promise<Dialect> {
  return createDialect(target, project?.quoting ?? {});
}

/** Adapters of the sessions open in this process, so Ctrl-C can cancel what they run. */
const openAdapters = new Set<Adapter>();

/**
 * Ctrl-C: ask every open warehouse session to abort its running statements (Snowflake keeps
 * running a query whose client just exits). Call it from a SIGINT handler before exiting.
 */
export async function cancelRunningQueries(): Promise<void> {
  await Promise.all([...openAdapters].map((a) => a.cancel?.().catch(() => undefined)));
}

export class Session {
  adapter: Adapter | null = null;
  /**
   * manifest.json is written once the warehouse opened (or at close for commands that never
   * connect): a process that cannot open the warehouse (a DuckDB file locked by another run)
   * leaves the artifacts of the run that holds it untouched.
   */
  private manifestPending = false;
  private constructor(
    readonly opts: CommonOptions,
    readonly project: ProjectConfig,
    readonly target: ResolvedTarget,
    readonly dialect: Dialect,
    readonly manifest: Manifest,
    readonly runtime: JinjaRuntime,
    private dagOrMake: Dag | (() => Dag),
    readonly console: Console,
    readonly vars: Record<string, unknown>,
  ) {}

  /** Built on first use after a partial parse whose edges did not change: a compile of the whole project needs none. */
  get dag(): Dag {
    if (typeof this.dagOrMake === 'function') this.dagOrMake = this.dagOrMake();
    return this.dagOrMake;
  }

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
    const dialect = await dialectFor(target, config);
    const parseWarnings = [...warnings];
    let parsed;
    try {
      const targetDir = resolve(config.root, opts.targetPath ?? config.targetPath);
      parsed = await parseWithCache({ project: config, target, dialect, vars, env: opts.env, warnings: parseWarnings, targetDir, enabled: opts.partialParse, scan: opts.partialScan, lazy: opts.lazyManifest, invocationId });
    } finally {
      // Warnings first: an unknown config key is often the cause of the error that follows.
      for (const w of parseWarnings) console.emit({ type: 'warn', msg: w.message, file: w.file, line: w.line });
    }
    phase('tests, manifest');
    const { manifest, runtime } = parsed;
    // A reused parse whose edges did not change was checked when it was made.
    const reused = partialStateOf(manifest);
    let dag: Dag | (() => Dag) = () => Dag.fromManifest(manifest);
    if (!(reused?.mode === 'partial' && !reused.graphChanged)) {
      dag = dag();
      dag.assertAcyclic();
    }
    phase('graph');
    const s = new Session(opts, config, target, dialect, manifest, runtime, dag, console, vars);
    s.manifestPending = opts.writeArtifacts !== false;
    return s;
  }

  /** Writes manifest.json now if this session still owes it. */
  flushManifest(): void {
    if (!this.manifestPending) return;
    this.manifestPending = false;
    saveParse(this.targetDir, this.manifest);
  }

  async connect(): Promise<Adapter> {
    if (!this.adapter) {
      try {
        this.adapter = await createAdapter(this.target, { progress: (msg) => this.console.emit({ type: 'info', msg }) });
      } catch (e) {
        this.manifestPending = false;
        throw e;
      }
      openAdapters.add(this.adapter);
      this.flushManifest();
    }
    return this.adapter;
  }

  selectorsFile(): SelectorsFile | undefined {
    const f = join(this.project.root, 'selectors.yml');
    if (!existsSync(f)) return undefined;
    return parseSelectorsYaml(readFileSync(f, 'utf8'), 'selectors.yml');
  }

  async close(): Promise<void> {
    this.flushManifest();
    if (this.adapter) openAdapters.delete(this.adapter);
    await this.adapter?.close();
    this.adapter = null;
  }
}
