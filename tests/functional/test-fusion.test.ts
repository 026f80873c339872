// Data tests in one scan per relation: the fused answers must be exactly what each test gives alone.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run, test } from '../../src/api.js';
import type { NodeResult } from '../../src/contracts/results.js';
import { makeProject } from './helpers.js';

/** A view with duplicates, nulls, unknown codes, orphans and negative amounts, and a table beside it. */
const files: Record<string, string> = {
  'models/patients.sql': "select * from (values (1, 'M', 30), (2, 'F', 40), (2, 'X', null), (4, null, 70)) t(patient_id, gender, age)",
  'models/claims.sql':
    "{{ config(materialized='view') }}\nselect * from (values (10, 1, 5.0, 'inpatient'), (11, 2, -1.0, 'carrier'), (12, 99, 7.0, 'dental'), (12, null, 0.0, 'dental'), (13, 4, 2.0, 'outpatient')) t(claim_id, patient_id, amount, claim_type)",
  'macros/test_is_positive.sql': '{% test is_positive(model, column_name) %}\nselect * from {{ model }} where {{ column_name }} <= 0\n{% endtest %}\n',
  'models/schema.yml': `version: 2
models:
  - name: patients
    config: { materialized: table }
    columns:
      - name: patient_id
        data_tests: [unique, not_null]
      - name: gender
        data_tests:
          - accepted_values: { arguments: { values: [M, F] } }
  - name: claims
    columns:
      - name: claim_id
        data_tests:
          - unique
          - not_null
          - unique:
              config: { where: "claim_type <> 'dental'" }
      - name: patient_id
        data_tests:
          - not_null:
              config: { severity: warn }
          - relationships:
              arguments: { to: ref('patients'), field: patient_id }
          - not_null:
              config: { error_if: '>5', warn_if: '>0' }
      - name: amount
        data_tests:
          - is_positive:
              config: { severity: warn }
          - is_positive:
              config: { fail_calc: 'sum(amount)' }
      - name: claim_type
        data_tests:
          - accepted_values:
              arguments: { values: [inpatient, outpatient, carrier] }
          - not_null:
              config: { limit: 1 }
`,
};

const shape = (rs: NodeResult[]) =>
  Object.fromEntries(rs.filter((r) => r.unique_id.startsWith('test.')).map((r) => [r.unique_id, { status: r.status, failures: r.failures, message: r.message }]));

describe('data tests fused into one scan per relation', () => {
  it('gives every test the result it has alone: status, failure count, message, severity, thresholds', async () => {
    const p = makeProject(files);
    const built = await run({ projectDir: p.dir, console: p.console });
    expect(built.ok, p.console.text).toBe(true);
    const alone = await test({ projectDir: p.dir, console: p.console, fuseTests: false });
    const fused = await test({ projectDir: p.dir, console: p.console });
    expect(Object.keys(shape(alone.results))).toHaveLength(13);
    expect(shape(fused.results)).toEqual(shape(alone.results));
    // The fixture is not trivially passing: failures, warnings and passes are all there.
    const statuses = Object.values(shape(fused.results)).map((r) => r.status).sort();
    expect(new Set(statuses)).toEqual(new Set(['fail', 'warn', 'pass']));
    const dup = Object.entries(shape(fused.results)).find(([id]) => id.startsWith('test.fn.unique_claims_claim_id.'));
    expect(dup?.[1]).toMatchObject({ status: 'fail', failures: 1 });
  });

  it('answers the tests of a relation with one query, reading only the columns they name', async () => {
    const p = makeProject(files);
    await run({ projectDir: p.dir, console: p.console });
    const seen: string[] = [];
    const { DuckDBConnection } = await import('@duckdb/node-api');
    const orig = DuckDBConnection.prototype.run;
    DuckDBConnection.prototype.run = function (this: InstanceType<typeof DuckDBConnection>, sql: string, ...rest: unknown[]) {
      seen.push(sql);
      return (orig as (...a: unknown[]) => ReturnType<typeof orig>).call(this, sql, ...rest);
    } as typeof orig;
    try {
      const r = await test({ projectDir: p.dir, console: p.console, select: ['claims'] });
      expect(r.results.length).toBeGreaterThan(5);
    } finally {
      DuckDBConnection.prototype.run = orig;
    }
    const fusedQueries = seen.filter((s) => s.includes('mflow_fused_relation as materialized'));
    const scans = seen.filter((s) => /from\s+"main"\."claims"/.test(s) && !s.includes('limit 0'));
    if (fusedQueries.length === 0) throw new Error(`no fused query among:\n${seen.join('\n---\n')}`);
    expect(fusedQueries).toHaveLength(1);
    // Tests that cannot be fused (custom fail_calc, limit) still scan alone; all others go through the CTE.
    expect(scans.length).toBe(3);
    expect(fusedQueries[0]).toMatch(/select "claim_id", "patient_id", "amount", "claim_type" from "main"\."claims"/);
  });

  it('runs each test alone when the fused query fails, so the error lands on the test that caused it', async () => {
    const broken = {
      ...files,
      'macros/test_broken.sql': '{% test broken(model, column_name) %}\nselect * from {{ model }} where no_such_column = 1\n{% endtest %}\n',
      'models/schema.yml': files['models/schema.yml'].replace("      - name: claim_type\n        data_tests:\n", "      - name: claim_type\n        data_tests:\n          - broken\n"),
    };
    const p = makeProject(broken);
    await run({ projectDir: p.dir, console: p.console });
    const r = await test({ projectDir: p.dir, console: p.console, select: ['claims'] });
    const errors = r.results.filter((x) => x.status === 'runtime error' || x.status === 'error');
    expect(errors.map((x) => x.unique_id.split('.')[2])).toEqual(['broken_claims_claim_type']);
    expect(r.results.filter((x) => x.status === 'pass' || x.status === 'fail' || x.status === 'warn').length).toBe(r.results.length - 1);
    expect(readFileSync(join(p.dir, 'target', 'run_results.json'), 'utf8')).toContain('no_such_column');
  });
});
