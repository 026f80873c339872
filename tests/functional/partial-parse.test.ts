import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile, ls } from '../../src/api.js';
import { makeProject } from './helpers.js';

// Partial parsing must never serve a stale render: after every kind of change, a compile that may
// reuse target/partial_parse.json gives the same compiled files and manifest, byte for byte, as a
// cold compile (no cache, its own target folder) of the same files.

const FILES: Record<string, string> = {
  'macros/m.sql': `{% macro cents(col) %}round({{ col }} * 100)::bigint{% endmacro %}\n`,
  'models/a.sql': `select 1 as id, {{ cents('2.5') }} as amount, {{ var('year', 2009) }} as year\n`,
  'models/b.sql': `select * from {{ ref('a') }}\n`,
  'models/c.sql': `{{ config(materialized='ephemeral') }}\nselect id from {{ ref('a') }}\n`,
  'models/d.sql': `select * from {{ ref('c') }}\n`,
  'models/e.sql': `select '{{ env_var('PP_REGION', 'none') }}' as region\n`,
  'models/sub/f.sql': `select 2 as id\n`,
  'models/schema.yml': `version: 2\nmodels:\n  - name: b\n    description: the b model\n    columns:\n      - name: id\n        data_tests: [not_null]\n`,
  'tests/no_negative.sql': `select * from {{ ref('b') }} where id < 0\n`,
  'analyses/look.sql': `select count(*) from {{ ref('d') }}\n`,
};

function tree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!existsSync(dir)) return out;
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else out.set(relative(dir, join(d, e.name)), readFileSync(join(d, e.name), 'utf8'));
    }
  };
  walk(dir);
  return out;
}

/** The manifest less what differs between any two invocations. */
function manifestText(dir: string, targetPath: string, file = 'manifest.json'): string {
  const m = JSON.parse(readFileSync(join(dir, targetPath, file), 'utf8'));
  m.metadata.generated_at = m.metadata.invocation_id = '';
  return JSON.stringify(m).replaceAll(`"${targetPath}/compiled/`, '"target/compiled/');
}

let coldRuns = 0;
/** Warm compile (cache allowed), then a cold one; both outputs must match. Returns the warm parse mode. */
async function warmEqualsCold(dir: string, opts: { vars?: string; env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  const warm = await compile({ projectDir: dir, ...opts });
  const cold = `cold-${coldRuns++}`;
  const c = await compile({ projectDir: dir, targetPath: cold, partialParse: false, ...opts });
  expect(c.parse?.mode).toBe('full');
  expect(warm.compiled).toEqual(c.compiled);
  const w = tree(join(dir, 'target', 'compiled'));
  for (const [path, text] of tree(join(dir, cold, 'compiled'))) expect(w.get(path), path).toBe(text);
  expect(manifestText(dir, 'target')).toBe(manifestText(dir, cold));
  // mflow's own manifest too (a partial compile may have spliced the changed nodes into the old text).
  expect(manifestText(dir, 'target', 'partial_parse_manifest.json')).toBe(manifestText(dir, cold, 'partial_parse_manifest.json'));
  rmSync(join(dir, cold), { recursive: true, force: true });
  return `${warm.parse?.mode}${warm.parse?.reason ? `: ${warm.parse.reason}` : ''}`;
}

function setup(extra: Record<string, string> = {}) {
  const p = makeProject({ ...FILES, ...extra });
  // Files written moments before a scan are "racy" (a change in the same clock tick would leave
  // their stamp unmoved), and the cache rightly distrusts them until a later scan: the project's
  // files are made older than that, so whether a compile may skip does not depend on how fast
  // this machine runs the first compiles. Edits made by a test stay new.
  const old = new Date(Date.now() - 10_000);
  for (const f of [...Object.keys({ ...FILES, ...extra }), 'project.yml']) utimesSync(join(p.dir, f), old, old);
  return { dir: p.dir, write: (path: string, text: string) => writeFileSync(join(p.dir, path), text) };
}

const mtime = (path: string) => statSync(path).mtimeMs;

describe('partial parsing', () => {
  it('reuses everything when nothing changed, and writes neither compiled files nor the manifest', async () => {
    const { dir } = setup();
    expect(await warmEqualsCold(dir)).toMatch(/^full: no cache/);
    const before = { b: mtime(join(dir, 'target/compiled/fn/models/b.sql')), m: mtime(join(dir, 'target/manifest.json')) };
    const r = await compile({ projectDir: dir });
    expect(r.parse).toEqual({ mode: 'partial', reason: '' });
    expect(mtime(join(dir, 'target/compiled/fn/models/b.sql'))).toBe(before.b);
    expect(mtime(join(dir, 'target/manifest.json'))).toBe(before.m);
    expect(await warmEqualsCold(dir)).toBe('partial');
  });

  it('re-parses a changed model body alone and rewrites only its compiled file', async () => {
    const { dir, write } = setup();
    await compile({ projectDir: dir });
    const other = mtime(join(dir, 'target/compiled/fn/models/e.sql'));
    write('models/b.sql', `select id, amount * 2 as doubled from {{ ref('a') }}\n`);
    expect(await warmEqualsCold(dir)).toBe('partial');
    expect(readFileSync(join(dir, 'target/compiled/fn/models/b.sql'), 'utf8')).toContain('doubled');
    expect(mtime(join(dir, 'target/compiled/fn/models/e.sql'))).toBe(other);
  });

  it('follows a ref that now points elsewhere (parent and child maps too)', async () => {
    const { dir, write } = setup();
    await compile({ projectDir: dir });
    write('models/b.sql', `select * from {{ ref('f') }} join {{ ref('e') }} on true\n`);
    expect(await warmEqualsCold(dir)).toBe('partial');
    const m = JSON.parse(readFileSync(join(dir, 'target/manifest.json'), 'utf8'));
    expect(m.child_map['model.fn.a']).not.toContain('model.fn.b');
    expect(m.parent_map['model.fn.b']).toEqual(['model.fn.e', 'model.fn.f']);
  });

  it('renders the children of a changed ephemeral model again', async () => {
    const { dir, write } = setup();
    await compile({ projectDir: dir });
    write('models/c.sql', `{{ config(materialized='ephemeral') }}\nselect id + 100 as id from {{ ref('a') }}\n`);
    expect(await warmEqualsCold(dir)).toBe('partial');
    expect(readFileSync(join(dir, 'target/compiled/fn/models/d.sql'), 'utf8')).toContain('id + 100');
  });

  it('a singular test and an analysis changed', async () => {
    const { dir, write } = setup();
    await compile({ projectDir: dir });
    write('tests/no_negative.sql', `select * from {{ ref('a') }} where id < -1\n`);
    write('analyses/look.sql', `select max(id) from {{ ref('b') }}\n`);
    expect(await warmEqualsCold(dir)).toBe('partial');
  });

  it('a changed config() is a full parse', async () => {
    const { dir, write } = setup();
    await compile({ projectDir: dir });
    write('models/b.sql', `{{ config(alias='bee', schema='x') }}\nselect * from {{ ref('a') }}\n`);
    expect(await warmEqualsCold(dir)).toMatch(/^full: .*config\(\) changed/);
    write('models/a.sql', `{{ config(materialized='table') }}\nselect 1 as id\n`);
    expect(await warmEqualsCold(dir)).toMatch(/^full/);
  });

  it('a changed macro is a full parse', async () => {
    const { dir, write } = setup();
    await compile({ projectDir: dir });
    write('macros/m.sql', `{% macro cents(col) %}round({{ col }} * 1000)::bigint{% endmacro %}\n`);
    expect(await warmEqualsCold(dir)).toMatch(/^full/);
    expect(readFileSync(join(dir, 'target/compiled/fn/models/a.sql'), 'utf8')).toContain('* 1000');
  });

  it('vars from --vars and from project.yml', async () => {
    const { dir, write } = setup();
    await compile({ projectDir: dir });
    expect(await warmEqualsCold(dir, { vars: '{year: 2010}' })).toMatch(/^full: project config, target, vars/);
    expect(readFileSync(join(dir, 'target/compiled/fn/models/a.sql'), 'utf8')).toContain('2010');
    expect(await warmEqualsCold(dir, { vars: '{year: 2010}' })).toBe('partial');
    write('project.yml', `name: fn\nversion: 1.0.0\nvars:\n  year: 2011\ntargets:\n  default: dev\n  dev:\n    type: duckdb\n    path: test.duckdb\n`);
    expect(await warmEqualsCold(dir)).toMatch(/^full/);
    expect(readFileSync(join(dir, 'target/compiled/fn/models/a.sql'), 'utf8')).toContain('2011');
  });

  it('an env var read by a model', async () => {
    const { dir } = setup();
    const env = (v?: string) => ({ ...process.env, PP_REGION: v });
    await compile({ projectDir: dir, env: env('north') });
    expect(await warmEqualsCold(dir, { env: env('north') })).toBe('partial');
    expect(await warmEqualsCold(dir, { env: env('south') })).toMatch(/^full: env var PP_REGION changed/);
    expect(readFileSync(join(dir, 'target/compiled/fn/models/e.sql'), 'utf8')).toContain('south');
    expect(await warmEqualsCold(dir, { env: env(undefined) })).toMatch(/^full/);
    expect(readFileSync(join(dir, 'target/compiled/fn/models/e.sql'), 'utf8')).toContain("'none'");
  });

  it('an env var that a changed model starts to read', async () => {
    const { dir, write } = setup();
    const env = (v?: string) => ({ ...process.env, PP_NEW: v });
    await compile({ projectDir: dir, env: env('one') });
    write('models/b.sql', `select '{{ env_var('PP_NEW') }}' as x from {{ ref('a') }}\n`);
    expect(await warmEqualsCold(dir, { env: env('one') })).toBe('partial');
    expect(await warmEqualsCold(dir, { env: env('two') })).toMatch(/^full: env var PP_NEW changed/);
    expect(readFileSync(join(dir, 'target/compiled/fn/models/b.sql'), 'utf8')).toContain("'two'");
  });

  it('a yml property and a project config', async () => {
    const { dir, write } = setup();
    await compile({ projectDir: dir });
    write('models/schema.yml', `version: 2\nmodels:\n  - name: b\n    description: changed\n    config:\n      alias: bb\n    columns:\n      - name: id\n        data_tests: [unique]\n`);
    expect(await warmEqualsCold(dir)).toMatch(/^full/);
    write('project.yml', `name: fn\nversion: 1.0.0\nmodels:\n  fn:\n    sub:\n      +schema: other\ntargets:\n  default: dev\n  dev:\n    type: duckdb\n    path: test.duckdb\n`);
    expect(await warmEqualsCold(dir)).toMatch(/^full/);
  });

  it('files added, deleted and renamed', async () => {
    const { dir, write } = setup();
    await compile({ projectDir: dir });
    write('models/g.sql', `select * from {{ ref('f') }}\n`);
    expect(await warmEqualsCold(dir)).toMatch(/^full: (new file|files added)/);
    rmSync(join(dir, 'analyses/look.sql'));
    expect(await warmEqualsCold(dir)).toMatch(/^full: files added or removed/);
    renameSync(join(dir, 'models/g.sql'), join(dir, 'models/sub/h.sql'));
    expect(await warmEqualsCold(dir)).toMatch(/^full: new file/);
    expect(existsSync(join(dir, 'target/compiled/fn/models/sub/h.sql'))).toBe(true);
  });

  it('a file touched but not changed is still partial; a bad edit reports its error and the fix compiles', async () => {
    const { dir, write } = setup();
    await compile({ projectDir: dir });
    const later = new Date(Date.now() + 5000);
    utimesSync(join(dir, 'models/b.sql'), later, later);
    expect(await warmEqualsCold(dir)).toBe('partial');
    write('models/b.sql', `select * from {{ ref('nope') }}\n`);
    await expect(compile({ projectDir: dir })).rejects.toThrow(/nope/);
    write('models/b.sql', `select 3 as id from {{ ref('a') }}\n`);
    expect(await warmEqualsCold(dir)).toMatch(/^(partial|full)/);
    expect(readFileSync(join(dir, 'target/compiled/fn/models/b.sql'), 'utf8')).toContain('select 3');
  });

  it('renders using invocation_id are never reused', async () => {
    const { dir } = setup({ 'models/inv.sql': `select '{{ invocation_id }}' as inv\n` });
    await compile({ projectDir: dir });
    const r = await compile({ projectDir: dir });
    expect(r.parse?.mode).toBe('partial');
    const m = JSON.parse(readFileSync(join(dir, 'target/manifest.json'), 'utf8'));
    expect(readFileSync(join(dir, 'target/compiled/fn/models/inv.sql'), 'utf8')).toContain(m.metadata.invocation_id);
    expect(r.compiled['model.fn.inv']).toContain(m.metadata.invocation_id);
  });

  it('a manifest written by something else, a deleted compiled file, and a corrupt cache', async () => {
    const { dir } = setup();
    await compile({ projectDir: dir });
    rmSync(join(dir, 'target/compiled/fn/models/b.sql'));
    expect(await warmEqualsCold(dir)).toBe('partial');
    writeFileSync(join(dir, 'target/manifest.json'), '{}');
    expect(await warmEqualsCold(dir)).toMatch(/^full: manifest.json/);
    writeFileSync(join(dir, 'target/partial_parse.json'), '{"format":1,');
    expect(await warmEqualsCold(dir)).toMatch(/^full: no cache/);
  });

  it('--no-partial-parse and MFLOW_PARTIAL_PARSE=0 parse in full; ls keeps the cache valid', async () => {
    const { dir } = setup();
    await compile({ projectDir: dir });
    expect((await compile({ projectDir: dir, partialParse: false })).parse?.mode).toBe('full');
    expect((await compile({ projectDir: dir, env: { ...process.env, MFLOW_PARTIAL_PARSE: '0' } })).parse?.mode).toBe('full');
    await ls({ projectDir: dir });
    expect(await warmEqualsCold(dir)).toBe('partial');
  });

  it('the CLI\'s count-only compile skips everything when nothing changed, and nothing else', async () => {
    const { dir, write } = setup();
    const first = await compile({ projectDir: dir });
    const count = Object.keys(first.compiled).length;
    const up = await compile({ projectDir: dir, summaryOnly: true });
    expect(up).toMatchObject({ count, compiled: {}, parse: { mode: 'partial' } });
    rmSync(join(dir, 'target/compiled/fn/models/b.sql'));
    const again = await compile({ projectDir: dir, summaryOnly: true });
    expect(Object.keys(again.compiled)).toHaveLength(count);
    expect(existsSync(join(dir, 'target/compiled/fn/models/b.sql'))).toBe(true);
    expect((await compile({ projectDir: dir, summaryOnly: true })).compiled).toEqual({});
    write('models/a.sql', `select 7 as id\n`);
    expect(Object.keys((await compile({ projectDir: dir, summaryOnly: true })).compiled)).toHaveLength(count);
    expect(await warmEqualsCold(dir)).toBe('partial');
    expect((await compile({ projectDir: dir, summaryOnly: true, vars: '{year: 1}' })).compiled).not.toEqual({});
    expect((await compile({ projectDir: dir, summaryOnly: true, env: { ...process.env, PP_REGION: 'x' } })).compiled).not.toEqual({});
    write('models/inv.sql', `select '{{ run_started_at }}' as t\n`);
    await compile({ projectDir: dir, summaryOnly: true });
    expect((await compile({ projectDir: dir, summaryOnly: true })).compiled).not.toEqual({});
  });

  it('a render at execution sees the whole graph after a partial parse too (graph is empty only while parsing)', async () => {
    const { dir } = setup({ 'models/g.sql': "select {% if execute %}{{ graph.nodes.values() | selectattr('resource_type', 'equalto', 'model') | list | length }}{% else %}0{% endif %} as models_in_graph\n" });
    await ls({ projectDir: dir });
    const r = await compile({ projectDir: dir, select: ['g'] });
    expect(r.parse?.mode).toBe('partial');
    // a, b, c, d, e, f and g itself.
    expect(r.compiled['model.fn.g'].trim()).toBe('select 7 as models_in_graph');
    expect(await warmEqualsCold(dir)).toBe('partial');
  });

  it('a parse or ls after an edit does not leave the next count-only compile up to date with the old render', async () => {
    const { dir, write } = setup();
    await compile({ projectDir: dir, summaryOnly: true });
    write('models/b.sql', `select id * 5 as five from {{ ref('a') }}\n`);
    await ls({ projectDir: dir });
    expect((await compile({ projectDir: dir, summaryOnly: true })).compiled).not.toEqual({});
    expect(readFileSync(join(dir, 'target/compiled/fn/models/b.sql'), 'utf8')).toContain('five');
    expect(await warmEqualsCold(dir)).toBe('partial');
  });

  it('a model that becomes volatile after ls or a compile of other nodes is never taken as up to date', async () => {
    for (const between of ['ls', 'compile -s a'] as const) {
      const { dir, write } = setup();
      await compile({ projectDir: dir });
      write('models/b.sql', `select '{{ run_started_at }}' as t from {{ ref('a') }}\n`);
      // Older than a clock tick when scanned, or the racy-file rule alone would force a parse.
      await new Promise((r) => setTimeout(r, 120));
      if (between === 'ls') await ls({ projectDir: dir });
      else await compile({ projectDir: dir, select: ['a'] });
      await compile({ projectDir: dir, summaryOnly: true });
      expect((await compile({ projectDir: dir, summaryOnly: true })).compiled, between).not.toEqual({});
    }
  });

  it('compiled files checked by their folders\' stamps: a file deleted or added beside them is seen', async () => {
    const { dir } = setup();
    await compile({ projectDir: dir });
    // Folder stamps taken in the same clock tick as the writes are not trusted: let them age, then record them.
    await new Promise((r) => setTimeout(r, 120));
    await compile({ projectDir: dir });
    expect((await compile({ projectDir: dir, summaryOnly: true })).compiled).toEqual({});
    rmSync(join(dir, 'target/compiled/fn/models/b.sql'));
    expect((await compile({ projectDir: dir, summaryOnly: true })).compiled).not.toEqual({});
    expect(existsSync(join(dir, 'target/compiled/fn/models/b.sql'))).toBe(true);
    await new Promise((r) => setTimeout(r, 120));
    await compile({ projectDir: dir });
    expect((await compile({ projectDir: dir, summaryOnly: true })).compiled).toEqual({});
    // The compiled-file records are in a file of their own: one that does not match the cache is
    // as good as none (each file is checked, and written again).
    writeFileSync(join(dir, 'target/partial_parse_compiled.json'), '{"token":"other","compiled":{},"ids":[]}');
    rmSync(join(dir, 'target/compiled/fn/models/b.sql'));
    expect(Object.keys((await compile({ projectDir: dir, summaryOnly: true })).compiled).length).toBeGreaterThan(0);
    expect(existsSync(join(dir, 'target/compiled/fn/models/b.sql'))).toBe(true);
    await new Promise((r) => setTimeout(r, 120));
    await compile({ projectDir: dir });
    // A renamed file: the old name is gone from its folder.
    renameSync(join(dir, 'target/compiled/fn/models/sub/f.sql'), join(dir, 'target/compiled/fn/models/sub/g.sql'));
    expect((await compile({ projectDir: dir, summaryOnly: true })).compiled).not.toEqual({});
    expect(await warmEqualsCold(dir)).toBe('partial');
  });

  it('the mflow CLI: compile twice (the second up to date), then after an edit (partial) equals a cold compile', async () => {
    const { dir, write } = setup();
    const bin = join(__dirname, '../../bin/mflow');
    const cli = (...args: string[]) => spawnSync('node', [bin, 'compile', '--project-dir', dir, ...args], { encoding: 'utf8', env: { ...process.env, MFLOW_TIMING: '1' } });
    const first = cli();
    expect(first.status, first.stderr).toBe(0);
    const n = /Compiled (\d+) nodes/.exec(first.stdout)?.[1];
    const second = cli();
    expect(second.status).toBe(0);
    expect(second.stderr).toContain('partial: up to date');
    expect(second.stdout).toContain(`Compiled ${n} nodes`);
    write('models/b.sql', `select id * 3 as id from {{ ref('a') }}\n`);
    const third = cli();
    expect(third.stderr).toContain('partial: reused');
    expect(third.stdout).toContain(`Compiled ${n} nodes`);
    // Against a cold compile by the same build of mflow (the API in this test runs from src/, a different build).
    expect(cli('--no-partial-parse', '--target-path', 'cold').status).toBe(0);
    const warm = tree(join(dir, 'target', 'compiled'));
    for (const [path, text] of tree(join(dir, 'cold', 'compiled'))) expect(warm.get(path), path).toBe(text);
    expect(manifestText(dir, 'target')).toBe(manifestText(dir, 'cold'));
    expect(cli('--no-partial-parse').stderr).toContain('partial: full (partial parsing is off');
  });
});
