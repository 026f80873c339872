/**
 * Issue 12, atomic publish on Snowflake: `mflow pipeline` against the Snowflake emulator through
 * the real snowflake-sdk. The marts are built into MARTS__STAGING and the publish step makes them
 * live with one `alter schema ... swap with`; a reader polling the live marts on its own session
 * during repeated runs sees every table of one run, never tables of two runs side by side.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendFileSync, rmSync } from 'node:fs';
import { runPipeline } from '../../src/pipeline/runner.js';
import { CaptureConsole } from '../../src/console/console.js';
import { connect, destroy, exec } from '../emulator/snowflake/driver.js';
import { makeSfProject, startSnowflakeEmulator, type SnowflakeEmulator } from '../snowflake/helpers.js';

let emu: SnowflakeEmulator;
beforeAll(async () => {
  emu = await startSnowflakeEmulator();
});
afterAll(async () => emu.close());

const mart = (n: string) => `{{ config(materialized='table', schema='marts') }}\nselect {{ var('version', 0) }} as version, '${n}' as name from {{ ref('base') }}`;

describe('mflow pipeline publish on Snowflake (emulator)', () => {
  it('publishes the marts with one schema swap; a concurrent reader never sees two runs mixed', async () => {
    const files = {
      'macros/generate_schema_name.sql': "{% macro generate_schema_name(custom_schema_name, node) -%}{%- if custom_schema_name is none -%}{{ target.schema }}{%- else -%}{{ custom_schema_name | trim }}{%- endif -%}{%- endmacro %}",
      'models/base.sql': "{{ config(materialized='table') }}\nselect 1 as id union all select 2",
      'models/marts/mart_a.sql': mart('a'),
      'models/marts/mart_b.sql': mart('b'),
      'models/marts/mart_c.sql': mart('c'),
    };
    const p = makeSfProject(emu, files, { database: 'PUB', schema: 'ANALYTICS' });
    // makeSfProject writes project.yml from its target; append the pipeline to it.
    appendFileSync(
      `${p.dir}/project.yml`,
      `pipeline:
  history_schema: mflow_pipeline
  defaults: {retries: 0, timeout: 5m}
  publish: {schemas: [marts], staging_suffix: __staging}
  lineage: {transport: none}
  steps:
    - {name: build, command: run}
    - {name: publish, command: publish}
`,
    );
    const reader = await connect(emu.connectionOptions({ database: 'PUB', schema: 'PUBLIC' }));
    const seen: string[] = [];
    let stop = false;
    const read = async () => {
      const r = await exec(reader, 'select (select max(version) from pub.marts.mart_a) as a, (select min(version) from pub.marts.mart_b) as b, (select max(version) from pub.marts.mart_c) as c');
      return `${r.rows[0].A}/${r.rows[0].B}/${r.rows[0].C}`;
    };
    let reading: Promise<void> = Promise.resolve();
    let lastRun = '';
    try {
      for (let v = 1; v <= 4; v++) {
        const c = new CaptureConsole();
        const r = await runPipeline({ projectDir: p.dir, env: p.env, console: c, vars: { version: v } });
        lastRun = r.runId;
        expect(r.status, c.text.slice(-3000)).toBe('success');
        expect(r.steps.map((s) => `${s.step}:${s.status}`)).toEqual(['build:success', 'publish:success']);
        expect(c.text).toMatch(/Published marts\.MART_A, marts\.MART_B, marts\.MART_C|Published marts\.mart_a/i);
        if (v === 1) {
          // The live schema exists from the first publish on: start reading it.
          reading = (async () => {
            while (!stop) seen.push(await read());
          })();
        }
        expect(await read()).toBe(`${v}/${v}/${v}`);
      }
      // The publish step sent one swap per run, no table-by-table copy.
      const swaps = emu.stats.sqlLog.filter((q) => /^alter schema/i.test(q.trim()));
      expect(swaps.length).toBe(4);
      // Publishing the last run again (an orchestrator retrying the task after the swap went
      // through) must not swap the previous marts back.
      const again = new CaptureConsole();
      const r = await runPipeline({ projectDir: p.dir, env: p.env, console: again, steps: ['publish'], runId: lastRun, vars: { version: 4 } });
      expect(r.status, again.text.slice(-2000)).toBe('success');
      expect(again.text).toMatch(/marts already holds the tables of run .* not swapped again/);
      expect(emu.stats.sqlLog.filter((q) => /^alter schema/i.test(q.trim())).length).toBe(4);
      expect(await read()).toBe('4/4/4');
      expect(swaps[0]).toMatch(/alter schema "?PUB"?\."?MARTS__STAGING"? swap with "?PUB"?\."?MARTS"?/i);
    } finally {
      stop = true;
      await reading;
      await destroy(reader);
      rmSync(p.dir, { recursive: true, force: true });
    }
    expect(seen.filter((s) => new Set(s.split('/')).size !== 1)).toEqual([]);
    // The reader ran across the later publishes (it saw more than one version).
    expect(new Set(seen).size).toBeGreaterThan(1);
  }, 300_000);
});
