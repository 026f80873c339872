/**
 * The `pipeline:` section of project.yml: defaults, located errors for bad input, the backoff
 * arithmetic, the publish statements of both dialects, and the alert payloads.
 */
import { describe, expect, it } from 'vitest';
import { backoffDelay, validatePipeline } from '../../src/pipeline/config.js';
import { parseYaml } from '../../src/util/yaml.js';
import { DuckDBDialect } from '../../src/adapters/duckdb/dialect.js';
import { SnowflakeDialect } from '../../src/adapters/snowflake/dialect.js';
import { slackMessage } from '../../src/alerts/slack.js';
import { plainText, type Alert } from '../../src/alerts/types.js';
import { MflowError } from '../../src/errors.js';

const load = (yaml: string, env: NodeJS.ProcessEnv = {}) => {
  const yf = parseYaml<Record<string, unknown>>(`name: p\n${yaml}`, 'project.yml');
  return validatePipeline(yf.data.pipeline, 'p', yf, { env });
};
const err = (yaml: string, env: NodeJS.ProcessEnv = {}): MflowError => {
  try {
    load(yaml, env);
  } catch (e) {
    return e as MflowError;
  }
  throw new Error('no error');
};

describe('pipeline: configuration', () => {
  it('defaults reproduce the MediFlow workflow', () => {
    const c = load('');
    expect(c.steps.map((s) => `${s.name}:${s.command}`)).toEqual(['check_sources:check_sources', 'load_raw:ingest', 'audit:audit', 'seed:seed', 'staging:run', 'core:run', 'marts:run', 'test:test', 'publish:publish']);
    expect(c.steps.find((s) => s.name === 'test')!.freshness).toBe(true);
    expect(c.audit).toEqual({ rowCountDropPct: 20, schemaChange: 'fail' });
    expect(c.publish.schemas).toEqual(['marts']);
    expect(c.dagId).toBe('p');
  });

  it('reads steps, durations and backoff', () => {
    const c = load('pipeline:\n  defaults: {retries: 3, timeout: 2m}\n  steps:\n    - {name: a, command: run, select: "tag:x tag:y", backoff: {type: fixed, delay: 1.5s}}\n    - {name: b, command: publish, retries: 0, timeout: 1h}\n');
    expect(c.steps[0]).toMatchObject({ select: ['tag:x', 'tag:y'], retries: 3, timeout: 120, backoff: { type: 'fixed', delay: 1.5, maxDelay: 300, jitter: true } });
    expect(c.steps[1]).toMatchObject({ retries: 0, timeout: 3600 });
  });

  it('bad input gives an error with the line and a hint', () => {
    const e1 = err('pipeline:\n  steps:\n    - {name: a, command: run}\n    - {name: b, command: audti}\n');
    expect(e1.message).toBe("pipeline.steps.1.command: unknown command 'audti' (did you mean 'audit'?)");
    expect([e1.file, e1.line]).toEqual(['project.yml', 5]);
    const e2 = err('pipeline:\n  defaults:\n    timeout: soon\n');
    expect(e2.message).toMatch(/pipeline\.defaults\.timeout: 'soon' is not a duration/);
    expect(e2.line).toBe(4);
    expect(err('pipeline:\n  stepz: []\n').message).toMatch(/unknown key 'stepz' \(did you mean 'steps'\?\)/);
    expect(err('pipeline:\n  steps:\n    - {name: a, command: run}\n    - {name: a, command: seed}\n').message).toMatch(/step name 'a' is used twice/);
    expect(err('pipeline:\n  audit: {schema_change: ignore}\n').message).toMatch(/must be warn or fail/);
    expect(err('pipeline:\n  schedule: "every day"\n').message).toMatch(/neither a 5-field cron expression nor a preset/);
  });

  it('secrets come only from env_var(); a missing variable is a located error', () => {
    const lit = err('pipeline:\n  alerts:\n    slack: {webhook_url: "https://hooks.slack.com/services/T/B/X"}\n');
    expect(lit.message).toMatch(/webhook_url: is a secret and must come from the environment/);
    expect(lit.hint).toMatch(/env_var\('SLACK_WEBHOOK_URL'\)/);
    const missing = err('pipeline:\n  alerts:\n    slack: {webhook_url: "{{ env_var(\'HOOK\') }}"}\n');
    expect(missing.message).toMatch(/Env var required but not provided: 'HOOK'/);
    expect(missing.line).toBe(4);
    const ok = load('pipeline:\n  alerts:\n    slack: {webhook_url: "{{ env_var(\'HOOK\') }}"}\n    email: {host: h, from: a@b, to: x@y, user: u, password: "{{ env_var(\'PW\') }}", port: 2525, starttls: true}\n', { HOOK: 'http://127.0.0.1:9/x', PW: 'pw' });
    expect(ok.alerts.slack!.webhookUrl).toBe('http://127.0.0.1:9/x');
    expect(ok.alerts.email).toMatchObject({ host: 'h', port: 2525, starttls: true, secure: false, user: 'u', password: 'pw', to: ['x@y'] });
  });

  it('backoff: fixed, exponential capped at max_delay, jitter between half and all of it', () => {
    const fixed = { type: 'fixed' as const, delay: 5, maxDelay: 60, jitter: false };
    expect([1, 2, 3].map((n) => backoffDelay(fixed, n))).toEqual([5, 5, 5]);
    const exp = { type: 'exponential' as const, delay: 5, maxDelay: 30, jitter: false };
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(exp, n))).toEqual([5, 10, 20, 30, 30]);
    const j = { ...exp, jitter: true };
    expect(backoffDelay(j, 2, () => 0)).toBe(5);
    expect(backoffDelay(j, 2, () => 0.999999)).toBeCloseTo(10, 3);
  });

  it('publish statements: one DuckDB transaction over every table; Snowflake swaps the schemas', () => {
    const pairs = [{ staging: 'marts__staging', live: 'marts', tables: ['mart_a', 'mart_b'] }];
    expect(new DuckDBDialect().publishSchemas(null, pairs).map((x) => x.sql)).toEqual([
      'begin transaction',
      'create schema if not exists "marts"',
      'create or replace table "marts"."mart_a" as select * from "marts__staging"."mart_a"',
      'create or replace table "marts"."mart_b" as select * from "marts__staging"."mart_b"',
      'commit',
    ]);
    expect(new SnowflakeDialect({}).publishSchemas('MEDIFLOW', pairs).map((x) => x.sql)).toEqual(['create schema if not exists MEDIFLOW.MARTS', 'alter schema MEDIFLOW.MARTS__STAGING swap with MEDIFLOW.MARTS']);
    // Two schemas on Snowflake: both live schemas exist before the first swap, and the swaps come back to back.
    const two = [...pairs, { staging: 'finance__staging', live: 'finance', tables: ['f'] }];
    expect(new SnowflakeDialect({}).publishSchemas('MEDIFLOW', two).map((x) => x.sql)).toEqual([
      'create schema if not exists MEDIFLOW.MARTS',
      'create schema if not exists MEDIFLOW.FINANCE',
      'alter schema MEDIFLOW.MARTS__STAGING swap with MEDIFLOW.MARTS',
      'alter schema MEDIFLOW.FINANCE__STAGING swap with MEDIFLOW.FINANCE',
    ]);
  });

  it('alert payloads carry run, step, node, error, attempt n of m, log excerpt and docs link', () => {
    const a: Alert = { event: 'failure', project: 'mediflow', runId: 'r1', step: 'marts', node: 'model.mediflow.mart_x', error: 'boom', logExcerpt: 'line 1\nline 2', attempt: 2, maxAttempts: 3, docsLink: 'http://d/#/node/model.mediflow.mart_x', at: '2026-01-01T00:00:00Z' };
    const m = slackMessage(a) as { text: string; blocks: Array<Record<string, unknown>> };
    expect(m.text).toBe('[mediflow] pipeline step marts FAILED (run r1)');
    expect(m.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: m.text } });
    const j = JSON.stringify(m.blocks);
    for (const x of ['*Attempt*\\n2 of 3', '<http://d/#/node/model.mediflow.mart_x|model.mediflow.mart_x>', '*Error*\\nboom', 'line 1\\nline 2']) expect(j).toContain(x);
    expect(plainText(a)).toContain('Step: marts (attempt 2 of 3)\nNode: model.mediflow.mart_x\nError: boom\nDocs: http://d/#/node/model.mediflow.mart_x');
  });
});
