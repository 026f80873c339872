import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED, cleanup, ensureBuilt, filesUnder, mflow, rng, scratch, writeFiles } from './helpers.js';

/**
 * A planted secret, from env_var() of secret-looking names, nested in the target's `settings:`
 * and inlined by a model, is grepped for in stdout, stderr, target/ (artifacts, compiled SQL,
 * the docs site) and logs/ after every command.
 */
const r = rng(SEED);
const SECRET = `PlantedSecret${Math.floor(r() * 1e9)}x`;
const env = { MFLOW_FAULT_SECRET: SECRET, MFLOW_FAULT_API_TOKEN: `${SECRET}-token` };

const files: Record<string, string> = {
  'project.yml': `name: sec
version: 1.0.0
targets:
  default: dev
  dev:
    type: duckdb
    path: sec.duckdb
    threads: 1
    settings:
      custom_user_agent: "{{ env_var('MFLOW_FAULT_SECRET') }}"
`,
  'seeds/codes.csv': 'code\n1\n2\n',
  'models/m.sql': "{{ config(materialized='table') }}\nselect '{{ env_var(\"MFLOW_FAULT_API_TOKEN\") }}' as token, '{{ target.settings.custom_user_agent }}' as ua, 1 as id",
  'models/broken.sql': "select '{{ env_var(\"MFLOW_FAULT_API_TOKEN\") }}' as t from a_table_that_does_not_exist",
  'models/schema.yml': `version: 2
sources:
  - name: raw
    schema: raw
    tables:
      - name: f
        external: { location: data/f.csv }
        columns: [{ name: a }]
models:
  - name: m
    columns:
      - name: id
        data_tests: [unique]
`,
  'data/f.csv': 'a\n1\n',
};

const COMMANDS: string[][] = [
  ['debug'],
  ['parse'],
  ['ls'],
  ['compile'],
  ['seed'],
  ['run', '--log-format', 'json'],
  ['build'],
  ['test'],
  ['show', '-s', 'm'],
  ['ingest'],
  ['docs', 'generate'],
  ['retry'],
];

describe(`a planted secret never reaches an output (FAULT_SEED=${SEED})`, () => {
  let dir: string;
  let checked = 0;
  beforeAll(() => {
    ensureBuilt();
    dir = scratch('secrets');
    writeFiles(dir, files);
  });
  afterAll(() => {
    console.log(`secrets: FAULT_SEED=${SEED} commands=${checked}`);
    cleanup(dir);
  });

  it.each(COMMANDS.map((c) => [c.join(' '), c] as const))('mflow %s', (_n, args) => {
    const res = mflow(dir, args, env);
    expect(res.code, res.out + res.err).not.toBeNull();
    expect(res.out, 'stdout').not.toContain(SECRET);
    expect(res.err, 'stderr').not.toContain(SECRET);
    const outputs = [...filesUnder(join(dir, 'target')), ...filesUnder(join(dir, 'logs'))].filter((f) => !/\.duckdb(\.wal)?$/.test(f));
    if (args[0] !== 'debug') expect(outputs.length).toBeGreaterThan(0);
    for (const f of outputs) expect(readFileSync(f).includes(SECRET), `${f} holds the secret after mflow ${args.join(' ')}`).toBe(false);
    checked++;
  });

  it('the masked values are still used: the model saw the real token', () => {
    const show = mflow(dir, ['show', '--inline', "select length(token) as n from m"], env);
    expect(show.code, show.out + show.err).toBe(0);
    expect(show.out).toContain(String(`${SECRET}-token`.length));
  });
});
