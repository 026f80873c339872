/**
 * Issue 12: `mflow pipeline` on MediFlow (DuckDB, a 300-beneficiary sample) with a fault injected
 * at each step: a missing source file, schema drift, a row-count drop, a failing test, alert
 * servers that are down, a killed process. Each must give the expected alerts on real local
 * servers (SMTP with STARTTLS and auth, an HTTP webhook), the expected retries, a run history that
 * says what happened, and marts that are all old or all new.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaptureConsole } from '../../src/console/console.js';
import { runPipeline, pipelineStatus, type PipelineOptions } from '../../src/pipeline/runner.js';
import { query } from '../functional/helpers.js';
import { copyProject, generate } from '../mediflow/pipeline.js';
import { fingerprint, setPipeline } from './project.js';
import { closedPort, slackText, startSmtp, startWebhook, type MailSink, type WebhookSink } from './servers.js';

const REPO = resolve(import.meta.dirname, '..', '..');

const PIPELINE = `
  history_schema: mflow_pipeline
  defaults:
    retries: 1
    backoff: {type: exponential, delay: 0.1s, max_delay: 1s, jitter: true}
    timeout: 5m
  audit: {row_count_drop_pct: 20, schema_change: fail}
  alerts:
    events: [failure, retry, audit_warning, success]
    docs_url: http://docs.mediflow.test
    slack: {webhook_url: "{{ env_var('TEST_SLACK_URL') }}"}
    email:
      host: 127.0.0.1
      port: "{{ env_var('TEST_SMTP_PORT') }}"
      starttls: true
      tls_insecure: true
      user: alerts
      password: "{{ env_var('TEST_SMTP_PASSWORD') }}"
      from: mediflow@example.org
      to: [oncall@example.org]
  steps:
    - {name: check_sources, command: check_sources, exclude: "source:raw.nppes_weekly source:raw.nppes_deactivated", backoff: {type: fixed, delay: 0.1s}}
    - {name: load_raw, command: ingest, full_refresh: true}
    - {name: audit, command: audit, retries: 0}
    - {name: seed, command: seed}
    - {name: staging, command: run, select: "path:models/staging"}
    - {name: core, command: run, select: "path:models/core"}
    - {name: marts, command: run, select: "path:models/marts"}
    - {name: test, command: test, freshness: true, retries: 0}
    - {name: publish, command: publish}
`;

let dir: string;
let db: string;
let smtp: MailSink;
let hook: WebhookSink;
let env: NodeJS.ProcessEnv;
const synpuf = () => join(dir, 'data', 'synpuf');
const fileLike = (re: RegExp) => join(synpuf(), readdirSync(synpuf()).find((f) => re.test(f))!);

async function run(extra: Partial<PipelineOptions> = {}) {
  const console = new CaptureConsole();
  const r = await runPipeline({ projectDir: dir, console, env, ...extra });
  return { ...r, console, text: console.events.map((e) => ('msg' in e ? e.msg : '')).join('\n') };
}

async function historyOf(runId: string) {
  const s = await pipelineStatus({ projectDir: dir, env, runId });
  return { run: s.runs[0], steps: s.steps[runId] };
}

/** Alerts received since the given counts, as plain text: [slack..., mail...]. */
function alertsSince(n: { posts: number; mails: number }) {
  return { slack: hook.posts.slice(n.posts), mail: smtp.mails.slice(n.mails) };
}
const mark = () => ({ posts: hook.posts.length, mails: smtp.mails.length });

describe('mflow pipeline: faults, retries, alerts, history and atomic publish', () => {
  beforeAll(async () => {
    dir = copyProject();
    db = join(dir, 'data', 'mediflow.duckdb');
    await generate(dir, 300, 12);
    setPipeline(dir, PIPELINE);
    smtp = await startSmtp('alerts', 's3cret');
    hook = await startWebhook();
    env = { ...process.env, TEST_SLACK_URL: hook.url, TEST_SMTP_PORT: String(smtp.port), TEST_SMTP_PASSWORD: 's3cret' };
  });
  afterAll(async () => {
    await smtp?.close();
    await hook?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a green run builds, tests and publishes the marts, records every step and alerts success', async () => {
    const m = mark();
    const r = await run();
    expect(r.status, r.text).toBe('success');
    expect(r.text).not.toMatch(/alert to \w+ failed/);
    expect(r.steps.map((s) => `${s.step}:${s.status}`)).toEqual(['check_sources', 'load_raw', 'audit', 'seed', 'staging', 'core', 'marts', 'test', 'publish'].map((s) => `${s}:success`));
    expect(await fingerprint(db)).toEqual(await fingerprint(db, 'marts__staging'));
    const h = await historyOf(r.runId);
    expect(h.run.status).toBe('success');
    expect(h.steps).toHaveLength(9);
    expect(Number(h.steps.find((s) => s.step === 'load_raw')!.rows)).toBeGreaterThan(1000);
    const results = JSON.parse(readFileSync(join(dir, 'target', 'pipeline_results.json'), 'utf8'));
    expect(results.run.run_id).toBe(r.runId);
    expect(results.steps).toHaveLength(9);
    const a = alertsSince(m);
    expect(a.slack.map((p) => p.text)).toEqual([`[mediflow] pipeline succeeded (run ${r.runId})`]);
    expect(a.mail.map((x) => x.subject)).toEqual([`[mediflow] pipeline succeeded (run ${r.runId})`]);
    // Mail went over STARTTLS, logged in with the password from the environment.
    expect(smtp.tls.at(-1)).toBe(true);
    expect(smtp.logins.at(-1)).toBe('alerts');
  });

  it('a missing optional source (meta: {optional: true}) warns, is not loaded, and the run goes on', async () => {
    const props = join(dir, 'models', 'raw', 'sources.yml');
    const yml = readFileSync(props, 'utf8');
    writeFileSync(props, yml.replace('      - name: pde\n', '      - name: pde\n        meta: {optional: true}\n'));
    const f = fileLike(/Prescription_Drug_Events/);
    renameSync(f, f + '.away');
    const m = mark();
    try {
      const r = await run();
      expect(r.status, r.text).toBe('success');
      expect(r.steps[0]).toMatchObject({ step: 'check_sources', status: 'warn' });
      expect(r.steps[0].warnings.join('\n')).toMatch(/optional source raw\.pde is not available: no file matches .*Prescription_Drug_Events_Sample_\*\.csv/);
      // Loaded as absent: its RAW table exists (empty after this full refresh), nothing fails downstream.
      expect(r.text).toMatch(/ABSENT data\/synpuf\/DE1_0_2008_to_2010_Prescription_Drug_Events_Sample_\*\.csv/);
      const a = alertsSince(m);
      // The check warns, and so does the test step: the absent source's freshness is not judged (no rows).
      expect(a.slack.map((p) => p.text)).toEqual([`[mediflow] pipeline step check_sources audit warning (run ${r.runId})`, `[mediflow] pipeline step test audit warning (run ${r.runId})`, `[mediflow] pipeline succeeded (run ${r.runId})`]);
      expect(slackText(a.slack[1])).toMatch(/raw\.pde.*optional source with no rows/);
      expect(slackText(a.slack[0])).toContain('raw.pde');
    } finally {
      renameSync(f + '.away', f);
      writeFileSync(props, yml);
    }
  });

  it('a missing required source file fails check_sources after its retry, alerts naming the file, and leaves the marts as they were', async () => {
    const before = await fingerprint(db);
    // Every claim type is optional (a partial CMS sample builds); the beneficiary files are required.
    const files = readdirSync(synpuf()).filter((x) => /Beneficiary_Summary/.test(x)).map((x) => join(synpuf(), x));
    for (const f of files) renameSync(f, f + '.away');
    const m = mark();
    try {
      const r = await run();
      expect(r.status).toBe('failed');
      expect(r.steps.map((s) => `${s.step}#${s.attempt}:${s.status}`)).toEqual(['check_sources#1:failed', 'check_sources#2:failed']);
      expect(r.steps[0].error).toMatch(/raw\.beneficiary.*Beneficiary_Summary_File_Sample_\*\.csv/);
      const a = alertsSince(m);
      expect(a.slack.map((p) => p.text)).toEqual([`[mediflow] pipeline step check_sources is retrying (run ${r.runId})`, `[mediflow] pipeline step check_sources FAILED (run ${r.runId})`]);
      const failure = slackText(a.slack[1]);
      expect(failure).toContain('2 of 2');
      expect(failure).toContain('Beneficiary_Summary_File_Sample_*.csv');
      expect(failure).toContain('http://docs.mediflow.test/#/node/source.mediflow.raw.beneficiary');
      expect(a.mail.map((x) => x.subject)).toEqual(a.slack.map((p) => p.text));
      expect(a.mail[1].text).toMatch(/Step: check_sources \(attempt 2 of 2\)/);
      expect(a.mail[1].text).toMatch(/Node: source\.mediflow\.raw\.beneficiary/);
      expect(a.mail[1].text).toMatch(/Log excerpt:\n[\s\S]*MISSING raw\.beneficiary/);
      const h = await historyOf(r.runId);
      expect(h.run.status).toBe('failed');
      expect(h.run.error).toMatch(/check_sources/);
      expect(await fingerprint(db)).toEqual(before);
    } finally {
      for (const f of files) renameSync(f + '.away', f);
    }
  });

  it('schema drift in a delivered file fails load_raw naming the file; nothing is loaded from it and the marts stay', async () => {
    const before = await fingerprint(db);
    const f = fileLike(/2010_Beneficiary/);
    copyFileSync(f, f + '.orig');
    const text = readFileSync(f, 'utf8');
    writeFileSync(f, text.replace('BENE_ESRD_IND', 'BENE_ESRD_FLAG'));
    const m = mark();
    try {
      const r = await run();
      expect(r.status).toBe('failed');
      expect(r.steps.map((s) => `${s.step}#${s.attempt}:${s.status}`)).toEqual(['check_sources#1:success', 'load_raw#1:failed', 'load_raw#2:failed']);
      expect(r.steps[1].error).toMatch(/DE1_0_2010_Beneficiary_Summary_File_Sample_1\.csv/);
      expect(r.steps[1].error).toMatch(/BENE_ESRD_FLAG|BENE_ESRD_IND/);
      const a = alertsSince(m);
      expect(a.slack.at(-1)!.text).toBe(`[mediflow] pipeline step load_raw FAILED (run ${r.runId})`);
      expect(slackText(a.slack.at(-1)!)).toContain('DE1_0_2010_Beneficiary_Summary_File_Sample_1.csv');
      expect(await fingerprint(db)).toEqual(before);
    } finally {
      renameSync(f + '.orig', f);
    }
  });

  it('with on_schema_mismatch: warn the drifted file is skipped with a warning, and the audit fails on the column change', async () => {
    const before = await fingerprint(db);
    const props = join(dir, 'models', 'raw', 'sources.yml');
    const yml = readFileSync(props, 'utf8');
    writeFileSync(props, yml.replace('Beneficiary_Summary_File_Sample_*.csv"\n          format: csv\n', 'Beneficiary_Summary_File_Sample_*.csv"\n          format: csv\n          on_schema_mismatch: warn\n'));
    const f = fileLike(/2010_Beneficiary/);
    copyFileSync(f, f + '.orig');
    writeFileSync(f, readFileSync(f, 'utf8').replace('BENE_ESRD_IND', 'BENE_ESRD_FLAG'));
    const m = mark();
    try {
      const r = await run();
      expect(r.status).toBe('failed');
      expect(r.steps.map((s) => `${s.step}:${s.status}`)).toEqual(['check_sources:success', 'load_raw:warn', 'audit:failed']);
      expect(r.steps[2].error).toContain('schema of raw.beneficiary changed since the last successful load (added BENE_ESRD_FLAG; removed BENE_ESRD_IND) in data/synpuf/DE1_0_2010_Beneficiary_Summary_File_Sample_1.csv');
      const a = alertsSince(m);
      expect(a.slack.map((p) => p.text)).toEqual([`[mediflow] pipeline step load_raw audit warning (run ${r.runId})`, `[mediflow] pipeline step audit FAILED (run ${r.runId})`]);
      expect(await fingerprint(db)).toEqual(before);
    } finally {
      renameSync(f + '.orig', f);
      writeFileSync(props, yml);
    }
  });

  it('a row-count drop of more than 20 % fails the audit (no retry), and the marts stay', async () => {
    const before = await fingerprint(db);
    const f = fileLike(/Carrier_Claims_Sample_1A/);
    copyFileSync(f, f + '.orig');
    const lines = readFileSync(f, 'utf8').split('\n');
    writeFileSync(f, lines.slice(0, Math.floor(lines.length / 4)).join('\n') + '\n');
    const m = mark();
    try {
      const r = await run();
      expect(r.status).toBe('failed');
      expect(r.steps.map((s) => `${s.step}:${s.status}`)).toEqual(['check_sources:success', 'load_raw:success', 'audit:failed']);
      expect(r.steps[2].error).toMatch(/raw"?\."?carrier"? has \d+ rows, \d+\.\d % fewer than the \d+ of the last successful load \(limit 20 %\)/);
      const a = alertsSince(m);
      expect(a.slack.map((p) => p.text)).toEqual([`[mediflow] pipeline step audit FAILED (run ${r.runId})`]);
      expect(slackText(a.slack[0])).toContain('1 of 1');
      expect(await fingerprint(db)).toEqual(before);
    } finally {
      renameSync(f + '.orig', f);
    }
  });

  let failedRun = '';
  let published: Record<string, string> = {};
  it('a failing test stops the run before publish: new marts stay in marts__staging, live marts are all old; --resume publishes all new', async () => {
    const before = await fingerprint(db);
    const bad = join(dir, 'tests', 'data', 'assert_injected_failure.sql');
    writeFileSync(bad, "-- injected by the pipeline fault test\nselect * from {{ ref('mart_readmission') }}\n");
    // A different suppression threshold changes mart_readmission (and only it) in this run.
    const vars = { small_denominator_threshold: 1000 };
    const m = mark();
    const r = await run({ vars });
    failedRun = r.runId;
    expect(r.status).toBe('failed');
    expect(r.steps.at(-1)!.step).toBe('test');
    expect(r.steps.at(-1)!.node).toBe('test.mediflow.assert_injected_failure');
    const staged = await fingerprint(db, 'marts__staging');
    expect(staged.mart_readmission).not.toBe(before.mart_readmission);
    expect(await fingerprint(db)).toEqual(before);
    const a = alertsSince(m);
    expect(slackText(a.slack.at(-1)!)).toContain('test.mediflow.assert_injected_failure');
    expect(a.mail.at(-1)!.text).toMatch(/Docs: http:\/\/docs\.mediflow\.test\/#\/node\/test\.mediflow\.assert_injected_failure/);

    rmSync(bad);
    const again = await run({ vars, resume: true });
    expect(again.runId).toBe(failedRun);
    expect(again.status, again.text).toBe('success');
    expect(again.steps.map((s) => s.step)).toEqual(['test', 'publish']);
    published = await fingerprint(db);
    expect(published).toEqual(staged);
    const h = await historyOf(failedRun);
    expect(h.run.status).toBe('success');
    expect(h.steps.filter((s) => s.step === 'test').map((s) => s.status), JSON.stringify(h.steps) + again.text).toEqual(['failed', 'success']);
  });

  it('alert servers down (webhook 500, SMTP refused) are logged and change nothing in the result', async () => {
    const bad = join(dir, 'tests', 'data', 'assert_injected_failure.sql');
    writeFileSync(bad, "select * from {{ ref('mart_readmission') }}\n");
    hook.status = 500;
    const down = { ...env, TEST_SMTP_PORT: String(await closedPort()) };
    try {
      const console = new CaptureConsole();
      const r = await runPipeline({ projectDir: dir, console, env: down, vars: { small_denominator_threshold: 1000 } });
      const text = console.events.map((e) => ('msg' in e ? e.msg : '')).join('\n');
      expect(r.status).toBe('failed');
      expect(r.steps.at(-1)!.step).toBe('test');
      expect(text).toMatch(/alert to slack failed \(the pipeline result is unchanged\): Slack webhook answered HTTP 500/);
      expect(text).toMatch(/alert to email failed \(the pipeline result is unchanged\): .*ECONNREFUSED/);
      expect(await fingerprint(db)).toEqual(published);
    } finally {
      hook.status = 200;
      rmSync(bad, { force: true });
    }
  });

  it('SIGTERM stops the running step, records the run as cancelled, publishes nothing; --resume finishes it', async () => {
    const before = await fingerprint(db);
    const child = spawn(process.execPath, [join(REPO, 'bin', 'mflow'), 'pipeline', '--project-dir', dir, '--no-generate'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    await new Promise<void>((res, rej) => {
      const t = setInterval(() => {
        if (/\[6\/9\] core .*START/.test(out)) {
          clearInterval(t);
          child.kill('SIGTERM');
          res();
        }
      }, 20);
      child.on('exit', () => {
        clearInterval(t);
        rej(new Error(`mflow exited before the core step:\n${out}`));
      });
    });
    const code = await new Promise<number | null>((res) => child.on('exit', (c) => res(c)));
    expect(out).toMatch(/SIGTERM: stopping the running step/);
    expect(code).toBe(130);
    const runId = /Pipeline \S+ run (\S+):/.exec(out)![1];
    const h = await historyOf(runId);
    expect(h.run.status).toBe('cancelled');
    expect(h.steps.some((s) => s.status === 'cancelled'), JSON.stringify(h.steps) + out).toBe(true);
    expect(h.steps.some((s) => s.step === 'publish')).toBe(false);
    expect(await fingerprint(db)).toEqual(before);
    // No half-built table: the marts staging schema holds exactly the three marts.
    expect((await query(db, "select count(*) as n from information_schema.tables where table_schema = 'marts__staging'"))[0].n).toBe(3);

    const r = await run({ resume: true, runId });
    expect(r.status, r.text).toBe('success');
    expect(r.steps[0].step).toMatch(/core|marts|test/);
    expect((await historyOf(runId)).run.status).toBe('success');
    // Default vars again: the marts are back to the first run's figures, all of them.
    expect(await fingerprint(db)).toEqual(await fingerprint(db, 'marts__staging'));
  });

  it('a step past its timeout has its queries cancelled and fails with the timeout named', async () => {
    setPipeline(dir, PIPELINE.replace('{name: core, command: run, select: "path:models/core"}', '{name: core, command: run, select: "path:models/core", timeout: 1ms, retries: 0}'));
    try {
      const before = await fingerprint(db);
      const r = await run();
      expect(r.status).toBe('failed');
      expect(r.steps.at(-1)).toMatchObject({ step: 'core', status: 'failed' });
      expect(r.steps.at(-1)!.error).toMatch(/timed out after 0\.001s/);
      expect(await fingerprint(db)).toEqual(before);
    } finally {
      setPipeline(dir, PIPELINE);
    }
  });
});
