import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Command } from 'commander';
import { sourceFreshness } from '../../src/freshness/api.js';
import { register } from '../../src/cli/freshness.js';
import { makeProject, query } from './helpers.js';

const SOURCES = `version: 2
sources:
  - name: raw
    schema: raw
    loaded_at_field: loaded_at
    freshness:
      warn_after: {count: 1, period: hour}
      error_after: {count: 1, period: day}
    tables:
      - name: fresh
      - name: late
      - name: stale
      - name: filtered
        freshness:
          filter: "kind <> 'test'"
      - name: empty
      - name: unchecked
        freshness: null
`;

/** Tables whose newest row is minutes, hours or days old (naive UTC timestamps, as dbt assumes). */
async function prepare(db: string): Promise<void> {
  const ago = (what: string) => `(now() at time zone 'UTC') - interval ${what}`;
  await query(
    db,
    `create schema raw;
     create table raw.fresh as select 1 as id, ${ago("'10 minutes'")} as loaded_at;
     create table raw.late as select 1 as id, ${ago("'3 hours'")} as loaded_at;
     create table raw.stale as select 1 as id, ${ago("'2 days'")} as loaded_at;
     create table raw.filtered as select * from (values ('real', ${ago("'3 days'")}), ('test', ${ago("'1 minute'")})) v(kind, loaded_at);
     create table raw.empty (id integer, loaded_at timestamp);
     create table raw.unchecked as select 1 as id, ${ago("'300 days'")} as loaded_at;
     select 1`,
  );
}

describe('mflow source freshness', () => {
  it('judges each source by warn_after / error_after (with a filter) and writes sources.json', async () => {
    const p = makeProject({ 'models/sources.yml': SOURCES });
    await prepare(p.db);
    const r = await sourceFreshness({ projectDir: p.dir, console: p.console });
    const byId = Object.fromEntries(r.results.map((x) => [x.unique_id.split('.').pop(), x]));
    expect(Object.keys(byId).sort()).toEqual(['empty', 'filtered', 'fresh', 'late', 'stale']);
    expect(byId.fresh.status).toBe('pass');
    expect(byId.late.status).toBe('warn');
    expect(byId.stale.status).toBe('error');
    expect(byId.filtered.status).toBe('error');
    expect(byId.filtered.criteria).toEqual({ warn_after: { count: 1, period: 'hour' }, error_after: { count: 1, period: 'day' }, filter: "kind <> 'test'" });
    expect(byId.empty.status).toBe('runtime error');
    expect(byId.empty.error).toContain('no rows, so max(loaded_at) is null');
    expect(byId.fresh.max_loaded_at_time_ago_in_s).toBeGreaterThan(590);
    expect(byId.fresh.max_loaded_at_time_ago_in_s).toBeLessThan(700);
    expect(byId.late.max_loaded_at_time_ago_in_s).toBeGreaterThan(3 * 3600 - 10);
    expect(r.ok).toBe(false);

    const json = JSON.parse(readFileSync(join(p.dir, 'target/sources.json'), 'utf8'));
    expect(json.metadata.dbt_schema_version).toBe('https://schemas.getdbt.com/dbt/sources/v3.json');
    expect(json.results).toHaveLength(5);
    const late = json.results.find((x: { unique_id: string }) => x.unique_id === 'source.fn.raw.late');
    expect(late).toMatchObject({ status: 'warn', criteria: { warn_after: { count: 1, period: 'hour' } }, thread_id: expect.stringMatching(/^Thread-\d$/) });
    expect(Date.parse(late.snapshotted_at) - Date.parse(late.max_loaded_at)).toBeCloseTo(late.max_loaded_at_time_ago_in_s * 1000, -2);

    const lines = p.console.events.filter((e) => e.type === 'node_result').map((e) => (e.type === 'node_result' ? `${e.status} ${e.description}` : ''));
    expect(lines.sort()).toEqual(['ERROR STALE freshness of raw.filtered', 'ERROR STALE freshness of raw.stale', 'ERROR freshness of raw.empty', 'PASS freshness of raw.fresh', 'WARN freshness of raw.late']);
  });

  it('checks only the selected sources; all fresh means ok', async () => {
    const p = makeProject({ 'models/sources.yml': SOURCES });
    await prepare(p.db);
    const r = await sourceFreshness({ projectDir: p.dir, console: p.console, select: ['source:raw.fresh', 'source:raw.late'] });
    expect(r.results.map((x) => [x.unique_id, x.status])).toEqual([
      ['source.fn.raw.fresh', 'pass'],
      ['source.fn.raw.late', 'warn'],
    ]);
    expect(r.ok).toBe(true);
  });

  it('registers `mflow source freshness` and sets exit code 1 on a stale source', async () => {
    const p = makeProject({ 'models/sources.yml': SOURCES });
    await prepare(p.db);
    let code = -1;
    const program = new Command('mflow').exitOverride();
    register(program, {
      addCommon: (c) => c.option('--project-dir <dir>').option('-s, --select <s...>'),
      addRunFlags: (c) => c,
      common: (f, console) => ({ projectDir: f.projectDir as string, select: f.select as string[], console }),
      makeConsole: () => p.console,
      setCode: (c) => (code = c),
    });
    await program.parseAsync(['source', 'freshness', '--project-dir', p.dir, '-s', 'source:raw.stale', '-o', join(p.dir, 'out/fresh.json')], { from: 'user' });
    expect(code).toBe(1);
    expect(JSON.parse(readFileSync(join(p.dir, 'out/fresh.json'), 'utf8')).results[0].status).toBe('error');
  });
});
