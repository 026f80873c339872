/**
 * dbt-snowflake as a golden reference: the same small project (a view, a table, an incremental
 * merge model, a seed, a unique test) built by dbt-snowflake 1.12 under fakesnow and by mflow on
 * the emulator. The statements of each materialization are compared; where mflow's differ, the
 * expectation says why.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, run } from '../../src/api.js';
import { PYENV_TIMEOUT_MS, pythonEnv } from '../oracles/python-env.js';
import { emulatorWithReader } from './emulator-per-file.js';
import { makeSfProject } from './helpers.js';

const sf = emulatorWithReader();

const MODELS: Record<string, string> = {
  'models/v_model.sql': "select 1 as id, 'a' as v",
  'models/t_model.sql': "{{ config(materialized='table') }}\nselect 1 as id, 'a' as v",
  'models/inc_merge.sql': "{{ config(materialized='incremental', unique_key='id', incremental_strategy='merge') }}\nselect 1 as id, 'a' as v",
  'models/schema.yml': 'version: 2\nmodels:\n  - name: t_model\n    columns:\n      - name: id\n        data_tests: [unique]\n',
  'seeds/s_seed.csv': 'id,v\n1,a\n',
};

const RUNNER = `
import fakesnow, json, sys
import fakesnow.cursor as fc
from dbt.cli.main import dbtRunner
log = []
orig = fc.FakeSnowflakeCursor.execute
def execute(self, command, *args, **kwargs):
    log.append(command if isinstance(command, str) else str(command))
    return orig(self, command, *args, **kwargs)
fc.FakeSnowflakeCursor.execute = execute
out = []
with fakesnow.patch(create_database_on_connect=True, create_schema_on_connect=True):
    for args in json.loads(sys.argv[1]):
        log.clear()
        r = dbtRunner().invoke(args)
        out.append({"ok": bool(r.success), "error": None if r.success else str(r.result), "statements": list(log)})
print("@@JSON@@" + json.dumps(out))
`;

/** One line, no comments, lower case, the database and schema written <s>. */
const norm = (s: string) =>
  s
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/--[^\n]*/g, '')
    .replace(/\s+/g, ' ')
    .replace(/\s*;\s*$/, '')
    .trim()
    .toLowerCase()
    .replace(/\b(golden\.s|mflow\.g1)\./g, '<s>.');

let dbtRuns: { ok: boolean; error: string | null; statements: string[] }[];
let dir: string;

beforeAll(async () => {
  const py = await pythonEnv();
  dir = mkdtempSync(join(tmpdir(), 'mflow-dbt-golden-'));
  for (const [p, text] of Object.entries(MODELS)) {
    mkdirSync(join(dir, p, '..'), { recursive: true });
    writeFileSync(join(dir, p), text);
  }
  writeFileSync(join(dir, 'dbt_project.yml'), 'name: golden\nversion: "1.0"\nprofile: golden\n');
  writeFileSync(join(dir, 'profiles.yml'), 'golden:\n  target: fake\n  outputs:\n    fake:\n      type: snowflake\n      account: fakesnow\n      user: u\n      password: p\n      database: GOLDEN\n      schema: S\n      warehouse: WH\n      threads: 1\n');
  writeFileSync(join(dir, 'run.py'), RUNNER);
  const args = JSON.stringify([
    ['build', '--profiles-dir', dir, '--project-dir', dir],
    ['run', '--profiles-dir', dir, '--project-dir', dir, '-s', 'inc_merge'],
  ]);
  const out = execFileSync(py.python, [join(dir, 'run.py'), args], { cwd: dir, env: py.env(), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'ignore'] });
  dbtRuns = JSON.parse(out.split('@@JSON@@').pop()!) as typeof dbtRuns;
}, PYENV_TIMEOUT_MS + 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('dbt-snowflake (under fakesnow) and mflow send the same statements per materialization', () => {
  it('view, table, first incremental run, seed and test', async () => {
    expect(dbtRuns[0].ok).toBe(true);
    const dbt = dbtRuns[0].statements.map(norm);
    const p = makeSfProject(sf.emu, MODELS, { schema: 'G1' });
    sf.emu.resetStats();
    const r = await build({ projectDir: p.dir, env: p.env, console: p.console });
    expect(r.ok).toBe(true);
    const ours = sf.emu.stats.sqlLog.map(norm);

    // Table, view and first incremental run: identical statements.
    for (const s of ["create or replace transient table <s>.t_model as ( select 1 as id, 'a' as v )", "create or replace transient table <s>.inc_merge as ( select 1 as id, 'a' as v )", "create or replace view <s>.v_model as ( select 1 as id, 'a' as v )"]) {
      expect(dbt).toContain(s);
      expect(ours).toContain(s);
    }
    // The unique test: the same statement, character for character.
    const test = (xs: string[]) => xs.find((s) => s.includes('should_warn'));
    expect(test(ours)).toBe(test(dbt));
    // Seed: both create the table, then load it in one transaction with bound values. Differences:
    // dbt types columns with agate (integer, text) and quotes nothing; mflow infers Snowflake types
    // from the whole file and quotes the upper-cased names. dbt creates the table and loads it with
    // `insert overwrite`; mflow writes `create or replace` and `insert` (the table is new either way).
    // `%s` and `?` are the Python and Node drivers' bind markers.
    expect(dbt).toEqual(expect.arrayContaining(['create transient table <s>.s_seed (id integer,v text)', 'begin', 'insert overwrite into <s>.s_seed (id, v) values (%s,%s)', 'commit']));
    const seedAt = ours.findIndex((s) => s.startsWith('insert into <s>.s_seed'));
    expect(ours.slice(seedAt - 2, seedAt + 2)).toEqual(['create or replace transient table <s>.s_seed ("id" number(38,0), "v" varchar)', 'begin', 'insert into <s>.s_seed ("id", "v") values (?, ?)', 'commit']);
    // Metadata: dbt lists schemas and objects (`limit 10000`) and user functions on every run; mflow
    // lists the objects of each schema it builds in (paging only past 10,000) and schemas only when a
    // schema's listing is empty (here: the new schema G1), and no functions (it has no function nodes).
    expect(dbt.filter((s) => s.startsWith('show'))).toEqual(['show terse schemas in database golden limit 10000', 'show objects in golden.s limit 10000', 'show user functions in golden.s']);
    expect(ours.filter((s) => s.startsWith('show'))).toEqual(['show terse objects in schema mflow.g1', 'show terse schemas in database mflow']);
  }, 120_000);

  it('incremental merge: mflow stages the new rows in a temporary table and merges; dbt-snowflake cannot run its merge on fakesnow', async () => {
    // dbt-snowflake stages in a schema-qualified temporary view, which fakesnow (DuckDB) cannot create.
    expect(dbtRuns[1].ok).toBe(false);
    expect(dbtRuns[1].statements.map(norm).pop()).toBe("create or replace temporary view <s>.inc_merge__dbt_tmp as ( select 1 as id, 'a' as v )");
    const p = makeSfProject(sf.emu, MODELS, { schema: 'G1' });
    sf.emu.resetStats();
    const r = await run({ projectDir: p.dir, env: p.env, console: p.console, select: ['inc_merge'] });
    expect(r.ok).toBe(true);
    const ours = sf.emu.stats.sqlLog.map(norm);
    // A temporary table, not a view: its columns are read once (`select ... limit 0`) for
    // on_schema_change, and the merge reads materialized rows. dbt's merge statement, from its macro
    // (snowflake__get_merge_sql), has the same shape: DBT_INTERNAL_SOURCE/DEST, update then insert.
    expect(ours).toContain("create or replace temporary table <s>.inc_merge__mflow_tmp as ( select 1 as id, 'a' as v )");
    expect(ours.find((s) => s.startsWith('merge into'))).toBe(
      'merge into <s>.inc_merge as dbt_internal_dest using <s>.inc_merge__mflow_tmp as dbt_internal_source on dbt_internal_source."id" = dbt_internal_dest."id" when matched then update set "v" = dbt_internal_source."v" when not matched then insert ("id", "v") values (dbt_internal_source."id", dbt_internal_source."v")',
    );
  }, 120_000);
});
