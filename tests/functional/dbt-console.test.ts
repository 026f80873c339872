import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, test } from 'vitest';
import { build, run, show } from '../../src/api.js';
import { JsonConsole, TerminalConsole } from '../../src/console/console.js';
import { makeProject } from './helpers.js';

const files = {
  'models/eph.sql': "{{ config(materialized='ephemeral') }} select 1 as id",
  'models/a.sql': "select * from {{ ref('eph') }}",
  'models/bad.sql': 'select * from nowhere_at_all',
  'models/p.yml': 'version: 2\nmodels:\n  - name: a\n    columns:\n      - name: id\n        data_tests: [not_null, {accepted_values: {values: [2], config: {severity: warn}}}]\n',
};

const collect = () => {
  const s = new PassThrough();
  const chunks: string[] = [];
  s.on('data', (c) => chunks.push(String(c)));
  return { s, text: () => chunks.join('').replace(/\x1b\[[0-9;]*m/g, '') };
};

describe('run output as dbt gives it', () => {
  test('ephemeral models are not built nodes: neither started, counted nor in run_results', async () => {
    const p = makeProject(files);
    const r = await run({ projectDir: p.dir, console: p.console, exclude: ['bad'] });
    expect(r.results.map((x) => x.unique_id)).toEqual(['model.fn.a']);
    expect(p.console.events.filter((e) => e.type === 'node_start').map((e) => (e as { uniqueId: string }).uniqueId)).toEqual(['model.fn.a']);
    expect(p.console.events.find((e) => e.type === 'summary')).toMatchObject({ counts: { TOTAL: 1 } });
    const rr = JSON.parse(readFileSync(join(p.dir, 'target/run_results.json'), 'utf8'));
    expect(rr.results.map((x: { unique_id: string }) => x.unique_id)).toEqual(['model.fn.a']);
  });

  test('the end of a failed run lists the failures and warnings again', async () => {
    const p = makeProject(files);
    const out = collect();
    await build({ projectDir: p.dir, console: new TerminalConsole(out.s, out.s), threads: 1 });
    const text = out.text();
    const tail = text.slice(text.indexOf('Finished in'));
    expect(tail).toContain('Completed with 1 error, 0 partial successes, and 1 warning:');
    expect(tail).toMatch(/\[ERROR\]: in model bad \(models\/bad\.sql\)\n.*Database error in model bad[^]*nowhere_at_all/);
    expect(tail).toMatch(/\[WARNING\]: in test accepted_values_a_id__2 \(models\/p\.yml\)\n.*Warning in test accepted_values_a_id__2/);
    expect(tail).toMatch(/Done\. PASS=2 WARN=1 ERROR=1 SKIP=0 TOTAL=4/);
  });

  test("--log-format json writes dbt's {info, data} lines with dbt's event names, and the invocation id of the artifacts", async () => {
    const p = makeProject(files);
    const out = collect();
    const cons = new JsonConsole(out.s);
    await build({ projectDir: p.dir, console: cons, threads: 1 });
    const lines = out.text().trim().split('\n').map((l) => JSON.parse(l));
    for (const l of lines) expect(Object.keys(l).sort()).toEqual(['data', 'info']);
    expect(new Set(lines.map((l) => l.info.invocation_id))).toEqual(new Set([cons.invocationId]));
    const names = lines.map((l) => l.info.name);
    expect(names).toContain('LogStartLine');
    expect(lines.find((l) => l.info.name === 'LogModelResult' && l.data.node_info.unique_id === 'model.fn.bad')).toMatchObject({ info: { code: 'Q012', level: 'error' }, data: { status: 'error' } });
    expect(lines.find((l) => l.info.name === 'LogTestResult' && l.data.status === 'warn')).toBeTruthy();
    expect(lines.find((l) => l.info.name === 'EndOfRunSummary')).toMatchObject({ info: { code: 'Z030' }, data: { num_errors: 1, num_warnings: 1 } });
    expect(lines.at(-1)).toMatchObject({ info: { name: 'StatsLine' }, data: { stats: { pass: 2, warn: 1, error: 1, skip: 0, total: 4 } } });
    const manifest = JSON.parse(readFileSync(join(p.dir, 'target/manifest.json'), 'utf8'));
    expect(manifest.metadata.invocation_id).toBe(cons.invocationId);
  });

  test('every command appends to logs/mflow.log (log-path in the project)', async () => {
    const p = makeProject(files);
    await run({ projectDir: p.dir, console: p.console, exclude: ['bad'] });
    const log = join(p.dir, 'logs', 'mflow.log');
    expect(existsSync(log)).toBe(true);
    const text = readFileSync(log, 'utf8');
    expect(text).toMatch(/1 of 1 START sql view model main\.a/);
    expect(text).toMatch(/Done in .*PASS=1/);
    const q = makeProject({ ...files, 'project.yml': 'name: fn\nversion: 1.0.0\nlog-path: out/logs\ntargets:\n  default: dev\n  dev: { type: duckdb, path: test.duckdb }\n' });
    await run({ projectDir: q.dir, console: q.console, exclude: ['bad'] });
    expect(existsSync(join(q.dir, 'out/logs/mflow.log'))).toBe(true);
  });

  test('show -s model previews the model even though its tests are selected with it', async () => {
    const p = makeProject(files);
    await run({ projectDir: p.dir, console: p.console, exclude: ['bad'] });
    const r = await show({ projectDir: p.dir, console: p.console, select: ['a'] });
    expect(r.rows).toEqual([{ id: 1 }]);
  });
});
