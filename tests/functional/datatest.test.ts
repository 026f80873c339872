import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { build, ls, test } from '../../src/api.js';
import { MflowErrors } from '../../src/errors.js';
import { makeProject, query } from './helpers.js';

/** dim_patient has a duplicate id (2), an unknown gender (X) and a null age; fact_claim one orphan (99). */
const base: Record<string, string> = {
  'models/dim_patient.sql': "select * from (values (1, 'M', 30), (2, 'F', 40), (2, 'X', null)) t(patient_id, gender, age)",
  'models/fact_claim.sql': "select * from (values (10, 1, 5.0), (11, 2, -1.0), (12, 99, 7.0)) t(claim_id, patient_id, amount)",
  'macros/test_is_positive.sql': '{% test is_positive(model, column_name) %}\nselect * from {{ model }} where {{ column_name }} <= 0\n{% endtest %}\n',
  'tests/generic/at_most.sql': '{% test at_most(model, column_name, max_value) %}\nselect * from {{ model }} where {{ column_name }} > {{ max_value }}\n{% endtest %}\n',
  'tests/assert_no_patient_over_35.sql': "select * from {{ ref('dim_patient') }} where age > 35\n",
  'models/schema.yml': `version: 2
sources:
  - name: raw
    tables:
      - name: patients
        columns:
          - name: id
            data_tests: [not_null]
models:
  - name: dim_patient
    columns:
      - name: patient_id
        data_tests: [unique, not_null]
      - name: gender
        data_tests:
          - accepted_values:
              arguments: { values: [M, F] }
      - name: age
        data_tests:
          - at_most:
              max_value: 100
  - name: fact_claim
    columns:
      - name: claim_id
        tests: [unique]
      - name: patient_id
        data_tests:
          - relationships:
              arguments:
                to: ref('dim_patient')
                field: patient_id
      - name: amount
        data_tests:
          - is_positive:
              config: { severity: warn }
`,
};

// 65 characters: past dbt's limit of 63, so the first 30 of 'relationships_fact_claim' plus the md5 of the full name.
const relFull = 'relationships_fact_claim_patient_id__patient_id__ref_dim_patient_';
const relHashed = `relationships_fact_claim_${createHash('md5').update(relFull).digest('hex')}`;

const byName = (results: { unique_id: string; status: string; failures: number | null; message: string | null }[], name: string) => {
  const r = results.find((x) => x.unique_id.split('.')[2] === name || x.unique_id.split('.')[2].startsWith(name));
  if (!r) throw new Error(`no result for ${name}: ${results.map((x) => x.unique_id).join(', ')}`);
  return r;
};

describe('generic and singular data tests', () => {
  it('names tests as dbt does, including source tests and hashed long names', async () => {
    const p = makeProject({
      ...base,
      'models/orders.sql': "select 'placed' as status",
      'models/orders.yml': 'version: 2\nmodels:\n  - name: orders\n    columns:\n      - name: status\n        data_tests:\n          - accepted_values:\n              values: [placed, shipped, completed, return_pending, returned]\n',
    });
    const items = await ls({ projectDir: p.dir, console: p.console, resourceTypes: ['test'] });
    const names = items.map((i) => i.name).sort();
    expect(names).toEqual([
      'accepted_values_dim_patient_gender__M__F',
      'accepted_values_orders_1ce6ab157c285f7cd2ac656013faf758',
      'assert_no_patient_over_35',
      'at_most_dim_patient_age__100',
      'is_positive_fact_claim_amount',
      'not_null_dim_patient_patient_id',
      relHashed,
      'source_not_null_raw_patients_id',
      'unique_dim_patient_patient_id',
      'unique_fact_claim_claim_id',
    ]);
    // unique_id and fqn keep dbt's full name; the short one names the file and the audit table.
    const long = items.find((i) => i.name.startsWith('accepted_values_orders'))!;
    expect(long.unique_id).toMatch(/^test\.fn\.accepted_values_orders_status__placed__shipped__completed__return_pending__returned\.[0-9a-f]{10}$/);
    expect(long.fqn.at(-1)).toBe('accepted_values_orders_status__placed__shipped__completed__return_pending__returned');
  });

  it('runs generic, custom generic and singular tests; reports failures with counts and the compiled SQL path', async () => {
    const p = makeProject(base);
    const r = await build({ projectDir: p.dir, console: p.console, exclude: ['source:raw'] });
    expect(byName(r.results, 'unique_dim_patient_patient_id')).toMatchObject({ status: 'fail', failures: 1 });
    expect(byName(r.results, 'not_null_dim_patient_patient_id')).toMatchObject({ status: 'pass', failures: 0 });
    expect(byName(r.results, 'accepted_values_dim_patient_gender')).toMatchObject({ status: 'fail', failures: 1 });
    expect(byName(r.results, 'at_most_dim_patient_age__100')).toMatchObject({ status: 'pass', failures: 0 });
    expect(byName(r.results, 'assert_no_patient_over_35')).toMatchObject({ status: 'fail', failures: 1 });
    expect(byName(r.results, 'unique_fact_claim_claim_id')).toMatchObject({ status: 'pass' });
    expect(byName(r.results, 'is_positive_fact_claim_amount')).toMatchObject({ status: 'warn', failures: 1 });
    const rel = byName(r.results, 'relationships_fact_claim');
    // fact_claim does not depend on dim_patient, so dim_patient's failing tests do not skip it.
    expect(rel).toMatchObject({ status: 'fail', failures: 1 });
    const uniq = byName(r.results, 'unique_dim_patient_patient_id');
    expect(uniq.message).toContain('Got 1 result, configured to fail if != 0');
    const compiled = 'target/compiled/fn/models/unique_dim_patient_patient_id.sql';
    expect(uniq.message).toContain(`compiled code at ${compiled}`);
    expect(readFileSync(join(p.dir, compiled), 'utf8')).toMatch(/group by patient_id\s+having count\(\*\) > 1/);
    expect(byName(r.results, 'is_positive_fact_claim_amount').message).toContain('configured to warn if != 0');
    // run_results.json records the failures.
    const rr = JSON.parse(readFileSync(join(p.dir, 'target/run_results.json'), 'utf8')) as { results: { unique_id: string; failures: number; status: string }[] };
    expect(rr.results.find((x) => x.unique_id.includes('.unique_dim_patient_patient_id.'))).toMatchObject({ status: 'fail', failures: 1 });
    const counts = p.console.events.find((e) => e.type === 'summary');
    expect(counts).toMatchObject({ counts: { PASS: 5, WARN: 1, ERROR: 4, SKIP: 0, TOTAL: 10 } });
  });

  it('applies where, limit, fail_calc, warn_if, error_if, enabled and tags', async () => {
    const p = makeProject({
      'models/m.sql': 'select * from range(1, 11) t(id)',
      'models/m.yml': `version: 2
models:
  - name: m
    columns:
      - name: id
        data_tests:
          - at_most:
              name: where_keeps_small
              max_value: 5
              config: { where: "id <= 5" }
          - at_most:
              name: limited
              max_value: 2
              config: { limit: 3 }
          - at_most:
              name: summed
              max_value: 8
              config: { fail_calc: "sum(id)" }
          - at_most:
              name: thresholds_warn
              max_value: 5
              config: { warn_if: ">= 5", error_if: "> 5" }
          - at_most:
              name: thresholds_error
              max_value: 4
              config: { warn_if: ">= 5", error_if: "> 5" }
          - at_most:
              name: switched_off
              max_value: 0
              config: { enabled: false }
          - at_most:
              name: tagged
              max_value: 100
              config: { tags: [nightly] }
`,
      'macros/at_most.sql': '{% test at_most(model, column_name, max_value) %}\nselect * from {{ model }} where {{ column_name }} > {{ max_value }}\n{% endtest %}\n',
    });
    await build({ projectDir: p.dir, console: p.console, select: ['m'], resourceTypes: ['model'] });
    const r = await test({ projectDir: p.dir, console: p.console });
    const get = (n: string) => r.results.find((x) => x.unique_id.split('.')[2] === n)!;
    expect(get('where_keeps_small')).toMatchObject({ status: 'pass', failures: 0 });
    expect(get('limited')).toMatchObject({ status: 'fail', failures: 3 });
    expect(get('summed')).toMatchObject({ status: 'fail', failures: 19 });
    expect(get('thresholds_warn')).toMatchObject({ status: 'warn', failures: 5 });
    expect(get('thresholds_error')).toMatchObject({ status: 'fail', failures: 6 });
    expect(get('thresholds_error').message).toContain('configured to fail if > 5');
    expect(r.results.some((x) => x.unique_id.includes('switched_off'))).toBe(false);
    const tagged = await test({ projectDir: p.dir, console: p.console, select: ['tag:nightly'] });
    expect(tagged.results.map((x) => x.unique_id.split('.')[2])).toEqual(['tagged']);
  });

  it('keeps failing rows of store_failures tests in <schema>_dbt_test__audit', async () => {
    const p = makeProject({
      ...base,
      'tests/assert_no_patient_over_35.sql': "{{ config(store_failures=true) }}\nselect * from {{ ref('dim_patient') }} where age > 35\n",
    });
    const r = await build({ projectDir: p.dir, console: p.console, select: ['dim_patient'] });
    const uniq = byName(r.results, 'accepted_values_dim_patient_gender');
    expect(uniq.message).not.toContain('See test failures');
    const singular = byName(r.results, 'assert_no_patient_over_35');
    expect(singular.message).toContain('See test failures: select * from "main_dbt_test__audit"."assert_no_patient_over_35"');
    // --store-failures turns it on for every test of the run.
    const all = await test({ projectDir: p.dir, console: p.console, select: ['dim_patient'], storeFailures: true });
    expect(all.ok).toBe(false);
    expect(await query(p.db, 'select patient_id, age from main_dbt_test__audit.assert_no_patient_over_35')).toEqual([{ patient_id: 2, age: 40 }]);
    expect(await query(p.db, 'select unique_field, n_records from main_dbt_test__audit.unique_dim_patient_patient_id')).toEqual([{ unique_field: 2, n_records: 2 }]);
    expect(await query(p.db, 'select value_field from main_dbt_test__audit.accepted_values_dim_patient_gender__M__F')).toEqual([{ value_field: 'X' }]);
  });

  it('store_failures: false opts a test out of --store-failures; store_failures_as picks table, view or nothing', async () => {
    const p = makeProject({
      ...base,
      'tests/assert_no_patient_over_35.sql': "{{ config(store_failures=false) }}\nselect * from {{ ref('dim_patient') }} where age > 35\n",
      'tests/over_35_as_view.sql': "{{ config(store_failures_as='view') }}\nselect * from {{ ref('dim_patient') }} where age > 35\n",
      'tests/over_35_ephemeral.sql': "{{ config(store_failures=true, store_failures_as='ephemeral') }}\nselect * from {{ ref('dim_patient') }} where age > 35\n",
    });
    await build({ projectDir: p.dir, console: p.console, select: ['dim_patient'], resourceTypes: ['model'] });
    const r = await test({ projectDir: p.dir, console: p.console, select: ['test_type:singular'], storeFailures: true });
    expect(r.results.map((x) => [x.unique_id.split('.')[2], x.status, x.message?.includes('See test failures')])).toEqual([
      ['assert_no_patient_over_35', 'fail', false],
      ['over_35_as_view', 'fail', true],
      ['over_35_ephemeral', 'fail', false],
    ]);
    const audit = async () => (await query(p.db, "select table_name, table_type from information_schema.tables where table_schema = 'main_dbt_test__audit' order by 1")).map((x) => `${x.table_name} ${x.table_type}`);
    expect(await audit()).toEqual(['over_35_as_view VIEW']);
    expect(await query(p.db, 'select patient_id from main_dbt_test__audit.over_35_as_view')).toEqual([{ patient_id: 2 }]);
    // Kept as a table next time: the view of the earlier run is replaced by a table.
    writeFileSync(join(p.dir, 'tests/over_35_as_view.sql'), "{{ config(store_failures_as='table') }}\nselect * from {{ ref('dim_patient') }} where age > 35\n");
    await test({ projectDir: p.dir, console: p.console, select: ['over_35_as_view'] });
    expect(await audit()).toEqual(['over_35_as_view BASE TABLE']);
  });

  it('selects tests directly (test_type, test_name) and through the models they test', async () => {
    const p = makeProject(base);
    const ids = async (select: string[]) => (await ls({ projectDir: p.dir, console: p.console, select, resourceTypes: ['test'] })).map((i) => i.name).sort();
    expect(await ids(['test_type:singular'])).toEqual(['assert_no_patient_over_35']);
    expect(await ids(['test_name:unique'])).toEqual(['unique_dim_patient_patient_id', 'unique_fact_claim_claim_id']);
    expect(await ids(['test_type:generic', 'test_name:is_positive'])).toContain('is_positive_fact_claim_amount');
    expect(await ids(['fact_claim'])).toEqual(['is_positive_fact_claim_amount', relHashed, 'unique_fact_claim_claim_id']);
    // Indirect selection (dbt's default, eager): -s dim_patient picks every test that touches it.
    expect(await ids(['dim_patient'])).toEqual(['accepted_values_dim_patient_gender__M__F', 'assert_no_patient_over_35', 'at_most_dim_patient_age__100', 'not_null_dim_patient_patient_id', relHashed, 'unique_dim_patient_patient_id']);
    await build({ projectDir: p.dir, console: p.console, resourceTypes: ['model'] });
    const r = await test({ projectDir: p.dir, console: p.console, select: ['test_type:singular'] });
    expect(r.results.map((x) => [x.unique_id, x.status])).toEqual([['test.fn.assert_no_patient_over_35', 'fail']]);
  });
});

describe('bad test definitions fail at parse time with the YAML file and line', () => {
  const parseErrors = async (files: Record<string, string>) => {
    const p = makeProject(files);
    try {
      await ls({ projectDir: p.dir, console: p.console });
    } catch (e) {
      if (e instanceof MflowErrors) return e.errors;
      throw e;
    }
    throw new Error('expected a parse error');
  };

  it('a test on a column the model does not declare', async () => {
    const errs = await parseErrors({
      'models/m.sql': 'select 1 as id',
      'models/m.yml': 'version: 2\nmodels:\n  - name: m\n    columns:\n      - name: id\n      - name: name\n    data_tests:\n      - unique:\n          column_name: idd\n',
    });
    expect(errs[0].message).toContain("names column 'idd'");
    expect(errs[0].file).toBe('models/m.yml');
    expect(errs[0].line).toBe(8);
    expect(errs[0].hint).toContain("'id'");
  });

  it('a relationships test to an unknown ref', async () => {
    const errs = await parseErrors({
      'models/dim_patient.sql': 'select 1 as id',
      'models/f.sql': 'select 1 as patient_id',
      'models/f.yml': "version: 2\nmodels:\n  - name: f\n    columns:\n      - name: patient_id\n        data_tests:\n          - relationships:\n              to: ref('dim_patients')\n              field: id\n",
    });
    expect(errs[0]).toMatchObject({ code: 'UNKNOWN_REF', file: 'models/f.yml', line: 7 });
    expect(errs[0].hint).toContain("ref('dim_patient')");
  });

  it('an unknown test name', async () => {
    const errs = await parseErrors({
      'models/m.sql': 'select 1 as id',
      'models/m.yml': 'version: 2\nmodels:\n  - name: m\n    columns:\n      - name: id\n        data_tests: [uniq]\n',
    });
    expect(errs[0]).toMatchObject({ file: 'models/m.yml', line: 6 });
    expect(errs[0].hint).toContain("'unique'");
  });

  it('properties for a missing model warn with the file and line', async () => {
    const p = makeProject({ 'models/m.sql': 'select 1 as id', 'models/m.yml': 'version: 2\nmodels:\n  - name: mm\n    description: x\n' });
    await ls({ projectDir: p.dir, console: p.console });
    expect(p.console.events).toContainEqual(expect.objectContaining({ type: 'warn', file: 'models/m.yml', line: 3, msg: expect.stringContaining("'mm', which does not exist (did you mean 'm'?)") }));
    expect(existsSync(join(p.dir, 'target/manifest.json'))).toBe(true);
  });
});
