import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { compile, ls, run } from '../../src/api.js';
import { MflowError, MflowErrors } from '../../src/errors.js';
import { errorsOf, makeProject, query } from './helpers.js';


describe('bad input: each error names the file and line and changes nothing', () => {
  test('YAML syntax error in a properties file', async () => {
    const p = makeProject({ 'models/a.sql': 'select 1 as id', 'models/schema.yml': 'version: 2\nmodels:\n  - name: a\n    description: "unclosed\n  - name: b\n' });
    const [e] = await errorsOf(run({ projectDir: p.dir, console: p.console }));
    expect(e.code).toBe('YAML_SYNTAX');
    expect(e.file).toBe('models/schema.yml');
    expect(e.line).toBeGreaterThanOrEqual(4);
  });

  test('Jinja syntax error with line and column; errors of several files are reported together', async () => {
    const p = makeProject({
      'models/a.sql': 'select 1 as id\n{% if true %}\nselect 2\n',
      'models/b.sql': "select * from {{ ref('nope') }}",
      'models/c.sql': 'select 1 as ok',
    });
    const errs = await errorsOf(run({ projectDir: p.dir, console: p.console }));
    expect(errs.map((e) => e.file).sort()).toEqual(['models/a.sql', 'models/b.sql']);
    const a = errs.find((e) => e.file === 'models/a.sql')!;
    expect(a.code).toBe('JINJA_SYNTAX');
    expect(a.line).toBeGreaterThanOrEqual(2);
    // Nothing ran: not even the valid model.
    expect(await query(p.db, "select count(*) as n from information_schema.tables where table_name = 'c'")).toEqual([{ n: 0 }]);
  });

  test('unknown ref suggests the closest name; unknown source too', async () => {
    const p = makeProject({
      'models/dim_patient.sql': 'select 1 as id',
      'models/fact.sql': "select * from {{ ref('dim_patinet') }}\nunion all select * from {{ source('raw', 'benes') }}",
      'models/src.yml': 'version: 2\nsources:\n  - name: raw\n    tables:\n      - name: beneficiary\n',
    });
    const errs = await errorsOf(run({ projectDir: p.dir, console: p.console }));
    const ref = errs.find((e) => e.code === 'UNKNOWN_REF')!;
    expect(ref.file).toBe('models/fact.sql');
    expect(ref.line).toBe(1);
    expect(ref.hint).toContain("ref('dim_patient')");
    const src = errs.find((e) => e.code === 'UNKNOWN_SOURCE')!;
    expect(src.line).toBe(2);
  });

  test('a ref cycle names the whole cycle', async () => {
    const p = makeProject({
      'models/a.sql': "select * from {{ ref('c') }}",
      'models/b.sql': "select * from {{ ref('a') }}",
      'models/c.sql': "select * from {{ ref('b') }}",
    });
    const [e] = await errorsOf(run({ projectDir: p.dir, console: p.console }));
    expect(e.code).toBe('REF_CYCLE');
    // Every member of the cycle, and back to where it started.
    const m = /cycle: (.*)/.exec(e.message)![1].split(' -> ');
    expect(new Set(m)).toEqual(new Set(['model.fn.a', 'model.fn.b', 'model.fn.c']));
    expect(m[0]).toBe(m[m.length - 1]);
    expect(m).toHaveLength(4);
  });

  test('two models with the same name', async () => {
    const p = makeProject({ 'models/x/a.sql': 'select 1', 'models/y/a.sql': 'select 2' });
    const [e] = await errorsOf(run({ projectDir: p.dir, console: p.console }));
    expect(e.code).toBe('DUPLICATE_NODE');
    expect(e.message).toContain('models/x/a.sql');
    expect(e.message).toContain('models/y/a.sql');
  });

  test('a missing env var without default, in a model and in project.yml', async () => {
    const p = makeProject({ 'models/a.sql': "select '{{ env_var(\"MFLOW_TEST_UNSET_X\") }}' as v" });
    const [e] = await errorsOf(run({ projectDir: p.dir, console: p.console, env: {} }));
    expect(e.code).toBe('MISSING_ENV_VAR');
    expect(e.file).toBe('models/a.sql');
    expect(e.message).toContain('MFLOW_TEST_UNSET_X');
    const q = makeProject({ 'models/a.sql': 'select 1' }, { targets: 'targets:\n  default: dev\n  dev:\n    type: duckdb\n    path: "{{ env_var(\'MFLOW_DB_PATH\') }}"\n' });
    const [f] = await errorsOf(run({ projectDir: q.dir, console: q.console, env: {} }));
    expect(f.code).toBe('MISSING_ENV_VAR');
    expect(f.file).toBe('project.yml');
    expect(f.line).toBe(7);
  });

  test('a project file that is not there', async () => {
    const [e] = await errorsOf(run({ projectDir: '/tmp/definitely-not-a-project' }));
    expect(e.code).toBe('PROJECT_NOT_FOUND');
    expect(e.hint).toMatch(/--project-dir/);
  });

  test('invalid SQL: the database error names the model and the compiled line', async () => {
    const p = makeProject({ 'models/bad.sql': 'select\n  1 as id,\n  nosuchcol as y\nfrom range(3)' });
    const r = await run({ projectDir: p.dir, console: p.console });
    expect(r.ok).toBe(false);
    expect(r.results[0].message).toContain('models/bad.sql');
    expect(r.results[0].message).toMatch(/nosuchcol/);
    expect(r.results[0].message).toMatch(/compiled SQL line 3/);
  });

  test('unknown config keys warn with file, line and a suggestion', async () => {
    const p = makeProject({
      'project.yml': 'name: fn\ntargets:\n  default: dev\n  dev: {type: duckdb, path: test.duckdb}\nmodels:\n  fn:\n    +materialised: table\n    staging:\n      +schema: stg\n',
      'models/staging/a.sql': "{{ config(materialzed='table') }}select 1 as id",
      'models/schema.yml': 'version: 2\nmodels:\n  - name: a\n    descripton: hi\n  - name: ghost\n',
    });
    await ls({ projectDir: p.dir, console: p.console });
    const warns = p.console.events.filter((e) => e.type === 'warn') as { msg: string; file?: string; line?: number }[];
    const find = (s: string) => warns.find((w) => w.msg.includes(s));
    expect(find("'+materialised'")).toMatchObject({ file: 'project.yml', line: 7 });
    expect(find("'+materialised'")!.msg).toContain("'+materialized'");
    expect(find("'materialzed'")).toMatchObject({ file: 'models/staging/a.sql' });
    expect(find("'descripton'")).toMatchObject({ file: 'models/schema.yml', line: 4 });
    expect(find("'ghost'")).toMatchObject({ file: 'models/schema.yml', line: 5 });
  });

  test('compile collects template runtime errors with file and line', async () => {
    const p = makeProject({ 'models/a.sql': "select 1\n{{ exceptions.raise_compiler_error('bad thing') }}", 'models/b.sql': "{{ var('needed') }}" });
    const errs = await errorsOf(compile({ projectDir: p.dir, console: p.console }));
    expect(errs.map((e) => [e.file, e.message.includes('bad thing') || e.message.includes('needed')])).toEqual(expect.arrayContaining([['models/a.sql', true], ['models/b.sql', true]]));
  });
});

describe('configuration', () => {
  test('config precedence: config() over properties over project.yml folders; tags add up', async () => {
    const p = makeProject({
      'project.yml': 'name: fn\ntargets:\n  default: dev\n  dev: {type: duckdb, path: test.duckdb}\nmodels:\n  fn:\n    +tags: [all]\n    staging:\n      materialized: table\n      +tags: [stg]\n      +enabled: true\n    off:\n      +enabled: false\n',
      'models/staging/a.sql': "{{ config(tags=['own']) }}select 1 as id",
      'models/staging/b.sql': "{{ config(materialized='view') }}select 1 as id",
      'models/staging/c.sql': 'select 1 as id',
      'models/off/d.sql': 'select 1 as id',
      'models/props.yml': 'version: 2\nmodels:\n  - name: c\n    config:\n      materialized: incremental\n',
    });
    const items = await ls({ projectDir: p.dir, console: p.console });
    const by = Object.fromEntries(items.map((i) => [i.name, i]));
    expect(by.a.materialized).toBe('table');
    expect(by.a.tags.sort()).toEqual(['all', 'own', 'stg']);
    expect(by.b.materialized).toBe('view');
    expect(by.c.materialized).toBe('incremental');
    expect(by.d).toBeUndefined();
  });

  test('a dbt project with profiles.yml: --profiles-dir, DBT_PROFILES_DIR, then the project folder', async () => {
    const p = makeProject({
      'project.yml': '',
      'models/a.sql': 'select 1 as id',
    });
    const { rmSync } = await import('node:fs');
    rmSync(join(p.dir, 'project.yml'));
    writeFileSync(join(p.dir, 'dbt_project.yml'), "name: dbtp\nversion: '1.0'\nconfig-version: 2\nprofile: myprof\nmodel-paths: [models]\n");
    const prof = (path: string) => `myprof:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: ${path}\n      threads: 1\n`;
    mkdirSync(join(p.dir, 'pd'));
    writeFileSync(join(p.dir, 'pd', 'profiles.yml'), prof(join(p.dir, 'from_flag.duckdb')));
    mkdirSync(join(p.dir, 'envd'));
    writeFileSync(join(p.dir, 'envd', 'profiles.yml'), prof(join(p.dir, 'from_env.duckdb')));
    writeFileSync(join(p.dir, 'profiles.yml'), prof(join(p.dir, 'from_project.duckdb')));
    expect((await run({ projectDir: p.dir, console: p.console, profilesDir: join(p.dir, 'pd'), env: {} })).ok).toBe(true);
    expect(await query(join(p.dir, 'from_flag.duckdb'), 'select id from main.a')).toEqual([{ id: 1 }]);
    expect((await run({ projectDir: p.dir, console: p.console, env: { DBT_PROFILES_DIR: join(p.dir, 'envd') } })).ok).toBe(true);
    expect(await query(join(p.dir, 'from_env.duckdb'), 'select id from main.a')).toEqual([{ id: 1 }]);
    expect((await run({ projectDir: p.dir, console: p.console, env: {} })).ok).toBe(true);
    expect(await query(join(p.dir, 'from_project.duckdb'), 'select id from main.a')).toEqual([{ id: 1 }]);
  });

  test('secrets from env_var never reach artifacts or logs', async () => {
    const { readFileSync, readdirSync } = await import('node:fs');
    const secret = 'S3cr3t-Value-987';
    const p = makeProject({ 'models/a.sql': "select '{{ target.name }}' as t" }, { targets: 'targets:\n  default: dev\n  dev:\n    type: duckdb\n    path: test.duckdb\n    settings: {}\n    password: "{{ env_var(\'MFLOW_PW\') }}"\n' });
    const r = await run({ projectDir: p.dir, console: p.console, env: { MFLOW_PW: secret } });
    expect(r.ok).toBe(true);
    const target = join(p.dir, 'target');
    const all = readdirSync(target, { recursive: true }).map(String).filter((f) => f.endsWith('.json') || f.endsWith('.sql'));
    for (const f of all) expect(readFileSync(join(target, f), 'utf8')).not.toContain(secret);
    expect(JSON.stringify(p.console.events)).not.toContain(secret);
    const { debug } = await import('../../src/api.js');
    const d = await debug({ projectDir: p.dir, env: { MFLOW_PW: secret } });
    expect(JSON.stringify(d)).not.toContain(secret);
    expect(d.target.password).toBe('****');
  });
});
