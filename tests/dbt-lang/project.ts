import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { RESOURCES_YML } from '../functional/dbt-lang-helpers.js';

/**
 * One inline dbt project (dbt_project.yml + profiles.yml) that pins the dbt language features of
 * issue 11 part B: model versions, lenient disabled nodes, contracts, groups and access,
 * exposures, semantic models, metrics and saved queries. dbt-core and mflow each get a copy.
 */
export const LANG_PROJECT: Record<string, string> = {
  'dbt_project.yml': "name: lang\nversion: '1.0'\nprofile: lang\nmodels:\n  lang:\n    switched_off:\n      +enabled: false\n",
  'profiles.yml': 'lang:\n  target: dev\n  outputs:\n    dev: {type: duckdb, path: lang.duckdb, threads: 1}\n',
  // Versions: the latest in the unsuffixed file, tests on every version.
  'models/dim_x.sql': "select 2 as id, 'b' as extra",
  'models/dim_x_v1.sql': 'select 1 as id',
  'models/uses_x.sql': "select * from {{ ref('dim_x') }}",
  'models/versions.yml': `version: 2
models:
  - name: dim_x
    latest_version: 2
    columns:
      - name: id
        data_tests: [unique, not_null]
      - name: extra
        data_tests: [not_null]
    versions:
      - v: 1
        columns:
          - include: all
            exclude: [extra]
      - v: 2
`,
  // Disabled nodes: a missing var, a singular test and a unit test on a disabled model.
  'models/switched_off/dis_a.sql': "select {{ var('nope') }} as x",
  'models/dis_b.sql': "select {{ var('nope2') }} as x {{ config(enabled=false) }}",
  'tests/sing_on_disabled.sql': "select * from {{ ref('dis_a') }} where false",
  'models/unit.yml': 'version: 2\nunit_tests:\n  - name: ut1\n    model: dis_a\n    given: []\n    expect: {rows: [{x: 1}]}\n',
  // Groups, access and the other resources.
  'models/orders.sql': 'select 1 as order_id, 10 as amount, current_date as ordered_at, 1 as customer_id',
  'models/customers.sql': 'select 1 as customer_id',
  'models/fin_private.sql': "select * from {{ ref('orders') }}",
  'models/metricflow_time_spine.sql': "select cast(range as date) as date_day from range(date '2020-01-01', date '2021-01-01', interval 1 day)",
  'models/res.yml': RESOURCES_YML,
  'models/spine.yml': 'version: 2\nmodels:\n  - name: metricflow_time_spine\n    time_spine:\n      standard_granularity_column: date_day\n    columns:\n      - name: date_day\n        granularity: day\n',
  // Contracts: one that does not match, one with constraints.
  'models/c1.sql': "select 1 as id, 'a' as name, 3 as extra",
  'models/c2.sql': "select 1 as id, 'a' as name",
  'models/contracts.yml': `version: 2
models:
  - name: c1
    config: {contract: {enforced: true}, materialized: table}
    columns:
      - {name: id, data_type: varchar}
      - {name: name, data_type: varchar}
      - {name: missing_col, data_type: int}
  - name: c2
    config: {contract: {enforced: true}, materialized: table}
    constraints:
      - type: check
        expression: "id > 0"
        name: pos_id
    columns:
      - name: id
        data_type: integer
        constraints: [{type: not_null}, {type: primary_key}]
      - name: name
        data_type: varchar
        constraints: [{type: unique}]
`,
};

export function writeProject(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'mflow-dbtlang-'));
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), text);
  }
  return dir;
}

export function copyProject(dir: string): string {
  const to = mkdtempSync(join(tmpdir(), 'mflow-dbtlang-'));
  cpSync(dir, to, { recursive: true });
  return to;
}
