import { describe, expect, it } from 'vitest';
import { build, run, test } from '../../src/api.js';
import { makeProject } from './helpers.js';

const model = `select p.patient_id, p.gender, count(c.claim_id) as n_claims, sum(c.amount) as total, max(c.service_date) as last_service
from {{ ref('stg_patient') }} p
left join {{ source('raw', 'claims') }} c on c.patient_id = p.patient_id
where p.gender in ({{ "'" ~ var('genders', ['M', 'F']) | join("', '") ~ "'" }})
group by all
`;

const files = (unitYaml: string): Record<string, string> => ({
  'models/stg_patient.sql': 'select 1 as patient_id, \'M\' as gender',
  'models/patient_claims.sql': model,
  'models/sources.yml': 'version: 2\nsources:\n  - name: raw\n    tables:\n      - name: claims\n',
  'models/unit.yml': unitYaml,
});

const goodTest = `version: 2
unit_tests:
  - name: counts_claims_per_patient
    model: patient_claims
    given:
      - input: ref('stg_patient')
        rows:
          - {patient_id: 1, gender: M}
          - {patient_id: 2, gender: F}
          - {patient_id: 3, gender: X}
      - input: source('raw', 'claims')
        format: csv
        rows: |
          claim_id,patient_id,amount,service_date
          10,1,5.5,2020-01-01
          11,1,4.5,2020-03-01
          12,2,1.25,2019-12-31
    expect:
      rows:
        - {patient_id: 2, n_claims: 1, last_service: 2019-12-31}
        - {patient_id: 1, n_claims: 2, last_service: 2020-03-01}
`;

describe('unit tests', () => {
  it('run the model on fixtures in memory, without building parents or touching raw tables', async () => {
    // raw.claims does not exist in the warehouse and stg_patient was never built: the test must not need them.
    const p = makeProject(files(goodTest));
    const r = await test({ projectDir: p.dir, console: p.console, select: ['test_type:unit'] });
    expect(r.results.map((x) => [x.unique_id, x.status, x.message])).toEqual([['unit_test.fn.patient_claims.counts_claims_per_patient', 'pass', 'PASS']]);
  });

  it('report a readable diff when rows differ, and fail the command', async () => {
    const p = makeProject(files(goodTest.replace('{patient_id: 2, n_claims: 1, last_service: 2019-12-31}', '{patient_id: 2, n_claims: 3, last_service: 2019-12-31}')));
    const r = await test({ projectDir: p.dir, console: p.console });
    expect(r.ok).toBe(false);
    const res = r.results[0];
    expect(res.status).toBe('fail');
    expect(res.failures).toBe(2);
    expect(res.message).toContain("Unit test 'counts_claims_per_patient' of model 'patient_claims' failed (models/unit.yml:3)");
    const lines = res.message!.split('\n').map((l) => l.trim());
    expect(lines).toContain('| patient_id | n_claims | last_service');
    expect(lines).toContain('- | 2          | 3        | 2019-12-31');
    expect(lines).toContain('+ | 2          | 1        | 2019-12-31');
    expect(lines).toContain('compiled code at target/compiled/fn/models/counts_claims_per_patient.sql');
  });

  it('apply vars, env_var and macro overrides to that test only', async () => {
    const p = makeProject({
      'models/stg.sql': 'select 1 as id',
      'models/m.sql': "select id, '{{ var(\"region\", \"none\") }}' as region, '{{ env_var(\"MF_SITE\", \"nowhere\") }}' as site, {{ shout('x') }} as loud from {{ ref('stg') }}{% if is_incremental() %} where id > 1{% endif %}",
      'macros/shout.sql': "{% macro shout(s) %}upper('{{ s }}'){% endmacro %}",
      'models/unit.yml': `version: 2
unit_tests:
  - name: overridden
    model: m
    overrides:
      vars: {region: north}
      env_vars: {MF_SITE: lab}
      macros: {shout: "'LOUD'", is_incremental: true}
    given:
      - input: ref('stg')
        rows: [{id: 1}, {id: 2}]
    expect:
      rows: [{id: 2, region: north, site: lab, loud: LOUD}]
  - name: plain
    model: m
    given:
      - input: ref('stg')
        rows: [{id: 1}]
    expect:
      rows: [{id: 1, region: none, site: nowhere, loud: X}]
`,
    });
    const r = await test({ projectDir: p.dir, console: p.console, env: { ...process.env, MF_SITE: 'nowhere' } });
    expect(r.results.map((x) => [x.unique_id.split('.').pop(), x.status, x.status === 'pass' ? '' : x.message])).toEqual([
      ['overridden', 'pass', ''],
      ['plain', 'pass', ''],
    ]);
  });

  it('override a macro named with its package (package.macro), and expect rows: [] as no rows of any column', async () => {
    // audit_helper's own unit tests do both: overrides.macros {audit_helper._get_comparison_bounds: {...}}, and expect rows: [].
    const p = makeProject({
      'models/stg.sql': 'select 1 as id',
      'macros/bounds.sql': "{% macro bounds() %}{{ return({'low': 0}) }}{% endmacro %}",
      'models/m.sql': "select id from {{ ref('stg') }} where id > {{ fn.bounds()['low'] }}",
      'models/unit.yml': `version: 2
unit_tests:
  - name: bounded
    model: m
    overrides:
      macros: {fn.bounds: {low: 5}, nosuchpackage.bounds: {low: 0}}
    given:
      - input: ref('stg')
        rows: [{id: 1}, {id: 5}]
    expect:
      rows: []
  - name: unbounded
    model: m
    given:
      - input: ref('stg')
        rows: [{id: 1}, {id: 5}]
    expect:
      rows: []
`,
    });
    const r = await test({ projectDir: p.dir, console: p.console });
    expect(r.results.map((x) => [x.unique_id.split('.').pop(), x.status])).toEqual([
      ['bounded', 'pass'],
      ['unbounded', 'fail'],
    ]);
    expect(r.results[1].message).toContain('| id');
  });

  it('read fixture files under tests/fixtures/, which are not singular tests (as dbt)', async () => {
    const p = makeProject({
      'models/stg.sql': 'select 1 as id',
      'models/m.sql': "select id * 2 as twice from {{ ref('stg') }}",
      'tests/fixtures/stg_rows.sql': 'select 3 as id union all select 4 as id',
      'tests/fixtures/twice.csv': 'twice\n6\n8\n',
      'models/unit.yml': `version: 2
unit_tests:
  - name: doubles
    model: m
    given:
      - input: ref('stg')
        format: sql
        fixture: stg_rows
    expect:
      format: csv
      fixture: twice
`,
    });
    const r = await test({ projectDir: p.dir, console: p.console });
    expect(r.results.map((x) => [x.unique_id, x.status])).toEqual([['unit_test.fn.m.doubles', 'pass']]);
  });

  it('take column types from the built parent and fill columns a fixture leaves out with nulls', async () => {
    const p = makeProject({
      'models/stg.sql': "select 1 as id, cast('2020-01-05' as date) as d, 'a' as note",
      'models/m.sql': "select id, d + interval 1 day as next_day, note is null as no_note from {{ ref('stg') }}",
      'models/unit.yml': `version: 2
unit_tests:
  - name: typed
    model: m
    given:
      - input: ref('stg')
        rows: [{id: 7, d: '2021-02-28'}]
    expect:
      rows: [{id: 7, next_day: '2021-03-01 00:00:00', no_note: true}]
`,
    });
    await run({ projectDir: p.dir, console: p.console, select: ['stg'] });
    const r = await test({ projectDir: p.dir, console: p.console });
    expect(r.results.map((x) => [x.status, x.status === 'pass' ? '' : x.message])).toEqual([['pass', '']]);
  });

  it('need a fixture for every parent, and name the one that is missing', async () => {
    const p = makeProject(files(goodTest.replace(/      - input: source[\s\S]*?(?=    expect)/, '')));
    const r = await test({ projectDir: p.dir, console: p.console });
    expect(r.results[0].status).toBe('error');
    expect(r.results[0].message).toContain("gives no input for source('raw', 'claims')");
    expect(r.results[0].message).toContain('models/unit.yml');
  });

  it('test an incremental model against its existing table with input: this', async () => {
    const p = makeProject({
      'models/events.sql': 'select 1 as id, 10 as ts',
      'models/latest.sql': "{{ config(materialized='incremental', unique_key='id') }}\nselect id, ts from {{ ref('events') }}\n{% if is_incremental() %}where ts > (select max(ts) from {{ this }}){% endif %}\n",
      'models/unit.yml': `version: 2
unit_tests:
  - name: only_newer_rows
    model: latest
    overrides:
      macros: {is_incremental: true}
    given:
      - input: ref('events')
        rows: [{id: 1, ts: 5}, {id: 2, ts: 15}, {id: 3, ts: 25}]
      - input: this
        rows: [{id: 1, ts: 10}]
    expect:
      rows: [{id: 2, ts: 15}, {id: 3, ts: 25}]
  - name: full_load_without_this
    model: latest
    given:
      - input: ref('events')
        rows: [{id: 1, ts: 5}, {id: 2, ts: 15}]
    expect:
      rows: [{id: 1, ts: 5}, {id: 2, ts: 15}]
`,
    });
    const r = await test({ projectDir: p.dir, console: p.console });
    expect(r.results.map((x) => [x.unique_id.split('.').pop(), x.status])).toEqual([
      ['full_load_without_this', 'pass'],
      ['only_newer_rows', 'pass'],
    ]);
  });

  it('reject expect columns the model does not return', async () => {
    const p = makeProject(files(goodTest.replace('n_claims: 1, last_service', 'n_claim: 1, last_service')));
    const r = await test({ projectDir: p.dir, console: p.console });
    expect(r.results[0].status).toBe('error');
    expect(r.results[0].message).toContain("expect names column 'n_claim' that the model does not return");
  });

  it('in build, run before their model; a failing unit test skips the model and what is downstream', async () => {
    const p = makeProject({
      'models/stg.sql': 'select 1 as id',
      'models/m.sql': "select id * 2 as twice from {{ ref('stg') }}",
      'models/top.sql': "select * from {{ ref('m') }}",
      'models/unit.yml': `version: 2
unit_tests:
  - name: doubles
    model: m
    given:
      - input: ref('stg')
        rows: [{id: 2}]
    expect:
      rows: [{twice: 5}]
`,
    });
    const r = await build({ projectDir: p.dir, console: p.console });
    expect(Object.fromEntries(r.results.map((x) => [x.unique_id, x.status]))).toEqual({
      'model.fn.stg': 'success',
      'unit_test.fn.m.doubles': 'fail',
      'model.fn.m': 'skipped',
      'model.fn.top': 'skipped',
    });
    const started = p.console.events.filter((e) => e.type === 'node_start').map((e) => (e as { uniqueId: string }).uniqueId);
    expect(started).toEqual(['model.fn.stg', 'unit_test.fn.m.doubles']);
  });
});
