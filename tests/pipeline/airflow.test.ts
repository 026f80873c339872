/**
 * Issue 12: the DAG `mflow airflow export` writes, in real Airflow 3.3 (the Python oracle
 * environment): loaded by DagBag without import errors and with the expected tasks and edges (per
 * step, and per model in task groups), then run with `airflow dags test` against a SQLite metadata
 * database, building MediFlow on DuckDB end to end. A second run injects a failing model: Airflow
 * retries the task, mflow records both attempts, and the retry and failure callbacks send mflow's
 * alerts to a local webhook.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportDag } from '../../src/airflow/export.js';
import { CaptureConsole } from '../../src/console/console.js';
import { pipelineStatus } from '../../src/pipeline/runner.js';
import { pythonEnv, PYENV_TIMEOUT_MS, type PythonEnv } from '../oracles/python-env.js';
import { copyProject, generate } from '../mediflow/pipeline.js';
import { fingerprint, setPipeline } from './project.js';
import { slackText, startWebhook, type WebhookSink } from './servers.js';

const run = promisify(execFile);
const REPO = resolve(import.meta.dirname, '..', '..');
const MFLOW = `${process.execPath} ${join(REPO, 'bin', 'mflow')}`;

const PIPELINE = `
  schedule: "30 5 * * *"
  defaults:
    retries: 1
    backoff: {type: fixed, delay: 1s, jitter: false}
    timeout: 10m
  alerts:
    events: [failure, retry]
    docs_url: http://docs.mediflow.test
    slack: {webhook_url: "{{ env_var('TEST_SLACK_URL') }}"}
  steps:
    - {name: check_sources, command: check_sources, exclude: "source:raw.nppes_weekly source:raw.nppes_deactivated"}
    - {name: load_raw, command: ingest}
    - {name: audit, command: audit, retries: 0}
    - {name: seed, command: seed}
    - {name: staging, command: run, select: "path:models/staging"}
    - {name: core, command: run, select: "path:models/core"}
    - {name: marts, command: run, select: "path:models/marts", backoff: {type: exponential, delay: 1s, max_delay: 2s}}
    - {name: test, command: test, retries: 0}
    - {name: publish, command: publish}
`;

interface BagTask {
  upstream: string[];
  retries: number;
  retry_delay: number;
  exponential: boolean;
  timeout: number | null;
  operator: string;
  bash_command: string;
  has_failure_callback: boolean;
  has_retry_callback: boolean;
}
interface Bag {
  import_errors: Record<string, string>;
  dags: Record<string, { schedule: string; tasks: Record<string, BagTask> }>;
}

const DAGBAG = `
import json, sys, warnings
warnings.filterwarnings("ignore")
from airflow.dag_processing.dagbag import DagBag
bag = DagBag(dag_folder=sys.argv[1])
out = {"import_errors": {k: str(v) for k, v in bag.import_errors.items()}, "dags": {}}
for dag_id, dag in bag.dags.items():
    out["dags"][dag_id] = {"schedule": str(dag.schedule), "tasks": {t.task_id: {
        "upstream": sorted(t.upstream_task_ids), "retries": t.retries, "retry_delay": t.retry_delay.total_seconds(),
        "exponential": bool(t.retry_exponential_backoff), "timeout": t.execution_timeout.total_seconds() if t.execution_timeout else None,
        "operator": type(t).__module__ + "." + type(t).__name__, "bash_command": t.bash_command,
        "has_failure_callback": bool(t.on_failure_callback), "has_retry_callback": bool(t.on_retry_callback)} for t in dag.tasks}}
print("BAG=" + json.dumps(out))
`;

let py: PythonEnv;
let dir: string;
let home: string;
let hook: WebhookSink;
let env: NodeJS.ProcessEnv;

const airflow = (args: string[], timeout = 420_000) => run(py.bin('airflow'), args, { env, cwd: home, timeout, maxBuffer: 256 * 1024 * 1024 }).then(
  (r) => ({ code: 0, out: r.stdout + r.stderr }),
  (e: { code?: number; stdout?: string; stderr?: string }) => ({ code: e.code ?? 1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` }),
);

describe('mflow airflow export in Airflow 3', () => {
  beforeAll(async () => {
    py = await pythonEnv();
    dir = copyProject();
    await generate(dir, 300, 5);
    setPipeline(dir, PIPELINE);
    home = mkdtempSync(join(tmpdir(), 'mflow-airflow-'));
    hook = await startWebhook();
    env = py.env({
      AIRFLOW_HOME: home,
      AIRFLOW__CORE__DAGS_FOLDER: join(home, 'dags'),
      AIRFLOW__CORE__LOAD_EXAMPLES: 'False',
      AIRFLOW__DATABASE__SQL_ALCHEMY_CONN: `sqlite:///${join(home, 'airflow.db')}`,
      TEST_SLACK_URL: hook.url,
    });
    const c = new CaptureConsole();
    await exportDag({ projectDir: dir, console: c, output: join(home, 'dags', 'mediflow.py'), mode: 'steps', mflow: MFLOW });
    await exportDag({ projectDir: dir, console: c, output: join(home, 'dags', 'mediflow_models.py'), mode: 'models', mflow: MFLOW, dagId: 'mediflow_models' });
    const m = await airflow(['db', 'migrate']);
    expect(m.code, m.out.slice(-3000)).toBe(0);
  }, PYENV_TIMEOUT_MS);
  afterAll(async () => {
    await hook?.close();
    for (const d of [dir, home]) if (d) rmSync(d, { recursive: true, force: true });
  });

  it('DagBag loads both DAGs without import errors, with the steps, model task groups, policies and ref() edges', async () => {
    const r = await run(py.python, ['-c', DAGBAG, join(home, 'dags')], { env, timeout: 180_000, maxBuffer: 64 * 1024 * 1024 });
    const bag = JSON.parse(/BAG=(.*)/.exec(r.stdout)![1]) as Bag;
    expect(bag.import_errors).toEqual({});
    const steps = bag.dags.mediflow;
    expect(steps.schedule).toBe('30 5 * * *');
    expect(Object.keys(steps.tasks).sort()).toEqual(['audit', 'check_sources', 'core', 'load_raw', 'marts', 'publish', 'seed', 'staging', 'test']);
    expect(steps.tasks.load_raw.upstream).toEqual(['check_sources']);
    expect(steps.tasks.publish.upstream).toEqual(['test']);
    expect(steps.tasks.marts).toMatchObject({ retries: 1, retry_delay: 1, exponential: true, timeout: 600, operator: 'airflow.providers.standard.operators.bash.BashOperator', has_failure_callback: true, has_retry_callback: true });
    expect(steps.tasks.audit.retries).toBe(0);
    expect(steps.tasks.seed.exponential).toBe(false);
    expect(steps.tasks.marts.bash_command).toContain('pipeline --step marts --run-id "{{ run_id }}" --attempt "{{ ti.try_number }}" --max-attempts 2 --no-alerts');

    const models = bag.dags.mediflow_models.tasks;
    expect(Object.keys(models).filter((t) => t.startsWith('staging.')).sort()).toEqual(['staging.stg_admissions', 'staging.stg_claim_type_coverage', 'staging.stg_claims', 'staging.stg_patients', 'staging.stg_providers']);
    expect(Object.keys(models).filter((t) => t.startsWith('marts.')).sort()).toEqual(['marts.mart_cost_of_care', 'marts.mart_provider_utilization', 'marts.mart_readmission']);
    // ref() edges: fact_admission reads fact_claim and dim_patient; mart_readmission reads fact_admission.
    expect(models['core.fact_admission'].upstream).toEqual(expect.arrayContaining(['core.fact_claim', 'core.dim_patient', 'staging.stg_admissions']));
    expect(models['marts.mart_readmission'].upstream).toContain('core.fact_admission');
    expect(models['staging.stg_claims'].upstream).toEqual(['seed']);
    expect(models.test.upstream.sort()).toEqual(['marts.mart_cost_of_care', 'marts.mart_provider_utilization', 'marts.mart_readmission']);
    expect(models['marts.mart_readmission'].bash_command).toContain('--step marts');
    expect(models['marts.mart_readmission'].bash_command).toContain('--select mart_readmission');
  });

  it('airflow dags test runs the exported DAG green: MediFlow built on DuckDB and published, every step recorded under Airflow\'s run id', async () => {
    const r = await airflow(['dags', 'test', 'mediflow']);
    expect(r.code, r.out.slice(-4000)).toBe(0);
    expect(r.out).toMatch(/DagRun Finished: dag_id=mediflow,.*state=success/);
    const runId = /DagRun Finished: dag_id=mediflow, .*?run_id=([^,\s]+),/.exec(r.out)![1];
    const s = await pipelineStatus({ projectDir: dir, env, runId });
    expect(s.runs[0], `${runId}\n${JSON.stringify(await pipelineStatus({ projectDir: dir, env, limit: 3 }))}`).toMatchObject({ run_id: runId, status: 'success', trigger: 'orchestrator' });
    expect(s.steps[runId].map((x) => `${x.step}:${x.status}`)).toEqual(['check_sources', 'load_raw', 'audit', 'seed', 'staging', 'core', 'marts', 'test', 'publish'].map((x) => `${x}:success`));
    const db = join(dir, 'data', 'mediflow.duckdb');
    expect(await fingerprint(db)).toEqual(await fingerprint(db, 'marts__staging'));
    expect(hook.posts).toEqual([]);
  });

  it('a failing model is retried by Airflow; mflow records both attempts and the callbacks alert retry and failure', async () => {
    const db = join(dir, 'data', 'mediflow.duckdb');
    const before = await fingerprint(db);
    const f = join(dir, 'models', 'marts', 'mart_readmission.sql');
    const sql = readFileSync(f, 'utf8');
    writeFileSync(f, sql.replace(/from \{\{ ref\('fact_admission'\) \}\} as f/, "from {{ ref('fact_admission') }} as f cross join no_such_table"));
    try {
      const r = await airflow(['dags', 'test', 'mediflow']);
      expect(r.out).toMatch(/DagRun Finished: dag_id=mediflow,.*state=failed/);
      const runId = /DagRun Finished: dag_id=mediflow, .*?run_id=([^,\s]+),/.exec(r.out)![1];
      const s = await pipelineStatus({ projectDir: dir, env, runId });
      const marts = s.steps[runId].filter((x) => x.step === 'marts');
      expect(marts.map((x) => `${x.attempt}/${x.max_attempts}:${x.status}`)).toEqual(['1/2:failed', '2/2:failed']);
      expect(marts[1].node).toBe('model.mediflow.mart_readmission');
      expect(s.steps[runId].some((x) => x.step === 'publish')).toBe(false);
      expect(s.runs[0].status).toBe('failed');
      expect(hook.posts.map((p) => p.text)).toEqual([`[mediflow] pipeline step marts is retrying (run ${runId})`, `[mediflow] pipeline step marts FAILED (run ${runId})`]);
      const failure = slackText(hook.posts[1]);
      expect(failure).toContain('2 of 2');
      expect(failure).toContain('model.mediflow.mart_readmission');
      expect(failure).toMatch(/no_such_table/);
      expect(failure).toContain('http://docs.mediflow.test/#/node/model.mediflow.mart_readmission');
      expect(await fingerprint(db)).toEqual(before);
    } finally {
      writeFileSync(f, sql);
    }
  });
});
