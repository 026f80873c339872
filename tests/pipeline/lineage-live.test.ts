/**
 * Issue 12: OpenLineage events are sent as the nodes run, not after the step: the START of a slow
 * model reaches the lineage server (an HTTP server this test starts on 127.0.0.1) or the .jsonl
 * file while the model is still running, its COMPLETE when it ends, and the events arrive in the
 * order of the run (START a, COMPLETE a, START slow, COMPLETE slow, START last, COMPLETE last).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaptureConsole } from '../../src/console/console.js';
import { runPipeline } from '../../src/pipeline/runner.js';

interface Arrival {
  at: number;
  type: string;
  job: string;
  runId: string;
}

let dir: string;
let server: Server;
let url: string;
const arrivals: Arrival[] = [];

function project(lineage: string): Record<string, string> {
  return {
    'project.yml': `name: live
version: 1.0.0
targets:
  default: dev
  dev:
    type: duckdb
    path: live.duckdb
    threads: 1
pipeline:
  history_schema: mflow_pipeline
  defaults: {retries: 0, timeout: 10m}
  lineage: ${lineage}
  steps:
    - {name: build, command: run}
`,
    'models/a.sql': "{{ config(materialized='table') }}\nselect 1 as id, 'x' as label",
    // Seconds of work on one thread: long enough to see events arrive while it runs.
    'models/slow.sql': "{{ config(materialized='table') }}\nselect a.id, a.label, (select sum((x.range * 7 + y.range) % 13) from range(4000) x, range(30000) y) as s from {{ ref('a') }} a",
    'models/last.sql': "{{ config(materialized='table') }}\nselect id, s from {{ ref('slow') }}",
  };
}

function write(files: Record<string, string>): void {
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), text);
  }
}

/** The slow model's own execution time, from run_results.json. */
function slowSeconds(): number {
  const rr = JSON.parse(readFileSync(join(dir, 'target', 'run_results.json'), 'utf8')) as { results: Array<{ unique_id: string; execution_time: number }> };
  return rr.results.find((r) => r.unique_id === 'model.live.slow')!.execution_time;
}

function checkOrderAndTiming(events: Arrival[], seconds: number): void {
  expect(events.map((e) => `${e.type} ${e.job}`)).toEqual(['START live.a', 'COMPLETE live.a', 'START live.slow', 'COMPLETE live.slow', 'START live.last', 'COMPLETE live.last']);
  const start = events[2];
  const done = events[3];
  expect(start.runId).toBe(done.runId);
  // The model ran long enough to tell "live" from "after the step"...
  expect(seconds).toBeGreaterThan(0.5);
  // ...and its START arrived while it ran: most of its execution time before its COMPLETE.
  expect(done.at - start.at, JSON.stringify(events)).toBeGreaterThan(seconds * 1000 * 0.6);
}

describe('OpenLineage events arrive as the nodes run', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mflow-lineage-live-'));
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        const e = JSON.parse(body) as { eventType: string; job: { name: string }; run: { runId: string } };
        arrivals.push({ at: Date.now(), type: e.eventType, job: e.job.name, runId: e.run.runId });
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end('{}');
      });
    });
    await new Promise<void>((res) => server.listen(0, '127.0.0.1', () => res()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/lineage`;
  });
  afterAll(async () => {
    await new Promise<void>((res) => server.close(() => res()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('POSTs START when a node starts and COMPLETE when it ends, in run order', async () => {
    write(project(`{transport: http, url: "${url}"}`));
    const c = new CaptureConsole();
    const r = await runPipeline({ projectDir: dir, console: c, alerts: false });
    const ended = Date.now();
    expect(r.status, c.text.slice(-2000)).toBe('success');
    checkOrderAndTiming(arrivals, slowSeconds());
    // The slow model's START came well before the step ended.
    expect(ended - arrivals[2].at).toBeGreaterThan(slowSeconds() * 1000 * 0.6);
  }, 300_000);

  it('appends each event to the .jsonl file as it happens', async () => {
    write(project('{transport: file, path: target/live.jsonl}'));
    const file = join(dir, 'target', 'live.jsonl');
    rmSync(file, { force: true });
    // Watch the file while the pipeline runs: when did each line appear?
    const seen: Arrival[] = [];
    const read = () => {
      if (!existsSync(file)) return;
      const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
      for (const l of lines.slice(seen.length)) {
        const e = JSON.parse(l) as { eventType: string; job: { name: string }; run: { runId: string } };
        seen.push({ at: Date.now(), type: e.eventType, job: e.job.name, runId: e.run.runId });
      }
    };
    const poll = setInterval(read, 25);
    try {
      const r = await runPipeline({ projectDir: dir, console: new CaptureConsole(), alerts: false });
      expect(r.status).toBe('success');
    } finally {
      clearInterval(poll);
    }
    read(); // the lines written after the last poll

    checkOrderAndTiming(seen, slowSeconds());
  }, 300_000);
});
