import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { totalmem } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { run } from '../../src/api.js';
import { errorsOf, makeProject, query } from './helpers.js';

// What DuckDB itself reports, read back from inside a model, so the test sees the setting the
// warehouse really runs with rather than what mflow meant to pass.
const SHOW = "{{ config(materialized='table') }} select current_setting('memory_limit') as mem, current_setting('threads') as thr, current_setting('temp_directory') as tmp";
const target = (extra: string) => `targets:\n  default: dev\n  dev:\n    type: duckdb\n    path: test.duckdb\n    threads: 2\n${extra}`;
const gib = (s: string) => {
  const m = /^([\d.]+) (KiB|MiB|GiB|TiB)$/.exec(s);
  if (!m) throw new Error(`unexpected memory_limit ${s}`);
  return Number(m[1]) * 2 ** ({ KiB: 10, MiB: 20, GiB: 30, TiB: 40 }[m[2] as 'KiB'] - 30);
};

describe('DuckDB memory limit, spill folder and settings from the target', () => {
  test('top-level memory_limit and temp_directory reach DuckDB (the spill folder relative to the project)', async () => {
    const p = makeProject({ 'models/s.sql': SHOW }, { targets: target('    memory_limit: 1GiB\n    temp_directory: spill\n') });
    expect((await run({ projectDir: p.dir, console: p.console })).ok).toBe(true);
    const [r] = await query(p.db, 'select * from main.s');
    expect(r.mem).toBe('1.0 GiB');
    expect(r.tmp).toBe(join(p.dir, 'spill'));
  });

  test("dbt-duckdb's settings: {memory_limit, threads} shape works as in dbt-duckdb; the top level wins over it", async () => {
    const p = makeProject({ 'models/s.sql': SHOW }, { targets: target('    settings:\n      memory_limit: 768MiB\n      threads: 1\n') });
    expect((await run({ projectDir: p.dir, console: p.console })).ok).toBe(true);
    expect(await query(p.db, 'select mem, thr from main.s')).toEqual([{ mem: '768.0 MiB', thr: 1 }]);
    const q = makeProject({ 'models/s.sql': SHOW }, { targets: target('    memory_limit: 2GiB\n    settings:\n      memory_limit: 768MiB\n') });
    expect((await run({ projectDir: q.dir, console: q.console })).ok).toBe(true);
    expect(await query(q.db, 'select mem from main.s')).toEqual([{ mem: '2.0 GiB' }]);
  });

  test('without a memory_limit DuckDB gets half the RAM (not its own 80 %), and a share such as 25% is turned into a size', async () => {
    const p = makeProject({ 'models/s.sql': SHOW });
    expect((await run({ projectDir: p.dir, console: p.console })).ok).toBe(true);
    const half = totalmem() / 2 / 2 ** 30;
    expect(gib(String((await query(p.db, 'select mem from main.s'))[0].mem))).toBeCloseTo(half, 0);
    const q = makeProject({ 'models/s.sql': SHOW }, { targets: target('    memory_limit: 25%\n') });
    expect((await run({ projectDir: q.dir, console: q.console })).ok).toBe(true);
    expect(gib(String((await query(q.db, 'select mem from main.s'))[0].mem))).toBeCloseTo(half / 2, 0);
  });

  test('a bad memory_limit is an error naming the profile file and line, and nothing is built', async () => {
    for (const [extra, line] of [['    memory_limit: lots\n', 9], ['    settings:\n      memory_limit: 4\n', 10], ['    memory_limit: 150%\n', 9]] as const) {
      const p = makeProject({ 'models/s.sql': SHOW }, { targets: target(extra) });
      const [e] = await errorsOf(run({ projectDir: p.dir, console: p.console }));
      expect(e.code).toBe('CONFIG');
      expect(e.message).toMatch(/memory_limit: .* which is not a memory size/);
      expect(e.file).toMatch(/project\.yml$/);
      expect(e.line).toBe(line);
      expect(e.hint).toMatch(/4GB/);
      expect(existsSync(p.db)).toBe(false);
    }
  });

  test('a bad memory_limit in a dbt profiles.yml names that file', async () => {
    const p = makeProject({ 'models/s.sql': SHOW });
    writeFileSync(join(p.dir, 'project.yml'), 'name: fn\nversion: 1.0.0\nprofile: prof\n');
    mkdirSync(join(p.dir, 'pd'));
    writeFileSync(join(p.dir, 'pd', 'profiles.yml'), 'prof:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: test.duckdb\n      settings:\n        memory_limit: four gigabytes\n');
    const [e] = await errorsOf(run({ projectDir: p.dir, console: p.console, profilesDir: join(p.dir, 'pd') }));
    expect(e.file).toBe(join(p.dir, 'pd', 'profiles.yml'));
    expect(e.line).toBe(8);
  });

  test("a setting DuckDB itself refuses names the target and the profile file instead of DuckDB's bare 'Failed to set config'", async () => {
    const p = makeProject({ 'models/s.sql': SHOW }, { targets: target('    settings:\n      threads: none\n') });
    const [e] = await errorsOf(run({ projectDir: p.dir, console: p.console }));
    expect(e.code).toBe('CONFIG');
    expect(e.message).toMatch(/DuckDB refused one of the settings .*threads.*target 'dev' in .*project\.yml/);
  });
});
