import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, test } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const bin = join(root, 'bin/mflow');

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'mflow-cli-'));
  const all = { 'project.yml': 'name: cli\ntargets:\n  default: dev\n  dev: {type: duckdb, path: cli.duckdb, threads: 2}\n', ...files };
  for (const [p, t] of Object.entries(all)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), t);
  }
  return dir;
}

function mflow(dir: string, ...args: string[]) {
  const r = spawnSync('node', [bin, ...args, '--project-dir', dir], { encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

beforeAll(() => {
  // The CLI runs the built JavaScript; build once if a developer has not.
  if (!existsSync(join(root, 'dist/cli/main.js'))) spawnSync('npx', ['tsc', '-p', root], { stdio: 'inherit' });
});

describe('the mflow CLI as a subprocess', () => {
  const files = { 'models/a.sql': "{{ config(materialized='table') }}select range as id from range(3)", 'models/b.sql': "select count(*) as n from {{ ref('a') }}" };

  test('run prints dbt-like lines and a summary, exits 0; show, ls, compile, debug, clean', () => {
    const dir = project(files);
    const r = mflow(dir, 'run');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/1 of 2 START sql table model main\.a \.+ \[RUN\]/);
    expect(r.out).toMatch(/2 of 2 OK created sql view model main\.b \.+ \[CREATE VIEW in \d+\.\d\ds\]/);
    expect(r.out).toMatch(/Done\. PASS=2 WARN=0 ERROR=0 SKIP=0 TOTAL=2/);
    const s = mflow(dir, 'show', '-s', 'b');
    expect(s.code).toBe(0);
    expect(s.out).toContain('| n |');
    expect(s.out).toContain('| 3 |');
    const l = mflow(dir, 'ls', '--output', 'json');
    expect(l.out.trim().split('\n').map((x) => JSON.parse(x).name)).toEqual(['a', 'b']);
    expect(mflow(dir, 'ls', '-s', 'a+', '--output', 'name').out).toBe('a\nb\n');
    const c = mflow(dir, 'compile', '--inline', "select * from {{ ref('a') }}");
    expect(c.out.trim()).toBe('select * from "main"."a"');
    const d = mflow(dir, 'debug');
    expect(d.code).toBe(0);
    expect(d.out).toMatch(/Connection test: \[OK connection ok\]/);
    expect(mflow(dir, 'clean').out).toContain('Removed target');
    expect(existsSync(join(dir, 'target'))).toBe(false);
  });

  test('exit code 1 when a node fails, 2 for a compile error or bad usage; JSON logs for CI', () => {
    const bad = project({ ...files, 'models/c.sql': 'select * from nowhere' });
    expect(mflow(bad, 'run').code).toBe(1);
    const broken = project({ 'models/a.sql': "select * from {{ ref('zzz') }}" });
    const r = mflow(broken, 'run');
    expect(r.code).toBe(2);
    expect(r.err).toContain('models/a.sql:1');
    expect(mflow(broken, 'run', '--no-such-flag').code).toBe(2);
    const j = mflow(project(files), 'run', '--log-format', 'json');
    const events = j.out.trim().split('\n').map((x) => JSON.parse(x));
    // dbt's structured log lines: {"data": {...}, "info": {"name", "code", "msg", "level", ...}}.
    expect(events.filter((e) => e.info.name === 'LogModelResult').map((e) => [e.info.code, e.data.status])).toEqual([
      ['Q012', 'success'],
      ['Q012', 'success'],
    ]);
    expect(events.at(-1)).toMatchObject({ info: { name: 'StatsLine', code: 'Z023' }, data: { stats: { pass: 2, error: 0, total: 2 } } });
  });

  test('--vars as YAML on the command line', () => {
    const dir = project({ 'models/v.sql': "select {{ var('year') }} as y" });
    expect(mflow(dir, 'run', '--vars', '{year: 2009}').code).toBe(0);
    expect(mflow(dir, 'show', '-s', 'v', '--vars', '{year: 2010}', '--output', 'json').out).toContain('2010');
  });
});
