import { Command, CommanderError, Option } from 'commander';
import type * as Api from '../api.js';
import { JsonConsole, TerminalConsole, type Console } from '../console/console.js';
import { MflowError, MflowErrors } from '../errors.js';
import { MFLOW_VERSION } from '../version.js';
import type { CommonOptions } from '../run/session.js';

/** The API (and with it the runner, adapters and Jinja) loads on first use: `compile` with nothing changed needs none of it. */
const loadApi = (): Promise<typeof Api> => import('../api.js');
import { formatTable } from './table.js';
import { redact } from '../project/secrets.js';
import { extraCommands } from './extra.js';

/** Exit codes as dbt: 0 success, 1 a node failed, 2 usage or compile error. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** Flags as commander hands them over: CommonOptions' names, with text where the CLI takes text. */
type GlobalFlags = Pick<CommonOptions, 'projectDir' | 'profilesDir' | 'target' | 'exclude' | 'selector' | 'state' | 'fullRefresh' | 'failFast' | 'dryRun' | 'targetPath' | 'partialParse'> & {
  /** `--query-profile` (not dbt's `--profile <name>`, which picks a profile in profiles.yml). */
  queryProfile?: boolean;
  vars?: string;
  logFormat?: 'text' | 'json';
  threads?: string;
  select?: string[];
  models?: string[];
};

export function makeConsole(flags: { logFormat?: string }): Console {
  return flags.logFormat === 'json' ? new JsonConsole() : new TerminalConsole();
}

/** `--threads two` is a usage error (exit 2), not NaN workers. */
function threadsFlag(v: string): number {
  if (!/^\d+$/.test(v.trim()) || Number(v) < 1) throw new MflowError('USAGE', `--threads must be a whole number of threads, got '${v}'`, { hint: 'Pass e.g. --threads 4.' });
  return Number(v);
}

export function common(flags: GlobalFlags, console: Console): CommonOptions {
  const split = (xs?: string[]) => xs?.flatMap((x) => x.split(/\s+/)).filter(Boolean);
  return {
    projectDir: flags.projectDir,
    profilesDir: flags.profilesDir,
    target: flags.target,
    vars: flags.vars,
    console,
    threads: flags.threads ? threadsFlag(flags.threads) : undefined,
    select: split([...(flags.select ?? []), ...(flags.models ?? [])]),
    exclude: split(flags.exclude),
    selector: flags.selector,
    state: flags.state,
    fullRefresh: flags.fullRefresh,
    failFast: flags.failFast,
    dryRun: flags.dryRun,
    profile: flags.queryProfile,
    targetPath: flags.targetPath,
    partialParse: flags.partialParse,
  };
}

function addCommon(cmd: Command, withSelect = true): Command {
  cmd
    .option('--project-dir <dir>', 'project folder (default: current folder)')
    .option('--profiles-dir <dir>', 'folder with profiles.yml (dbt projects)')
    .option('-t, --target <name>', 'target to use (default: the project default)')
    .option('--vars <yaml>', "variables as YAML, e.g. '{year: 2009}'")
    .addOption(new Option('--log-format <format>', 'text or json lines (for CI)').choices(['text', 'json']).default('text'))
    .option('--target-path <dir>', 'where artifacts go (default: target-path from project.yml)')
    // As dbt's flag: the cache in target/partial_parse.json is checked on every run and reused only when valid.
    .option('--no-partial-parse', 'parse every file again instead of reusing target/partial_parse.json (also MFLOW_PARTIAL_PARSE=0)');
  if (withSelect) {
    cmd
      .option('-s, --select <selector...>', 'nodes to include (dbt selector syntax)')
      .option('-m, --models <selector...>', 'alias of --select')
      .option('--exclude <selector...>', 'nodes to exclude')
      .option('--selector <name>', 'a selector from selectors.yml')
      .option('--state <dir>', 'artifacts of an earlier run, for state:modified');
  }
  return cmd;
}

function addRunFlags(cmd: Command): Command {
  return cmd
    .option('--threads <n>', 'parallel workers (default: target threads)')
    .option('--full-refresh', 'rebuild incremental models and seeds from scratch')
    .option('-x, --fail-fast', 'stop at the first failure')
    .option('--dry-run', 'plan and print statements; change nothing')
    .option('--query-profile', "write DuckDB's profile (EXPLAIN ANALYZE) of each model to target/profile/ and print the slowest models' heaviest operators");
}

async function report(cons: Console, f: () => Promise<{ ok: boolean }>): Promise<number> {
  const r = await f();
  return r.ok ? EXIT_OK : EXIT_FAILURE;
}

export function buildProgram(setCode: (c: number) => void): Command {
  const program = new Command('mflow').description('mflow: SQL transformations for DuckDB and Snowflake, dbt-compatible').version(MFLOW_VERSION).showHelpAfterError();
  program.exitOverride();

  const runLike = (name: string, desc: string, f: (o: CommonOptions & Record<string, unknown>) => Promise<{ ok: boolean }>, extra?: (c: Command) => void) => {
    const c = addRunFlags(addCommon(program.command(name).description(desc)));
    extra?.(c);
    c.action(async (flags: GlobalFlags & Record<string, unknown>) => {
      const cons = makeConsole(flags);
      setCode(await report(cons, () => f({ ...common(flags, cons), ...flags, console: cons } as CommonOptions & Record<string, unknown>)));
    });
  };
  runLike('run', 'build the selected models', async (o) => (await loadApi()).run(o));
  runLike('test', 'run data tests and unit tests', async (o) => (await loadApi()).test(o), (c) => c.option('--store-failures', 'keep failing rows in an audit schema').option('--junit-xml <path>', 'write a JUnit XML report'));
  runLike('build', 'seeds, models, snapshots and tests in DAG order', async (o) => (await loadApi()).build(o), (c) => c.option('--store-failures', 'keep failing rows in an audit schema').option('--junit-xml <path>', 'write a JUnit XML report'));
  runLike('seed', 'load CSV files under seed-paths', async (o) => (await loadApi()).seed(o));
  runLike('snapshot', 'run snapshots (SCD type 2)', async (o) => (await loadApi()).snapshot(o));
  runLike('retry', 're-run what failed or was skipped last time', async (o) => (await loadApi()).retry(o));

  addCommon(program.command('compile').description('render SQL to target/compiled').option('--inline <sql>', 'compile one query'))
    .action(async (flags: GlobalFlags & { inline?: string }) => {
      const cons = makeConsole(flags);
      let r: Api.CompileResult | null = null;
      let o: CommonOptions = common(flags, cons);
      if (!flags.inline && o.partialParse !== false && !o.select?.length && !o.exclude?.length && !o.selector && !o.state) {
        const { compileIfUpToDate } = await import('../parse/partial/up-to-date.js');
        const check = await compileIfUpToDate(o);
        r = check.up;
        o = { ...o, partialScan: check.scan };
      }
      r ??= await (await loadApi()).compile({ ...o, inline: flags.inline, summaryOnly: !flags.inline });
      if (flags.inline) cons.emit({ type: 'output', text: r.compiled.inline });
      else cons.emit({ type: 'info', msg: `Compiled ${r.count} nodes to ${r.manifestPath.replace(/manifest\.json$/, 'compiled/')}` });
      setCode(EXIT_OK);
    });

  addCommon(program.command('ls').alias('list').description('list the selected nodes'))
    .option('--resource-type <type...>', 'model, seed, snapshot, test, unit_test, source, analysis, exposure, metric, semantic_model, saved_query')
    .addOption(new Option('--output <format>', 'name, path, selector or json').choices(['name', 'path', 'selector', 'json']).default('selector'))
    .action(async (flags: GlobalFlags & { resourceType?: string[]; output: string }) => {
      const cons = makeConsole(flags);
      const items = await (await loadApi()).ls({ ...common(flags, cons), resourceTypes: flags.resourceType as never });
      const lines = items.map((i) => (flags.output === 'json' ? JSON.stringify(i) : flags.output === 'name' ? i.name : flags.output === 'path' ? i.path : i.resource_type === 'source' ? `source:${i.fqn.slice(0, 1).concat(i.name).join('.')}` : i.fqn.join('.')));
      process.stdout.write(lines.join('\n') + (lines.length ? '\n' : ''));
      setCode(EXIT_OK);
    });

  addCommon(program.command('show').description('preview the rows of a node or an inline query'))
    .option('--inline <sql>', 'a query to run (Jinja allowed)')
    .option('--limit <n>', 'rows to show (-1 for all)', '5')
    .addOption(new Option('--output <format>', 'table, json or csv').choices(['table', 'json', 'csv']).default('table'))
    .action(async (flags: GlobalFlags & { inline?: string; limit: string; output: string }) => {
      const cons = makeConsole(flags);
      const r = await (await loadApi()).show({ ...common(flags, cons), inline: flags.inline, limit: Number(flags.limit) });
      const text = flags.output === 'json' ? JSON.stringify(r.rows, null, 1) : flags.output === 'csv' ? [r.columns.map((c) => c.name).join(','), ...r.rows.map((row) => r.columns.map((c) => csvCell(row[c.name])).join(','))].join('\n') : formatTable(r.columns.map((c) => c.name), r.rows);
      // Rows can hold what a model read from a secret env_var(): masked like every other output.
      process.stdout.write(redact(text) + '\n');
      setCode(EXIT_OK);
    });

  addCommon(program.command('debug').description('show the configuration and test the connection'), false).action(async (flags: GlobalFlags) => {
    const r = await (await loadApi()).debug(common(flags, makeConsole(flags)));
    const lines = [`mflow version: ${r.versions.mflow}`, `node: ${r.versions.node}`, `project file: ${r.projectFile} [OK found and valid]`, `project: ${r.projectName}`, `target from: ${r.profileSource}`, 'target:'];
    for (const [k, v] of Object.entries(r.target)) lines.push(`  ${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`);
    lines.push(`Connection test: ${r.connection === 'OK' ? '[OK connection ok]' : `[ERROR] ${r.connection}`}`);
    process.stdout.write(lines.join('\n') + '\n');
    setCode(r.connection === 'OK' ? EXIT_OK : EXIT_FAILURE);
  });

  addCommon(program.command('clean').description('remove target/ and other clean-targets'), false).action(async (flags: GlobalFlags) => {
    const removed = (await loadApi()).clean(common(flags, makeConsole(flags)));
    process.stdout.write(removed.length ? removed.map((r) => `Removed ${r}`).join('\n') + '\n' : 'Nothing to clean\n');
    setCode(EXIT_OK);
  });

  addCommon(program.command('parse').description('parse the project and write target/manifest.json'), false).action(async (flags: GlobalFlags) => {
    const cons = makeConsole(flags);
    const items = await (await loadApi()).ls({ ...common(flags, cons) });
    cons.emit({ type: 'info', msg: `Parsed ${items.length} nodes; wrote manifest.json` });
    setCode(EXIT_OK);
  });

  extraCommands(program, { addCommon, addRunFlags, common, makeConsole, setCode });
  return program;
}

function csvCell(v: unknown): string {
  const s = v === null || v === undefined ? '' : v instanceof Date ? v.toISOString() : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export async function main(argv: string[]): Promise<number> {
  let code = EXIT_OK;
  const program = buildProgram((c) => (code = c));
  const jsonLogs = argv.includes('--log-format') && argv[argv.indexOf('--log-format') + 1] === 'json';
  const cons = makeConsole({ logFormat: jsonLogs ? 'json' : 'text' });
  // Ctrl-C: the first one cancels running queries through the process exit; tables swap atomically, so nothing half-built stays.
  process.once('SIGINT', () => {
    cons.emit({ type: 'error', msg: 'Interrupted: cancelling running queries' });
    void import('../run/session.js')
      .then((m) => m.cancelRunningQueries())
      .finally(() => process.exit(130));
  });
  try {
    await program.parseAsync(argv);
    return code;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    if (e instanceof MflowErrors) {
      cons.emit({ type: 'error', msg: `Encountered ${e.errors.length} error${e.errors.length === 1 ? '' : 's'}:` });
      for (const x of e.errors) cons.emit({ type: 'error', msg: x.format(), file: x.file, line: x.line, code: x.code, hint: x.hint });
      return EXIT_USAGE;
    }
    if (e instanceof MflowError) {
      cons.emit({ type: 'error', msg: e.format(), file: e.file, line: e.line, code: e.code, hint: e.hint });
      // Usage and project errors are 2; a failure of the work itself (warehouse, files, network) is 1.
      return ['DATABASE', 'INGEST', 'DOWNLOAD', 'GENERATE', 'INTERNAL'].includes(e.code) ? EXIT_FAILURE : EXIT_USAGE;
    }
    cons.emit({ type: 'error', msg: `Internal error: ${(e as Error).stack ?? String(e)}` });
    return EXIT_FAILURE;
  }
}
