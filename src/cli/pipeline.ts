import type { Command } from 'commander';
import { Option } from 'commander';
import type { CliKit } from './extra.js';
import { formatTable } from './table.js';

// The pipeline modules load when one of these commands runs, not for every command.
const runner = () => import('../pipeline/runner.js');

/** `mflow pipeline` (what `npm start` runs), `mflow pipeline status|alert` and `mflow airflow export`. */
export function register(program: Command, kit: CliKit): void {
  const pipe = kit
    .addRunFlags(kit.addCommon(program.command('pipeline').description('the scheduled workflow of project.yml `pipeline:`: check sources, load RAW, audit, seed, build, test, publish'), false))
    .option('--resume [run_id]', 'continue the latest failed or cancelled run (or the one named) from its failed step')
    .option('--step <name...>', 'run only these steps (what an Airflow task runs)')
    .option('-s, --select <selector...>', 'narrow the selection of the steps run (Airflow per-model tasks)')
    .option('--run-id <id>', 'the run id to record under (default: a new one)')
    .option('--attempt <n>', 'attempt number given by an orchestrator that retries itself; mflow then runs one attempt')
    .option('--max-attempts <n>', 'attempts the orchestrator allows (for the history and the alerts)')
    .option('--no-alerts', 'send no alerts from this process (the orchestrator callbacks send them)')
    .option('--no-generate', 'never generate a sample when data/synpuf is empty')
    .option('--beneficiaries <n>', 'sample size when data is generated', '3000')
    .option('--seed <n>', 'seed when data is generated', '20260101')
    .action(async (flags: Record<string, unknown> & { logFormat?: string; resume?: string | boolean; step?: string[]; select?: string[]; runId?: string; attempt?: string; maxAttempts?: string; alerts: boolean; generate: boolean; beneficiaries: string; seed: string }) => {
      const { runPipeline } = await runner();
      // A terminal gets the live view of the steps; anything else the plain lines (or JSON).
      let live: import('../pipeline/progress.js').LiveView | null = null;
      if (flags.logFormat !== 'json' && process.stdout.isTTY && !process.env.CI) {
        const { LiveView } = await import('../pipeline/progress.js');
        const { loadPipelineConfig } = await import('../pipeline/config.js');
        const { loadProject } = await import('../project/load.js');
        try {
          const { config } = loadProject({ projectDir: flags.projectDir as string | undefined });
          const names = loadPipelineConfig(config.root, config.name, { renderSecrets: false }).steps.map((x) => x.name);
          live = new LiveView(process.stdout, flags.step?.length ? names.filter((n) => flags.step!.includes(n)) : names);
        } catch {
          live = null; // the run itself reports the configuration error, with its line
        }
      }
      const cons = live ?? kit.makeConsole(flags);
      // The first Ctrl-C or SIGTERM stops the running step cleanly and records the run as
      // cancelled; a second one exits at once.
      const ac = new AbortController();
      process.removeAllListeners('SIGINT');
      const onSignal = (sig: string) => {
        if (ac.signal.aborted) process.exit(130);
        cons.emit({ type: 'error', msg: `${sig}: stopping the running step (its queries are cancelled); the run is recorded as cancelled` });
        ac.abort();
      };
      process.on('SIGINT', () => onSignal('SIGINT'));
      process.on('SIGTERM', () => onSignal('SIGTERM'));
      const common = kit.common({ ...flags, select: undefined }, cons);
      const r = await runPipeline({
        ...common,
        resume: flags.resume !== undefined && flags.resume !== false,
        runId: typeof flags.resume === 'string' ? flags.resume : flags.runId,
        steps: flags.step,
        stepSelect: flags.select?.flatMap((x) => x.split(/\s+/)).filter(Boolean),
        attempt: flags.attempt ? Number(flags.attempt) : undefined,
        maxAttempts: flags.maxAttempts ? Number(flags.maxAttempts) : undefined,
        alerts: flags.alerts,
        generateIfMissing: flags.generate,
        beneficiaries: Number(flags.beneficiaries),
        seed: Number(flags.seed),
        trigger: flags.attempt ? 'orchestrator' : 'cli',
        signal: ac.signal,
        onStep: live ? (p) => live!.update(p) : undefined,
      }).finally(() => live?.stop());
      kit.setCode(r.ok ? 0 : r.status === 'cancelled' ? 130 : 1);
    });

  kit
    .addCommon(pipe.command('status').description('the last pipeline runs and their steps, from the warehouse'), false)
    .option('--limit <n>', 'runs to show', '5')
    .option('--run-id <id>', 'one run')
    .action(async (_: unknown, cmd: Command) => {
      // `pipeline` has options of the same names, which commander gives to it: read both levels.
      const flags = cmd.optsWithGlobals<Record<string, unknown> & { logFormat?: string; limit: string; runId?: string }>();
      const cons = kit.makeConsole(flags);
      const { pipelineStatus } = await runner();
      const r = await pipelineStatus({ ...kit.common(flags, cons), limit: Number(flags.limit), runId: flags.runId });
      if (flags.logFormat === 'json') process.stdout.write(JSON.stringify(r) + '\n');
      else if (!r.runs.length) process.stdout.write('No pipeline runs recorded yet.\n');
      else {
        for (const run of r.runs) {
          process.stdout.write(`Run ${run.run_id}: ${String(run.status).toUpperCase()} (started ${run.started_at}${run.finished_at ? `, finished ${run.finished_at}` : ''}, ${run.trigger})${run.error ? `\n  ${run.error}` : ''}\n`);
          const steps = r.steps[run.run_id] ?? [];
          if (steps.length) process.stdout.write(formatTable(['step', 'attempt', 'status', 'started_at', 'seconds', 'rows', 'error'], steps.map((s) => ({ step: s.step, attempt: `${s.attempt}/${s.max_attempts}`, status: s.status, started_at: s.started_at, seconds: s.finished_at ? ((Date.parse(s.finished_at) - Date.parse(s.started_at)) / 1000).toFixed(1) : '', rows: s.rows ?? '', error: (s.error ?? '').slice(0, 80) }))) + '\n');
        }
      }
      kit.setCode(0);
    });

  kit
    .addCommon(pipe.command('alert').description("send the configured alert for a step of a run (an orchestrator's failure or retry callback)"), false)
    .option('--run-id <id>', 'the run (required)')
    .option('--step <name>', 'the step (required)')
    .addOption(new Option('--event <event>', 'which alert').choices(['failure', 'retry', 'success', 'audit_warning']).default('failure'))
    .option('--attempt <n>', 'the attempt that failed')
    .option('--max-attempts <n>', 'attempts allowed')
    .option('--error <text>', 'error text when the step recorded none (it never started)')
    .action(async (_: unknown, cmd: Command) => {
      const flags = cmd.optsWithGlobals<Record<string, unknown> & { logFormat?: string; runId: string; step: string | string[]; event: 'failure'; attempt?: string; maxAttempts?: string; error?: string }>();
      const cons = kit.makeConsole(flags);
      if (Array.isArray(flags.step)) flags.step = flags.step[0];
      if (!flags.runId || !flags.step) {
        cons.emit({ type: 'error', msg: 'mflow pipeline alert needs --run-id and --step' });
        kit.setCode(2);
        return;
      }
      const { alertFromHistory } = await runner();
      const r = await alertFromHistory({ ...kit.common(flags, cons), runId: flags.runId, step: flags.step as string, event: flags.event, attempt: flags.attempt ? Number(flags.attempt) : undefined, maxAttempts: flags.maxAttempts ? Number(flags.maxAttempts) : undefined, error: flags.error });
      cons.emit({ type: 'info', msg: `Alert ${flags.event} for ${String(flags.step)} of run ${flags.runId}: ${r.sent} sent, ${r.failed} failed` });
      kit.setCode(0);
    });

  const airflow = program.commands.find((c) => c.name() === 'airflow') ?? program.command('airflow').description('Airflow integration');
  kit
    .addCommon(airflow.command('export').description('write an Airflow 3 DAG file that runs this pipeline with mflow'), false)
    .option('-o, --output <path>', 'the DAG file', 'dags/mediflow_pipeline.py')
    .addOption(new Option('--tasks <mode>', 'one task per pipeline step, or one per model in task groups by layer').choices(['steps', 'models']).default('steps'))
    .option('--mflow <command>', 'how the Airflow worker runs mflow', 'npx mflow')
    .option('--project-path <dir>', 'the project folder as the worker sees it (default: this project folder)')
    .option('--dag-id <id>', 'the DAG id (default: pipeline.dag_id, else the project name)')
    .action(async (flags: Record<string, unknown> & { logFormat?: string; output: string; tasks: 'steps' | 'models'; mflow: string; projectPath?: string; dagId?: string }) => {
      const cons = kit.makeConsole(flags);
      const { exportDag } = await import('../airflow/export.js');
      const r = await exportDag({ ...kit.common(flags, cons), output: flags.output, mode: flags.tasks, mflow: flags.mflow, projectPath: flags.projectPath, dagId: flags.dagId });
      cons.emit({ type: 'info', msg: `Wrote ${r.path}: DAG ${r.dagId} with ${r.tasks} tasks` });
      kit.setCode(0);
    });
}
