import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { SEED, cleanup, ensureBuilt, mflow, rng, scratch, withDb, writeFiles } from './helpers.js';

/**
 * Injection strings in seeds, vars, test arguments and identifiers: each is data, never SQL. A
 * sentinel table must survive every command and the values must come back exactly.
 */
const pick = rng(SEED);
const PAYLOADS = [
  "x'); drop table main.sentinel; --",
  "O'Brien",
  "'; drop table main.sentinel; select '",
  '"; drop table main.sentinel; --',
  "\\'; drop table main.sentinel; --",
  "semi;colon'quote",
];
const P = PAYLOADS[Math.floor(pick() * PAYLOADS.length)];
const csvField = (s: string) => `"${s.replace(/"/g, '""')}"`;
const yamlStr = (s: string) => JSON.stringify(s);

describe(`injection strings stay data (FAULT_SEED=${SEED}, payload ${JSON.stringify(P)})`, () => {
  let dir: string;
  beforeAll(() => {
    ensureBuilt();
    dir = scratch('inject');
    writeFiles(dir, {
      'project.yml': `name: inj\nversion: 1.0.0\nvars:\n  who: ${yamlStr(P)}\n  allowed: [${PAYLOADS.map(yamlStr).join(', ')}]\ntargets:\n  default: dev\n  dev:\n    type: duckdb\n    path: inj.duckdb\n`,
      'models/sentinel.sql': "{{ config(materialized='table') }}\nselect 42 as answer",
      // Seed values and a column name holding quotes.
      'seeds/payloads.csv': `id,${csvField('we"ird col')},value\n` + PAYLOADS.map((p, i) => `${i},${csvField(p)},${csvField(p)}`).join('\n') + '\n',
      'models/from_var.sql': "{{ config(materialized='table') }}\nselect {{ string_literal(var('who')) }} as who",
      "models/it's.sql": "{{ config(materialized='table') }}\nselect 7 as id",
      'models/odd_alias.sql': `{{ config(materialized='table', alias=${JSON.stringify('odd"alias')}) }}\nselect 1 as id`,
      'models/schema.yml': `version: 2
seeds:
  - name: payloads
    columns:
      - name: value
        data_tests:
          - accepted_values:
              values: ${JSON.stringify(PAYLOADS)}
          - accepted_values:
              name: from_vars
              values: "{{ var('allowed') }}"
          - not_null:
              config:
                where: ${yamlStr(`value <> '${P.replace(/'/g, "''")}'`)}
models:
  - name: "it's"
    columns:
      - name: id
        data_tests: [unique, not_null]
  - name: from_var
    columns:
      - name: who
        data_tests:
          - accepted_values:
              values: [${yamlStr(P)}]
`,
    });
  });
  afterAll(() => cleanup(dir));

  const sentinel = () => withDb(join(dir, 'inj.duckdb'), (q) => q('select answer from main.sentinel'));

  it('seed, build and test keep the sentinel and round-trip every payload', async () => {
    const b = mflow(dir, ['build']);
    expect(b.code, b.out + b.err).toBe(0);
    expect(b.out).toMatch(/PASS=\d+ WARN=0 ERROR=0/);
    expect(await sentinel()).toEqual([{ answer: 42 }]);
    await withDb(join(dir, 'inj.duckdb'), async (q) => {
      expect((await q('select value, "we""ird col" as w from main.payloads order by id')).map((r) => [r.value, r.w])).toEqual(PAYLOADS.map((p) => [p, p]));
      expect(await q('select who from main.from_var')).toEqual([{ who: P }]);
      expect(await q('select id from main."odd""alias"')).toEqual([{ id: 1 }]);
      expect(await q(`select id from main."it's"`)).toEqual([{ id: 7 }]);
    });
  });

  it('--vars with a payload is a value too', async () => {
    const other = PAYLOADS[(PAYLOADS.indexOf(P) + 1) % PAYLOADS.length];
    const r = mflow(dir, ['run', '-s', 'from_var', '--vars', JSON.stringify({ who: other })]);
    expect(r.code, r.out + r.err).toBe(0);
    expect(await sentinel()).toEqual([{ answer: 42 }]);
    expect(await withDb(join(dir, 'inj.duckdb'), (q) => q('select who from main.from_var'))).toEqual([{ who: other }]);
  });

  it('a multi-statement string where one statement is expected is refused before any of it runs', async () => {
    const r = mflow(dir, ['show', '--limit', '-1', '--inline', 'select 1; drop table main.sentinel']);
    expect(r.code).not.toBe(0);
    expect(r.out + r.err).toMatch(/2 statements where one is expected/);
    expect(await sentinel()).toEqual([{ answer: 42 }]);
  });
});
