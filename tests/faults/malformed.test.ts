import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, SEED, cleanup, copyProject, ensureBuilt, mflow, rng, scratch, sha256File, writeFiles } from './helpers.js';

/**
 * A corpus of malformed projects, one per validation rule and error class: each must fail with a
 * located error (file:line), exit 2, and leave the warehouse file byte for byte as it was.
 */
const base: Record<string, string> = {
  'project.yml': 'name: bad\nversion: 1.0.0\ntargets:\n  default: dev\n  dev:\n    type: duckdb\n    path: bad.duckdb\n    threads: 2\n',
  'seeds/codes.csv': 'code,label\n1,one\n2,two\n',
  'models/a.sql': "{{ config(materialized='table') }}\nselect range as id, 'x' as name from range(10)",
  'models/b.sql': "select id from {{ ref('a') }}",
  'models/schema.yml': 'version: 2\nmodels:\n  - name: a\n    columns:\n      - name: id\n        data_tests: [unique, not_null]\n',
};

interface Case {
  name: string;
  files: Record<string, string>;
  args?: string[];
  env?: NodeJS.ProcessEnv;
  /** file:line the error must name. */
  at: RegExp;
  says: RegExp;
}

const projectWith = (extra: string) => base['project.yml'].replace('targets:', `${extra}targets:`);

const CASES: Case[] = [
  { name: 'unknown materialization in config()', files: { 'models/b.sql': "{{ config(materialized='tabel') }}\nselect 1 as id" }, at: /models\/b\.sql:1/, says: /Unknown materialization 'tabel'[\s\S]*Did you mean 'table'/ },
  { name: 'unknown materialization in project.yml', files: { 'project.yml': projectWith('models:\n  bad:\n    +materialized: viewz\n') }, at: /project\.yml:5/, says: /Did you mean 'view'/ },
  { name: 'threads: "two"', files: { 'project.yml': base['project.yml'].replace('threads: 2', 'threads: two') }, at: /project\.yml:8/, says: /not a whole number of threads/ },
  { name: 'enabled: "no"', files: { 'models/schema.yml': 'version: 2\nmodels:\n  - name: b\n    config:\n      enabled: "no"\n' }, at: /models\/schema\.yml:5/, says: /not true or false/ },
  { name: 'on_schema_change value', files: { 'models/b.sql': "{{ config(on_schema_change='explode') }}\nselect 1 as id" }, at: /models\/b\.sql:1/, says: /on_schema_change 'explode'/ },
  { name: 'test severity value', files: { 'models/schema.yml': 'version: 2\nmodels:\n  - name: a\n    columns:\n      - name: id\n        data_tests:\n          - unique:\n              config:\n                severity: fatal\n' }, at: /models\/schema\.yml:9/, says: /severity 'fatal'/i },
  { name: 'test on a column the model does not declare', files: { 'models/schema.yml': 'version: 2\nmodels:\n  - name: a\n    columns:\n      - name: id\n    data_tests:\n      - unique:\n          column_name: idd\n' }, at: /models\/schema\.yml:7/, says: /does not declare/ },
  { name: 'test on a column the relation does not have', files: { 'models/schema.yml': 'version: 2\nmodels:\n  - name: a\n    columns:\n      - name: nmae\n        data_tests: [not_null]\n' }, args: ['test'], at: /models\/schema\.yml:6/, says: /does not have[\s\S]*Did you mean 'name'/ },
  { name: 'unclosed if', files: { 'models/b.sql': "select 1 as id\n{% if true %}\n, 2 as x\n\nfrom t\n" }, at: /models\/b\.sql:2:1/, says: /\{% if %\} is never closed/ },
  { name: 'unknown ref', files: { 'models/b.sql': "select * from {{ ref('aa_missing') }}" }, at: /models\/b\.sql:1/, says: /aa_missing/ },
  { name: 'unknown source', files: { 'models/b.sql': "select * from {{ source('nope', 'tbl') }}" }, at: /models\/b\.sql:1/, says: /not declared/ },
  { name: 'YAML syntax', files: { 'models/schema.yml': 'version: 2\nmodels:\n  - name: a\n    columns: [\n' }, at: /models\/schema\.yml:\d+/, says: /YAML|yaml/ },
  { name: 'unknown generic test', files: { 'models/schema.yml': 'version: 2\nmodels:\n  - name: a\n    columns:\n      - name: id\n        data_tests: [uniqe]\n' }, at: /models\/schema\.yml:6/, says: /Did you mean 'unique'/ },
  { name: 'accepted_values without values', files: { 'models/schema.yml': 'version: 2\nmodels:\n  - name: a\n    columns:\n      - name: id\n        data_tests: [accepted_values]\n' }, at: /models\/schema\.yml:6/, says: /needs a list of 'values'/ },
  { name: 'missing env var', files: { 'project.yml': base['project.yml'].replace('path: bad.duckdb', "path: \"{{ env_var('MFLOW_FAULT_UNSET_VAR') }}\"") }, at: /project\.yml:7/, says: /MFLOW_FAULT_UNSET_VAR/ },
  { name: 'duplicate node name', files: { 'models/sub/b.sql': 'select 2 as id' }, at: /models\/(sub\/)?b\.sql:1/, says: /named 'b'/ },
  { name: 'macro syntax', files: { 'macros/m.sql': '{% macro m() %}\n{{ x + }}\n{% endmacro %}\n' }, at: /macros\/m\.sql:2/, says: /Jinja syntax error/ },
  { name: 'config value type: full_refresh', files: { 'models/b.sql': "{{ config(full_refresh='yes') }}\nselect 1 as id" }, at: /models\/b\.sql:1/, says: /full_refresh/ },
];

describe(`malformed projects (FAULT_SEED=${SEED})`, () => {
  let built: string;
  const dirs: string[] = [];
  const seen = { cases: 0 };

  beforeAll(() => {
    ensureBuilt();
    built = scratch('malformed-base');
    writeFiles(built, base);
    const r = mflow(built, ['build']);
    expect(r.code, r.out + r.err).toBe(0);
  });
  afterAll(() => {
    console.log(`malformed: FAULT_SEED=${SEED} cases=${seen.cases}`);
    for (const d of [built, ...dirs]) cleanup(d);
  });

  // Seeded order, so an interaction between cases replays.
  const order = CASES.map((c, i) => ({ c, k: rng(SEED + i)() })).sort((a, b) => a.k - b.k).map((x) => x.c);

  it.each(order.map((c) => [c.name, c] as const))('%s: located error, exit 2, warehouse unchanged', (_name, c) => {
    const dir = copyProject(built, 'malformed');
    dirs.push(dir);
    const db = join(dir, 'bad.duckdb');
    const before = [sha256File(db), sha256File(`${db}.wal`)];
    const manifestBefore = sha256File(join(dir, 'target/manifest.json'));
    writeFiles(dir, c.files);
    const r = mflow(dir, c.args ?? ['build'], c.env);
    const all = r.out + r.err;
    expect(r.code, all).toBe(2);
    expect(all).toMatch(c.at);
    expect(all).toMatch(c.says);
    expect([sha256File(db), sha256File(`${db}.wal`)], `${c.name}: the warehouse changed`).toEqual(before);
    // Errors found before anything ran are still recorded for CI.
    const rr = JSON.parse(readFileSync(join(dir, 'target/run_results.json'), 'utf8')) as { results: unknown[]; success?: boolean };
    expect(rr).toMatchObject({ results: [], success: false });
    expect(manifestBefore).not.toBeNull();
    seen.cases++;
  });

  it('a DuckDB file held by another process: exit 2, a clear message, target/ untouched', async () => {
    const dir = copyProject(built, 'malformed-lock');
    dirs.push(dir);
    const db = join(dir, 'bad.duckdb');
    const holder = spawn('node', ['-e', `import('@duckdb/node-api').then(async ({ DuckDBInstance }) => { await DuckDBInstance.create(${JSON.stringify(db)}); console.log('ready'); setInterval(() => {}, 1000); })`], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((res, rej) => {
        holder.stdout!.on('data', (d: Buffer) => String(d).includes('ready') && res());
        holder.on('exit', () => rej(new Error('holder exited')));
      });
      const artifacts = ['manifest.json', 'run_results.json'].map((f) => sha256File(join(dir, 'target', f)));
      const r = mflow(dir, ['build']);
      expect(r.code, r.out + r.err).toBe(2);
      expect(r.out + r.err).toMatch(/Another process holds the database file/);
      expect(['manifest.json', 'run_results.json'].map((f) => sha256File(join(dir, 'target', f)))).toEqual(artifacts);
      seen.cases++;
    } finally {
      holder.kill('SIGKILL');
    }
    expect(existsSync(db)).toBe(true);
  });
});
