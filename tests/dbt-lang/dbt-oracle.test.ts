// dbt-core 1.12 (+ dbt-duckdb) as the oracle of the dbt language features of issue 11 part B:
// the same inline project goes through dbt and through mflow, and the manifests, errors and
// warehouse objects are compared; mflow's artifacts are validated against the JSON schemas
// dbt-core generates for manifest v12 and run-results v6.
import { execFile } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile, run } from '../../src/api.js';
import { deps } from '../../src/deps/install.js';
import { CaptureConsole } from '../../src/console/console.js';
import { MflowErrors } from '../../src/errors.js';
import { query } from '../functional/helpers.js';
import { pythonEnv, PYENV_TIMEOUT_MS, type PythonEnv } from '../oracles/python-env.js';
import { LANG_PROJECT, copyProject, writeProject } from './project.js';

const exec = promisify(execFile);
let py: PythonEnv;
const dirs: string[] = [];
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

async function dbt(dir: string, ...args: string[]): Promise<{ code: number; out: string }> {
  try {
    const r = await exec(py.bin('dbt'), [...args, '--project-dir', dir, '--profiles-dir', dir], { cwd: dir, env: py.env(), maxBuffer: 64 << 20 });
    return { code: 0, out: r.stdout + r.stderr };
  } catch (e) {
    const x = e as { code?: number; stdout?: string; stderr?: string };
    return { code: Number(x.code ?? 1), out: `${x.stdout ?? ''}${x.stderr ?? ''}` };
  }
}

const readJson = (p: string): Json => JSON.parse(readFileSync(p, 'utf8'));
const strip = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');

let dbtDir: string;
let mfDir: string;
let dbtManifest: Json;
let mfManifest: Json;

beforeAll(async () => {
  py = await pythonEnv();
  const base = writeProject(LANG_PROJECT);
  dbtDir = copyProject(base);
  mfDir = copyProject(base);
  dirs.push(base, dbtDir, mfDir);
  const parsed = await dbt(dbtDir, 'parse');
  expect(parsed.code, parsed.out).toBe(0);
  dbtManifest = readJson(join(dbtDir, 'target/manifest.json'));
  await compile({ projectDir: mfDir, profilesDir: mfDir, console: new CaptureConsole() });
  mfManifest = readJson(join(mfDir, 'target/manifest.json'));
}, PYENV_TIMEOUT_MS);

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Tests' unique ids end in a hash of dbt's own making; compare them by name. */
const nodeKeys = (m: Json) =>
  Object.values(m.nodes as Record<string, Json>)
    .map((n) => (n.resource_type === 'test' ? `test.${n.name} -> ${n.attached_node ?? '(singular)'}` : n.unique_id))
    .sort();

describe('mflow against dbt-core 1.12 on the same project', () => {
  it('builds the same nodes: versions (latest in the unsuffixed file, tests on every version), nothing from disabled models', () => {
    expect(nodeKeys(mfManifest)).toEqual(nodeKeys(dbtManifest));
    for (const id of ['model.lang.dim_x.v1', 'model.lang.dim_x.v2']) {
      expect(mfManifest.nodes[id].original_file_path).toBe(dbtManifest.nodes[id].original_file_path);
      expect(Object.keys(mfManifest.nodes[id].columns)).toEqual(Object.keys(dbtManifest.nodes[id].columns));
    }
  });

  it('disables what dbt disables (a unit test of a disabled model included)', () => {
    expect(Object.keys(mfManifest.disabled).sort()).toEqual(Object.keys(dbtManifest.disabled).sort());
    expect(Object.keys(mfManifest.unit_tests)).toEqual(Object.keys(dbtManifest.unit_tests));
  });

  it('groups, exposures, semantic models, metrics and saved queries: same ids, keys and dependencies', () => {
    for (const key of ['groups', 'exposures', 'semantic_models', 'metrics', 'saved_queries']) {
      expect(Object.keys(mfManifest[key]).sort(), key).toEqual(Object.keys(dbtManifest[key]).sort());
      for (const [id, d] of Object.entries(dbtManifest[key] as Record<string, Json>)) {
        const m = mfManifest[key][id];
        expect(Object.keys(m).sort(), id).toEqual(Object.keys(d).sort());
        expect([...(m.depends_on?.nodes ?? [])].sort(), id).toEqual([...(d.depends_on?.nodes ?? [])].sort());
        for (const k of ['name', 'resource_type', 'package_name', 'path', 'original_file_path', 'fqn', 'type', 'owner', 'label', 'description', 'maturity', 'url', 'refs', 'type_params', 'query_params', 'entities', 'measures', 'dimensions', 'defaults', 'model']) {
          if (k in d) expect(m[k], `${id}.${k}`).toEqual(d[k]);
        }
      }
      for (const id of Object.keys(dbtManifest[key])) expect([...(mfManifest.parent_map[id] ?? [])].sort(), id).toEqual([...(dbtManifest.parent_map[id] ?? [])].sort());
    }
    expect(mfManifest.group_map).toEqual(dbtManifest.group_map);
    for (const id of Object.keys(dbtManifest.nodes).filter((x) => x.startsWith('model.'))) {
      expect([mfManifest.nodes[id].access, mfManifest.nodes[id].group], id).toEqual([dbtManifest.nodes[id].access, dbtManifest.nodes[id].group]);
    }
  });

  it('a ref to a private model from outside its group: the same error as dbt, with mflow adding file and line', async () => {
    const files = { ...LANG_PROJECT, 'models/outsider.sql': "select *\nfrom {{ ref('fin_private') }}" };
    const d = writeProject(files);
    const m = writeProject(files);
    dirs.push(d, m);
    const r = await dbt(d, 'parse');
    expect(r.code).not.toBe(0);
    const e = (await compile({ projectDir: m, profilesDir: m, console: new CaptureConsole() }).catch((x: unknown) => x)) as MflowErrors;
    expect(e).toBeInstanceOf(MflowErrors);
    expect(strip(r.out)).toContain(e.errors[0].message);
    expect([e.errors[0].file, e.errors[0].line]).toEqual(['models/outsider.sql', 2]);
  });

  it('access across packages: restrict-access keeps protected and private models to their package, public ones stay open (as dbt-core)', async () => {
    /** A root project that refs `refs` from a local package `lib` (restrict-access as given). */
    const project = (restrict: boolean, refs: string[]) => ({
      'dbt_project.yml': "name: app\nversion: '1.0'\nprofile: app\n",
      'profiles.yml': 'app:\n  target: dev\n  outputs:\n    dev: {type: duckdb, path: app.duckdb, threads: 1}\n',
      'packages.yml': 'packages:\n  - local: lib\n',
      'models/uses_lib.sql': `select 1 as id\n${refs.map((r) => `-- {{ ref('${r}') }}`).join('\n')}`,
      'lib/dbt_project.yml': `name: lib\nversion: '1.0'\nconfig-version: 2\n${restrict ? 'restrict-access: true\n' : ''}`,
      'lib/models/lib_protected.sql': 'select 1 as id',
      'lib/models/lib_public.sql': 'select 1 as id',
      'lib/models/lib_private.sql': 'select 1 as id',
      'lib/models/lib_internal.sql': "select * from {{ ref('lib_protected') }}",
      'lib/models/props.yml': 'version: 2\ngroups:\n  - name: core\n    owner: {name: core team}\nmodels:\n  - name: lib_public\n    access: public\n  - name: lib_private\n    access: private\n    group: core\n',
    });
    /** dbt deps + dbt parse, and mflow deps + compile: the error message of each, or '' when it parses. */
    const both = async (files: Record<string, string>): Promise<{ dbt: string; dbtCode: number; mflow: MflowErrors | null }> => {
      const d = writeProject(files);
      const m = writeProject(files);
      dirs.push(d, m);
      const installed = await dbt(d, 'deps');
      expect(installed.code, installed.out).toBe(0);
      const r = await dbt(d, 'parse');
      await deps({ projectDir: m });
      const e = await compile({ projectDir: m, profilesDir: m, console: new CaptureConsole() }).then(() => null, (x: unknown) => x as MflowErrors);
      return { dbt: strip(r.out), dbtCode: r.code, mflow: e };
    };
    const [open, unrestricted, ...refusals] = await Promise.all([
      both(project(true, ['lib_public'])),
      both(project(false, ['lib_protected'])),
      both(project(true, ['lib_protected'])),
      both(project(true, ['lib_private'])),
    ]);
    expect([open.dbtCode, open.mflow?.message ?? null], open.dbt).toEqual([0, null]);
    expect([unrestricted.dbtCode, unrestricted.mflow?.message ?? null], unrestricted.dbt).toEqual([0, null]);
    for (const [i, kind] of ['protected', 'private'].entries()) {
      const refused = refusals[i];
      expect(refused.dbtCode, refused.dbt).not.toBe(0);
      expect(refused.mflow).toBeInstanceOf(MflowErrors);
      const err = refused.mflow!.errors[0];
      expect(err.message).toContain(`which is not allowed because the referenced node is ${kind} to the`);
      expect(refused.dbt).toContain(err.message);
      expect([err.file, err.line]).toEqual(['models/uses_lib.sql', 2]);
    }
  }, 400_000);

  it("contracts: dbt's table of differences for a mismatch, the same constraints in the table", async () => {
    const r = await dbt(dbtDir, 'run', '-s', 'c1', 'c2');
    const mine = await run({ projectDir: mfDir, profilesDir: mfDir, console: new CaptureConsole(), select: ['c1', 'c2'] });
    const table = (text: string) => strip(text).split('\n').map((l) => l.trim()).filter((l) => l.startsWith('|'));
    const dbtTable = table(r.out);
    expect(dbtTable.length).toBe(5);
    expect(table(mine.results.find((x) => x.unique_id === 'model.lang.c1')!.message ?? '')).toEqual(dbtTable);
    expect(mine.results.find((x) => x.unique_id === 'model.lang.c2')!.status).toBe('success');
    const sql = "select constraint_type from duckdb_constraints() where table_name = 'c2' order by 1";
    const mfCons = (await query(join(mfDir, 'lang.duckdb'), sql)).map((x) => x.constraint_type);
    // dbt's file is written by the Python DuckDB (a newer storage version than @duckdb/node-api reads): ask it.
    const { stdout } = await exec(py.python, ['-c', `import duckdb, json; print(json.dumps([r[0] for r in duckdb.connect(${JSON.stringify(join(dbtDir, 'lang.duckdb'))}, read_only=True).execute(${JSON.stringify(sql)}).fetchall()]))`], { env: py.env() });
    expect(mfCons).toEqual(JSON.parse(stdout));
    expect(mfCons).toEqual(['CHECK', 'NOT NULL', 'PRIMARY KEY', 'UNIQUE']);
  });

  it("mflow's manifest.json and run_results.json validate against dbt-core's own JSON schemas (manifest v12, run-results v6)", async () => {
    await run({ projectDir: mfDir, profilesDir: mfDir, console: new CaptureConsole(), exclude: ['c1'] });
    const script = [
      'import json, sys',
      'from jsonschema import Draft202012Validator',
      'from jsonschema.exceptions import best_match',
      'def deepest(e):',
      '    while e.context:',
      '        e = best_match(e.context)',
      '    return "/".join(map(str, e.absolute_path)) + ": " + e.message[:300]',
      'from dbt.artifacts.schemas.manifest import WritableManifest',
      'from dbt.artifacts.schemas.run import RunResultsArtifact',
      'out = {}',
      'for name, cls, path in [("manifest", WritableManifest, sys.argv[1]), ("run_results", RunResultsArtifact, sys.argv[2])]:',
      '    doc = json.load(open(path))',
      '    errs = sorted(Draft202012Validator(cls.json_schema()).iter_errors(doc), key=lambda e: list(map(str, e.absolute_path)))',
      '    out[name] = {"schema": str(cls.dbt_schema_version), "version": doc["metadata"]["dbt_schema_version"], "errors": [deepest(e) for e in errs[:20]]}',
      'print(json.dumps(out))',
    ].join('\n');
    const scriptFile = join(mfDir, 'validate.py');
    writeFileSync(scriptFile, script);
    const { stdout } = await exec(py.python, [scriptFile, join(mfDir, 'target/manifest.json'), join(mfDir, 'target/run_results.json')], { env: py.env(), maxBuffer: 64 << 20 });
    const v = JSON.parse(stdout);
    expect(v.manifest).toEqual({ schema: 'https://schemas.getdbt.com/dbt/manifest/v12.json', version: 'https://schemas.getdbt.com/dbt/manifest/v12.json', errors: [] });
    expect(v.run_results).toEqual({ schema: 'https://schemas.getdbt.com/dbt/run-results/v6.json', version: 'https://schemas.getdbt.com/dbt/run-results/v6.json', errors: [] });
    // The top-level keys are dbt's, all of them.
    expect(Object.keys(mfManifest).sort()).toEqual(Object.keys(dbtManifest).sort());
  });
});
