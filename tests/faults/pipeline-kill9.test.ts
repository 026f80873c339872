import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaptureConsole } from '../../src/console/console.js';
import { History } from '../../src/pipeline/history.js';
import { HOST } from '../../src/pipeline/liveness.js';
import { pipelineStatus, runPipeline } from '../../src/pipeline/runner.js';
import { createAdapter } from '../../src/adapters/index.js';
import { ROOT, cleanup, ensureBuilt, mflow, scratch, withDb, writeFiles } from './helpers.js';

/**
 * Issue 12: `mflow pipeline` killed with SIGKILL in the middle of a step cannot record its end.
 * The run held its pid and host in pipeline_heartbeats; the next `mflow pipeline status` sees the
 * pid is gone and marks the run and its running step `killed`, and `--resume` continues it from
 * that step. A run whose owner is alive is neither marked nor resumable.
 */
const project = {
  'project.yml': `name: pk9
version: 1.0.0
targets:
  default: dev
  dev:
    type: duckdb
    path: pk9.duckdb
    threads: 2
pipeline:
  history_schema: mflow_pipeline
  defaults: {retries: 0, timeout: 10m}
  lineage: {transport: none}
  steps:
    - {name: first, command: run, select: "first"}
    - {name: slow, command: run, select: "slow"}
    - {name: last, command: run, select: "last"}
`,
  'models/first.sql': "{{ config(materialized='table') }}\nselect 1 as id",
  // With --vars '{n: 1000000}' this takes minutes: the process is killed in it.
  'models/slow.sql': "{{ config(materialized='table') }}\nselect sum((a.range * 7 + b.range) % 13) as s from range({{ var('n', 10) }}) a, range(100000) b",
  'models/last.sql': "{{ config(materialized='table') }}\nselect s from {{ ref('slow') }}",
};

describe('mflow pipeline killed with SIGKILL', () => {
  let dir: string;
  beforeAll(() => {
    ensureBuilt();
    dir = scratch('pipeline-kill9');
    writeFiles(dir, project);
  });
  afterAll(() => cleanup(dir));
  const db = () => join(dir, 'pk9.duckdb');

  it('is marked killed by the next `pipeline status` and `--resume` finishes it', async () => {
    const child = spawn(process.execPath, [join(ROOT, 'bin/mflow'), 'pipeline', '--project-dir', dir, '--no-generate', '--vars', '{n: 1000000}'], { env: { ...process.env, FORCE_COLOR: '0', CI: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    const exited = new Promise<NodeJS.Signals | null>((res) => child.on('exit', (_, sig) => res(sig)));
    await new Promise<void>((res, rej) => {
      const t = setInterval(() => {
        if (/\[2\/3\] slow .*START/.test(out)) {
          clearInterval(t);
          // Let the slow query get going, then kill -9.
          setTimeout(() => {
            child.kill('SIGKILL');
            res();
          }, 500);
        }
      }, 20);
      child.on('exit', () => {
        clearInterval(t);
        rej(new Error(`mflow exited before the slow step:\n${out}`));
      });
    });
    expect(await exited).toBe('SIGKILL');
    const runId = /Pipeline \S+ run (\S+):/.exec(out)![1];

    // What the killed process left: the run and its step recorded as running, its pid as owner.
    const left = await withDb(db(), async (q) => ({
      run: await q(`select status from mflow_pipeline.pipeline_runs where run_id = '${runId}'`),
      steps: await q(`select step, status from mflow_pipeline.pipeline_steps where run_id = '${runId}' order by started_at`),
      owner: await q(`select pid, host from mflow_pipeline.pipeline_heartbeats where run_id = '${runId}'`),
    }));
    expect(left.run).toEqual([{ status: 'running' }]);
    expect(left.steps).toEqual([{ step: 'first', status: 'success' }, { step: 'slow', status: 'running' }]);
    expect(left.owner).toEqual([{ pid: child.pid, host: HOST }]);

    // The next `mflow pipeline status` marks it killed, naming the pid.
    const st = mflow(dir, ['pipeline', 'status']);
    expect(st.code, st.out + st.err).toBe(0);
    expect(st.out + st.err).toMatch(new RegExp(`Run ${runId} was recorded as running, but its process \\(pid ${child.pid} on .*\\) ended .*marked killed`));
    expect(st.out).toMatch(new RegExp(`Run ${runId}: KILLED`));
    const s = await pipelineStatus({ projectDir: dir, runId });
    expect(s.runs[0]).toMatchObject({ run_id: runId, status: 'killed' });
    expect(s.runs[0].finished_at).toBeTruthy();
    expect(s.steps[runId].map((x) => `${x.step}:${x.status}`)).toEqual(['first:success', 'slow:killed']);
    expect(s.steps[runId][1].error).toMatch(new RegExp(`pid ${child.pid}`));

    // --resume (the latest unfinished run) continues from the killed step; attempts keep counting.
    const r = mflow(dir, ['pipeline', '--resume', '--no-generate', '--vars', '{n: 10}'], { CI: '1' });
    expect(r.code, r.out + r.err).toBe(0);
    expect(r.out + r.err).toMatch(new RegExp(`Resuming run ${runId}; already done: first`));
    const after = await pipelineStatus({ projectDir: dir, runId });
    expect(after.runs[0].status).toBe('success');
    expect(after.steps[runId].map((x) => `${x.step}:${x.attempt}:${x.status}`)).toEqual(['first:1:success', 'slow:1:killed', 'slow:2:success', 'last:1:success']);
    const rest = await withDb(db(), async (q) => ({ owners: await q('select * from mflow_pipeline.pipeline_heartbeats'), last: await q('select s from main.last') }));
    expect(rest.owners).toEqual([]);
    expect(rest.last.length).toBe(1);
  }, 300_000);

  it('a run whose owner is alive stays running and cannot be resumed', async () => {
    // Record a run owned by this (live) test process, as a concurrent mflow pipeline would.
    const { loadProject } = await import('../../src/project/load.js');
    const adapter = await createAdapter(loadProject({ projectDir: dir }).target);
    const now = new Date().toISOString();
    try {
      const h = new History(adapter, 'mflow_pipeline', null);
      await h.ensure();
      await h.startRun({ run_id: 'live-run', status: 'running', started_at: now, finished_at: null, trigger: 'cli', error: null });
      await h.claim({ run_id: 'live-run', pid: process.ppid, host: HOST, started_at: now, heartbeat_at: now });
    } finally {
      await adapter.close();
    }
    const s = await pipelineStatus({ projectDir: dir, runId: 'live-run' });
    expect(s.runs[0].status).toBe('running');
    await expect(runPipeline({ projectDir: dir, resume: true, runId: 'live-run', console: new CaptureConsole() })).rejects.toThrow(/Run live-run is still running \(pid \d+ on /);
    expect((await pipelineStatus({ projectDir: dir, runId: 'live-run' })).runs[0].status).toBe('running');
  }, 120_000);
});
