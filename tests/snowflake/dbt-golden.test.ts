/**
 * dbt-snowflake as a golden reference: the same small project (a view, a table, incremental models
 * with merge, append and delete+insert, a seed, a unique test and a timestamp snapshot) built by
 * dbt-snowflake 1.12 under fakesnow and by mflow on the emulator. The statements of each
 * materialization are compared; where mflow's differ, the expectation says why.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, run, snapshot } from '../../src/api.js';
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
  // The other incremental strategies and a snapshot. dbt-snowflake stages merge and append in a
  // temporary view by default, which fakesnow cannot create: tmp_relation_type='table' makes it
  // stage in a temporary table, as mflow always does (delete+insert with a key already does).
  'models/inc_append.sql': "{{ config(materialized='incremental', incremental_strategy='append', tmp_relation_type='table') }}\nselect 1 as id, 'a' as v",
  'models/inc_di.sql': "{{ config(materialized='incremental', unique_key='id', incremental_strategy='delete+insert') }}\nselect 1 as id, 'a' as v",
  'models/inc_merge_t.sql': "{{ config(materialized='incremental', unique_key='id', incremental_strategy='merge', tmp_relation_type='table') }}\nselect 1 as id, 'a' as v",
  'models/src_t.sql': "{{ config(materialized='table') }}\nselect 1 as id, 'a' as v, '2024-01-01'::timestamp as updated_at",
  'snapshots/snap.sql': "{% snapshot snap %}\n{{ config(unique_key='id', strategy='timestamp', updated_at='updated_at') }}\nselect * from {{ ref('src_t') }}\n{% endsnapshot %}\n",
};

// fakesnow runs on DuckDB, whose temporary tables live in its own "temp" catalog: a schema-qualified
// \`create temporary table DB.S.X\` is refused. The runner logs what dbt sent and hands fakesnow a
// plain table of the same name; temporary views are left as they are (fakesnow refuses them).
const RUNNER = `
import fakesnow, json, re, sys
import fakesnow.cursor as fc
from dbt.cli.main import dbtRunner
log = []
orig = fc.FakeSnowflakeCursor.execute
def execute(self, command, *args, **kwargs):
    log.append(command if isinstance(command, str) else str(command))
    if isinstance(command, str):
        command = re.sub(r'^(\\s*create\\s+or\\s+replace\\s+)temporary\\s+table\\b', r'\\1table', command, flags=re.I)
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

/** For comparing statements: no space inside parentheses, one after each comma. */
const cmp = (s: string) => norm(s).replace(/\(\s+/g, '(').replace(/\s+\)/g, ')').replace(/\s*,\s*/g, ', ');
/** Statements that change something: reads (describe, show, select) left out. */
const writes = (xs: string[]) => xs.filter((x) => !/^(describe|show|select)\b/.test(x));
/** dbt's staging name in mflow's spelling, so the rest of the statement can be compared. */
const ourTmp = (s: string) => s.replace(/__dbt_tmp\b/g, '__mflow_tmp');

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
    ['run', '--profiles-dir', dir, '--project-dir', dir, '-s', 'inc_append', 'inc_di'],
    ['snapshot', '--profiles-dir', dir, '--project-dir', dir],
    // Last: dbt's merge fails on fakesnow (below) and may leave its DuckDB transaction aborted.
    ['run', '--profiles-dir', dir, '--project-dir', dir, '-s', 'inc_merge_t'],
  ]);
  const out = execFileSync(py.python, [join(dir, 'run.py'), args], { cwd: dir, env: py.env(), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'ignore'] });
  dbtRuns = JSON.parse(out.split('@@JSON@@').pop()!) as typeof dbtRuns;
}, PYENV_TIMEOUT_MS + 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('dbt-snowflake (under fakesnow) and mflow send the same statements per materialization', () => {
  it('view, table, first incremental run, seed and test', async () => {
    expect(dbtRuns[0].ok).toBe(true);
    const dbt = dbtRuns[0].statements.map(norm);
    const p = makeSfProject(sf.emu, MODELS, { schema: 'G1', threads: 1 });
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
    const p = makeSfProject(sf.emu, MODELS, { schema: 'G1', threads: 1 });
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

  it('incremental append and delete+insert: the same statements, except the transaction around a single insert', async () => {
    expect(dbtRuns[2].ok).toBe(true);
    const dbt = writes(dbtRuns[2].statements.map(cmp).map(ourTmp));
    const p = makeSfProject(sf.emu, MODELS, { schema: 'G1', threads: 1 });
    sf.emu.resetStats();
    const r = await run({ projectDir: p.dir, env: p.env, console: p.console, select: ['inc_append', 'inc_di'] });
    expect(r.ok).toBe(true);
    const ours = writes(sf.emu.stats.sqlLog.map(cmp));
    const of = (xs: string[], model: string) => xs.filter((x) => (x.includes(`<s>.${model}`) && !/^(describe|select|show)/.test(x)) || /^(begin|commit)$/.test(x));
    const stage = (m: string) => `create or replace temporary table <s>.${m}__mflow_tmp as (select 1 as id, 'a' as v)`;
    const insert = (m: string) => `insert into <s>.${m} ("id", "v") (select "id", "v" from <s>.${m}__mflow_tmp)`;
    const drop = (m: string) => `drop table if exists <s>.${m}__mflow_tmp cascade`;
    // append: dbt wraps its one insert in begin/commit; mflow sends the insert alone, which
    // Snowflake commits by itself (autocommit): the same effect, two round trips fewer.
    const dbtAppend = dbt.slice(0, dbt.indexOf(drop('inc_append')) + 1).filter((x) => of([x], 'inc_append').length);
    expect(dbtAppend).toEqual([stage('inc_append'), 'begin', insert('inc_append'), 'commit', drop('inc_append')]);
    expect(of(ours, 'inc_append').filter((x) => !/^(begin|commit)$/.test(x))).toEqual([stage('inc_append'), insert('inc_append'), drop('inc_append')]);
    // delete+insert: both stage in a temporary table (dbt does so whenever a unique key is set) and
    // run delete and insert in one transaction. mflow quotes the key it upper-cased ("ID"), so a key
    // configured in lower case matches the stored column whatever the quoting; dbt writes it as configured.
    const del = (key: string) => `delete from <s>.inc_di as dbt_internal_dest where (${key}) in (select distinct ${key} from <s>.inc_di__mflow_tmp as dbt_internal_source)`;
    const di = (key: string) => [stage('inc_di'), 'begin', del(key), insert('inc_di'), 'commit', drop('inc_di')];
    expect(dbt.slice(dbt.indexOf(stage('inc_di')), dbt.indexOf(drop('inc_di')) + 1)).toEqual(di('id'));
    expect(ours.slice(ours.indexOf(stage('inc_di')), ours.indexOf(drop('inc_di')) + 1)).toEqual(di('"id"'));
  }, 120_000);

  it('incremental merge staged in a table: the same merge shape; mflow qualifies the inserted values and leaves keys out of the update', async () => {
    // dbt's merge fails on fakesnow: its `values ("ID", "V")` are unqualified, which Snowflake
    // resolves to the source but DuckDB under fakesnow calls ambiguous. The statement is still dbt's.
    expect(dbtRuns[4].ok).toBe(false);
    const dbt = writes(dbtRuns[4].statements.map(cmp).map(ourTmp));
    const p = makeSfProject(sf.emu, MODELS, { schema: 'G1', threads: 1 });
    sf.emu.resetStats();
    const r = await run({ projectDir: p.dir, env: p.env, console: p.console, select: ['inc_merge_t'] });
    expect(r.ok).toBe(true);
    const ours = writes(sf.emu.stats.sqlLog.map(cmp));
    const stage = "create or replace temporary table <s>.inc_merge_t__mflow_tmp as (select 1 as id, 'a' as v)";
    expect(dbt.slice(dbt.indexOf(stage))).toEqual([
      stage,
      'begin',
      'merge into <s>.inc_merge_t as dbt_internal_dest using <s>.inc_merge_t__mflow_tmp as dbt_internal_source on ((dbt_internal_source.id = dbt_internal_dest.id)) when matched then update set "id" = dbt_internal_source."id", "v" = dbt_internal_source."v" when not matched then insert ("id", "v") values ("id", "v")',
    ]);
    // Ours: one statement, no transaction (a single MERGE is atomic); the key is not updated (the
    // ON clause makes it equal); the inserted values name their side, so no warehouse has to guess.
    expect(ours.slice(ours.indexOf(stage), ours.indexOf(stage) + 3)).toEqual([
      stage,
      'merge into <s>.inc_merge_t as dbt_internal_dest using <s>.inc_merge_t__mflow_tmp as dbt_internal_source on dbt_internal_source."id" = dbt_internal_dest."id" when matched then update set "v" = dbt_internal_source."v" when not matched then insert ("id", "v") values (dbt_internal_source."id", dbt_internal_source."v")',
      'drop table if exists <s>.inc_merge_t__mflow_tmp cascade',
    ]);
  }, 120_000);

  it('snapshot (timestamp strategy): the same SCD2 columns; dbt merges a staged change set, mflow updates then inserts in one transaction', async () => {
    // dbt's snapshot merge fails on fakesnow for the same unqualified-values reason as above.
    expect(dbtRuns[3].ok).toBe(false);
    const dbt = dbtRuns[3].statements.map(cmp);
    const p = makeSfProject(sf.emu, MODELS, { schema: 'G1', threads: 1 });
    sf.emu.resetStats();
    const r = await snapshot({ projectDir: p.dir, env: p.env, console: p.console });
    expect(r.ok).toBe(true);
    const ours = sf.emu.stats.sqlLog.map(cmp);
    const scd = (col: (c: string) => string) => `md5(coalesce(cast(${col('id')} as varchar), '') || '|' || coalesce(cast(${col('updated_at')} as varchar), ''))`;
    // dbt: stage the change set (inserts, updates) in a temporary table, then one MERGE on dbt_scd_id.
    const dbtWrites = dbt.filter((x) => /^(create|begin|merge|commit)/.test(x));
    expect(dbtWrites[0]).toMatch(/^create or replace temporary table "golden"\."s"\."snap__dbt_tmp" as \(with snapshot_query as/);
    expect(dbtWrites[0]).toContain(`${scd((c) => c)} as dbt_scd_id`);
    expect(dbtWrites.slice(1).map((x) => x.slice(0, 60))).toEqual(['begin', 'merge into "golden"."s"."snap" as dbt_internal_dest using "g']);
    // mflow: stage the query once, check its keys are unique (a duplicate would make the merge
    // nondeterministic), then close changed current rows and insert new versions, in one transaction.
    const stageName = '<s>.mflow_snapshot__snapshot_sf_snap';
    expect(ours.filter((x) => /^(create|begin|update|insert|commit|drop)/.test(x)).map((x) => x.split(' ').slice(0, 4).join(' '))).toEqual([
      'create or replace temporary',
      'begin',
      'update <s>.snap as t',
      'insert into <s>.snap ("id",',
      'commit',
      'drop table if exists',
    ]);
    expect(ours[ours.findIndex((x) => x.startsWith('create'))]).toBe(`create or replace temporary table ${stageName} as (select * from <s>.src_t)`);
    expect(ours.find((x) => x.startsWith('insert into <s>.snap'))).toContain(scd((c) => `s."${c}"`));
  }, 120_000);
});
