/**
 * A MediFlow-shaped project as artifacts (manifest with real compiled SQL, a catalog introspected
 * from a real DuckDB where every model was built, run results), for the docs tests until the
 * core can produce the real ones. `loadArtifacts()` prefers a real `target/` named by
 * MFLOW_DOCS_TARGET, so the same tests run against the real MediFlow build.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { Manifest, ManifestNode, SourceTable, RunResults } from '../../src/contracts/index.js';
import { buildCatalog, type Catalog } from '../../src/docs/catalog.js';
import { rawSourceTable } from '../functional/ingest-helpers/raw-source.js';

const DB = 'memory';
const rel = (schema: string, name: string) => `"${DB}"."${schema}"."${name}"`;

function node(p: Partial<ManifestNode> & { name: string; resource_type: ManifestNode['resource_type']; folder: string; schema: string }): ManifestNode {
  const uid = `${p.resource_type}.mediflow.${p.name}`;
  const ext = p.resource_type === 'seed' ? 'csv' : p.resource_type === 'test' ? 'sql' : 'sql';
  const root = p.resource_type === 'seed' ? 'seeds' : p.resource_type === 'test' ? 'tests' : 'models';
  const materialized = (p.config?.materialized as string | undefined) ?? (p.resource_type === 'seed' ? 'seed' : p.resource_type === 'test' ? 'test' : 'view');
  const { folder, ...rest } = p;
  return {
    unique_id: uid,
    package_name: 'mediflow',
    path: `${folder}/${p.name}.${ext}`,
    original_file_path: `${root}/${folder}/${p.name}.${ext}`,
    fqn: ['mediflow', ...folder.split('/'), p.name],
    raw_code: p.raw_code ?? p.compiled_code ?? '',
    language: 'sql',
    checksum: { name: 'sha256', checksum: '0'.repeat(64) },
    tags: [],
    description: '',
    columns: {},
    meta: {},
    depends_on: { nodes: [], macros: [] },
    refs: [],
    sources: [],
    database: DB,
    alias: p.name,
    relation_name: materialized === 'ephemeral' || p.resource_type === 'test' ? null : rel(p.schema, p.name),
    ...rest,
    config: { enabled: true, materialized, tags: p.tags ?? [], meta: {}, pre_hook: [], post_hook: [], schema: p.schema, ...(p.config ?? {}) },
  } as ManifestNode;
}

function cols(spec: Record<string, string>) {
  return Object.fromEntries(Object.entries(spec).map(([name, description]) => [name, { name, description, meta: {}, tags: [] }]));
}

function source(name: string, description: string, columns: Record<string, string>): SourceTable {
  return {
    ...rawSourceTable(name, { file: 'models/staging/sources.yml', fqnFolders: ['staging'], database: DB, schema: 'raw' }),
    description,
    source_description: 'CMS DE-SynPUF files landed by ingestion',
    columns: cols(columns),
    tags: ['cms'],
    loader: 'mflow ingest',
  };
}

const RAW_DDL = `
create schema raw; create schema stg; create schema dim; create schema fact; create schema marts; create schema legacy;
create table raw.beneficiary as select * from (values ('P1', date '1940-03-01', 1, '05'), ('P2', date '1952-07-12', 2, '33'), ('P3', date '1938-11-30', 2, '05')) t(desynpuf_id, bene_birth_dt, bene_sex_ident_cd, sp_state_code);
create table raw.inpatient_claims as select * from (values
  ('C1', 'P1', 'PRV1', date '2009-01-03', date '2009-01-08', 4200.0),
  ('C2', 'P1', 'PRV1', date '2009-01-20', date '2009-01-24', 3100.0),
  ('C3', 'P2', 'PRV2', date '2009-03-01', date '2009-03-05', 5300.0),
  ('C4', 'P3', 'PRV2', date '2009-05-10', date '2009-05-12', 1500.0),
  ('C5', 'P3', 'PRV1', date '2009-09-01', date '2009-09-03', 900.0)) t(clm_id, desynpuf_id, prvdr_num, clm_admsn_dt, nch_bene_dschrg_dt, clm_pmt_amt);
create table raw.outpatient_claims as select * from (values ('O1', 'P1', 'PRV1', date '2009-02-01', 120.0), ('O2', 'P2', 'PRV2', date '2009-02-03', 80.5)) t(clm_id, desynpuf_id, prvdr_num, clm_from_dt, clm_pmt_amt);
create table raw.providers as select * from (values ('PRV1', 'General Hospital', '05'), ('PRV2', 'St. Mary', '33')) t(prvdr_num, provider_name, state_code);
create table raw.state_codes as select * from (values ('05', 'CA', 'California'), ('33', 'NY', 'New York')) t(state_code, state_abbr, state_name);
create table legacy.old_claims as select 'X' as clm_id, 1.0 as amount;
`;

export interface Artifacts {
  manifest: Manifest;
  catalog?: Catalog;
  runResults?: RunResults;
}

/** Builds the MediFlow-shaped manifest, builds every relation in DuckDB and introspects it. */
export async function buildMediflowArtifacts(): Promise<Artifacts> {
  const S = (n: string) => `source.mediflow.raw.${n}`;
  const M = (n: string) => `model.mediflow.${n}`;
  const nodes: ManifestNode[] = [
    node({ name: 'state_codes', resource_type: 'seed', folder: 'lookups', schema: 'raw', description: 'US state codes used by CMS (SSA codes).', columns: cols({ state_code: 'SSA state code', state_abbr: 'Postal abbreviation', state_name: 'State name' }), tags: ['lookup'] }),
    node({
      name: 'stg_beneficiary', resource_type: 'model', folder: 'staging', schema: 'stg', tags: ['staging', 'cms'],
      description: 'One row per **beneficiary**, renamed from the CMS summary file.',
      raw_code: "select desynpuf_id as patient_id, ... from {{ source('raw', 'beneficiary') }}",
      compiled_code: `select desynpuf_id as patient_id, bene_birth_dt as birth_date, case bene_sex_ident_cd when 1 then 'M' else 'F' end as sex, sp_state_code as state_code\nfrom ${rel('raw', 'beneficiary')}`,
      depends_on: { nodes: [S('beneficiary')], macros: [] }, sources: [['raw', 'beneficiary']],
      columns: cols({ patient_id: 'Synthetic beneficiary id (DESYNPUF_ID)', birth_date: 'Date of birth', sex: 'M or F', state_code: 'SSA state code' }),
    }),
    node({
      name: 'stg_admissions', resource_type: 'model', folder: 'staging', schema: 'stg', tags: ['staging', 'cms'],
      description: 'Inpatient claims, one row per admission.',
      raw_code: "select clm_id as admission_id, ... from {{ source('raw', 'inpatient_claims') }}",
      compiled_code: `select clm_id as admission_id, desynpuf_id as patient_id, prvdr_num as provider_id, clm_admsn_dt as admit_date, nch_bene_dschrg_dt as discharge_date, clm_pmt_amt as payment_amount\nfrom ${rel('raw', 'inpatient_claims')}`,
      depends_on: { nodes: [S('inpatient_claims')], macros: [] }, sources: [['raw', 'inpatient_claims']],
      columns: cols({ admission_id: 'Claim id of the admission', patient_id: 'Beneficiary', admit_date: 'Admission date', discharge_date: 'Discharge date' }),
    }),
    node({
      name: 'stg_claims', resource_type: 'model', folder: 'staging', schema: 'stg', tags: ['staging', 'cms'],
      description: 'Outpatient claims.',
      raw_code: "select ... from {{ source('raw', 'outpatient_claims') }}",
      compiled_code: `select clm_id as claim_id, desynpuf_id as patient_id, prvdr_num as provider_id, clm_from_dt as claim_date, clm_pmt_amt as payment_amount from ${rel('raw', 'outpatient_claims')}`,
      depends_on: { nodes: [S('outpatient_claims')], macros: [] }, sources: [['raw', 'outpatient_claims']],
    }),
    node({
      name: 'stg_providers', resource_type: 'model', folder: 'staging', schema: 'stg', tags: ['staging'],
      description: 'Providers as landed.',
      raw_code: "select * from {{ source('raw', 'providers') }}",
      compiled_code: `select * from ${rel('raw', 'providers')}`,
      depends_on: { nodes: [S('providers')], macros: [] }, sources: [['raw', 'providers']],
    }),
    node({
      name: 'dim_patient', resource_type: 'model', folder: 'core', schema: 'dim', tags: ['core'], config: { materialized: 'table' } as never,
      description: 'Patients with their state.',
      raw_code: "select b.*, s.state_name from {{ ref('stg_beneficiary') }} b left join {{ ref('state_codes') }} s using (state_code)",
      compiled_code: `select b.patient_id, b.birth_date, b.sex, s.state_name, date_diff('year', b.birth_date, date '2010-01-01') as age_2010\nfrom ${rel('stg', 'stg_beneficiary')} b left join ${rel('raw', 'state_codes')} s on b.state_code = s.state_code`,
      depends_on: { nodes: [M('stg_beneficiary'), 'seed.mediflow.state_codes'], macros: [] }, refs: [{ name: 'stg_beneficiary' }, { name: 'state_codes' }],
      columns: cols({ patient_id: 'Primary key', age_2010: 'Age on 2010-01-01' }),
    }),
    node({
      name: 'dim_provider', resource_type: 'model', folder: 'core', schema: 'dim', tags: ['core'], config: { materialized: 'table' } as never,
      description: 'Providers.', raw_code: "select * from {{ ref('stg_providers') }}",
      compiled_code: `select * from ${rel('stg', 'stg_providers')}`,
      depends_on: { nodes: [M('stg_providers')], macros: [] }, refs: [{ name: 'stg_providers' }],
    }),
    node({
      name: 'int_admission_windows', resource_type: 'model', folder: 'core', schema: 'fact', tags: ['core'], config: { materialized: 'ephemeral' } as never,
      description: 'The next admission of the same patient, for readmission logic.',
      raw_code: "select *, lead(admit_date) over (partition by patient_id order by admit_date) as next_admit_date from {{ ref('stg_admissions') }}",
      compiled_code: `select a.*, lead(a.admit_date) over (partition by a.patient_id order by a.admit_date) as next_admit_date from ${rel('stg', 'stg_admissions')} a`,
      depends_on: { nodes: [M('stg_admissions')], macros: [] }, refs: [{ name: 'stg_admissions' }],
    }),
    node({
      name: 'fact_admission', resource_type: 'model', folder: 'core', schema: 'fact', tags: ['core', 'readmission'], config: { materialized: 'table' } as never,
      description: 'One row per inpatient admission.\n\n{{ doc("readmission_30d") }}',
      raw_code: "with w as (select * from {{ ref('int_admission_windows') }})\nselect ...\nfrom w join {{ ref('dim_patient') }} p on w.patient_id = p.patient_id",
      compiled_code: `with __dbt__cte__int_admission_windows as (\n  select a.*, lead(a.admit_date) over (partition by a.patient_id order by a.admit_date) as next_admit_date from ${rel('stg', 'stg_admissions')} a\n), w as (\n  select * from __dbt__cte__int_admission_windows\n)\nselect\n  w.admission_id,\n  w.patient_id,\n  w.provider_id,\n  w.admit_date,\n  w.discharge_date,\n  date_diff('day', w.admit_date, w.discharge_date) as length_of_stay,\n  coalesce(date_diff('day', w.discharge_date, w.next_admit_date) <= 30, false) as readmitted_30d,\n  p.age_2010 as patient_age,\n  w.payment_amount\nfrom w join ${rel('dim', 'dim_patient')} p on w.patient_id = p.patient_id`,
      depends_on: { nodes: [M('int_admission_windows'), M('dim_patient')], macros: ['macro.mediflow.days_between'] }, refs: [{ name: 'int_admission_windows' }, { name: 'dim_patient' }],
      columns: cols({ admission_id: 'Claim id of the admission (primary key)', patient_id: 'The patient', readmitted_30d: 'True when the patient was admitted again within 30 days of discharge', length_of_stay: 'Days between admission and discharge' }),
    }),
    node({
      name: 'fact_claim', resource_type: 'model', folder: 'core', schema: 'fact', tags: ['core'], config: { materialized: 'table' } as never,
      description: 'All claims, inpatient and outpatient.',
      raw_code: "select ... from {{ ref('stg_claims') }} union all select ... from {{ ref('stg_admissions') }}",
      compiled_code: `select claim_id, patient_id, provider_id, claim_date, payment_amount, 'outpatient' as claim_type from ${rel('stg', 'stg_claims')}\nunion all\nselect admission_id, patient_id, provider_id, admit_date, payment_amount, 'inpatient' from ${rel('stg', 'stg_admissions')}`,
      depends_on: { nodes: [M('stg_claims'), M('stg_admissions')], macros: [] }, refs: [{ name: 'stg_claims' }, { name: 'stg_admissions' }],
    }),
    node({
      name: 'mart_readmission_rates', resource_type: 'model', folder: 'marts', schema: 'marts', tags: ['marts', 'readmission'], config: { materialized: 'table' } as never,
      description: 'Thirty-day readmission rate per provider.',
      raw_code: "select ... from {{ ref('fact_admission') }} f join {{ ref('dim_provider') }} d ...",
      compiled_code: `select d.provider_name, count(*) as admissions, avg(f.readmitted_30d::int) as readmission_rate\nfrom ${rel('fact', 'fact_admission')} f join ${rel('dim', 'dim_provider')} d on f.provider_id = d.prvdr_num\ngroup by all`,
      depends_on: { nodes: [M('fact_admission'), M('dim_provider')], macros: [] }, refs: [{ name: 'fact_admission' }, { name: 'dim_provider' }],
    }),
    node({
      name: 'mart_legacy_reconciliation', resource_type: 'model', folder: 'marts', schema: 'marts', tags: ['marts'],
      description: 'Compares with the legacy warehouse (a table this project does not manage).',
      raw_code: 'select * from legacy.old_claims',
      compiled_code: `select * from ${rel('legacy', 'old_claims')}`,
    }),
  ];
  const tests: ManifestNode[] = [
    testNode('unique_fact_admission_admission_id', 'unique', 'fact_admission', 'admission_id'),
    testNode('not_null_fact_admission_admission_id', 'not_null', 'fact_admission', 'admission_id'),
    testNode('accepted_values_fact_admission_readmitted_30d__True__False', 'accepted_values', 'fact_admission', 'readmitted_30d', { values: [true, false] }),
    testNode('relationships_fact_admission_patient_id__patient_id__ref_dim_patient_', 'relationships', 'fact_admission', 'patient_id', { to: "ref('dim_patient')", field: 'patient_id' }, [M('dim_patient')]),
    testNode('not_null_dim_patient_patient_id', 'not_null', 'dim_patient', 'patient_id'),
  ];
  const manifest: Manifest = {
    metadata: { mflow_schema_version: 'v1', mflow_version: '0.1.0', generated_at: '2024-01-01T00:00:00Z', invocation_id: 'fixture', project_name: 'mediflow', adapter_type: 'duckdb', env: {} },
    nodes: Object.fromEntries([...nodes, ...tests].map((n) => [n.unique_id, n])),
    sources: Object.fromEntries(
      [
        source('beneficiary', 'Beneficiary summary file', { desynpuf_id: 'Beneficiary code', bene_birth_dt: 'Date of birth', bene_sex_ident_cd: '1 male, 2 female', sp_state_code: 'SSA state code' }),
        source('inpatient_claims', 'Inpatient claims', { clm_id: 'Claim id', desynpuf_id: 'Beneficiary code', clm_admsn_dt: 'Admission date', nch_bene_dschrg_dt: 'Discharge date' }),
        source('outpatient_claims', 'Outpatient claims', {}),
        source('providers', 'Providers', {}),
      ].map((s) => [s.unique_id, s]),
    ),
    macros: {
      'macro.mediflow.days_between': { unique_id: 'macro.mediflow.days_between', name: 'days_between', package_name: 'mediflow', path: 'macros/dates.sql', original_file_path: 'macros/dates.sql', macro_sql: "{% macro days_between(a, b) %}date_diff('day', {{ a }}, {{ b }}){% endmacro %}", description: 'Whole days from `a` to `b`.', arguments: [{ name: 'a' }, { name: 'b' }], depends_on: { macros: [] }, line: 1 },
    },
    docs: {
      'doc.mediflow.readmission_30d': { unique_id: 'doc.mediflow.readmission_30d', name: 'readmission_30d', package_name: 'mediflow', original_file_path: 'models/docs.md', block_contents: '## Thirty-day readmission\n\nAn admission counts as *readmitted* when the same patient is admitted again **within 30 days** of discharge (CMS HRRP definition).' },
    },
    parent_map: {},
    child_map: {},
    selectors: {},
    unit_tests: {},
  };
  for (const id of [...Object.keys(manifest.nodes), ...Object.keys(manifest.sources)]) {
    manifest.parent_map[id] = [];
    manifest.child_map[id] = [];
  }
  for (const n of Object.values(manifest.nodes)) {
    for (const p of n.depends_on.nodes) {
      manifest.parent_map[n.unique_id].push(p);
      manifest.child_map[p].push(n.unique_id);
    }
  }

  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  try {
    await conn.run(RAW_DDL);
    for (const n of nodes) {
      if (n.resource_type === 'seed' || n.config.materialized === 'ephemeral') continue;
      const kind = n.config.materialized === 'table' ? 'table' : 'view';
      await conn.run(`create ${kind} ${n.relation_name} as ${n.compiled_code}`);
    }
    const catalog = await buildCatalog(conn, manifest);
    const now = '2024-01-01T00:00:00Z';
    const result = (uid: string, status: 'success' | 'pass' | 'fail', failures: number | null = 0) => ({
      unique_id: uid, status, timing: [{ name: 'execute' as const, started_at: now, completed_at: now }], execution_time: 0.05, message: status === 'fail' ? `Got ${failures} result, configured to fail if != 0` : 'OK', failures, adapter_response: {},
    });
    const runResults: RunResults = {
      metadata: { mflow_schema_version: 'v1', mflow_version: '0.1.0', generated_at: now, invocation_id: 'fixture' },
      results: [
        ...nodes.filter((n) => n.resource_type === 'model').map((n) => result(n.unique_id, 'success')),
        ...tests.map((t) => result(t.unique_id, t.name.startsWith('accepted_values') ? 'fail' : 'pass', t.name.startsWith('accepted_values') ? 1 : 0)),
      ],
      elapsed_time: 1.2,
      args: {},
    };
    return { manifest, catalog, runResults };
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

function testNode(name: string, kind: string, model: string, column: string, kwargs: Record<string, unknown> = {}, extraParents: string[] = []): ManifestNode {
  const attached = `model.mediflow.${model}`;
  return node({
    name, resource_type: 'test', folder: 'generic', schema: 'dbt_test__audit', tags: [],
    raw_code: `{{ test_${kind}(**_dbt_generic_test_kwargs) }}`,
    compiled_code: `select ${column} from "${DB}"."fact"."${model}" where ${column} is null`,
    depends_on: { nodes: [attached, ...extraParents], macros: [`macro.mflow.test_${kind}`] },
    test_metadata: { name: kind, kwargs: { column_name: column, model: `{{ get_where_subquery(ref('${model}')) }}`, ...kwargs } },
    attached_node: attached,
    column_name: column,
  });
}

/** Real artifacts from MFLOW_DOCS_TARGET (e.g. the MediFlow `target/`), else the fixture. */
export async function loadArtifacts(): Promise<Artifacts & { from: string }> {
  const dir = process.env.MFLOW_DOCS_TARGET;
  if (!dir) return { ...(await buildMediflowArtifacts()), from: 'fixture' };
  const read = async <T>(f: string): Promise<T | undefined> => {
    try {
      return JSON.parse(await readFile(path.join(dir, f), 'utf8')) as T;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  };
  const manifest = await read<Manifest>('manifest.json');
  if (!manifest) throw new Error(`MFLOW_DOCS_TARGET=${dir} has no manifest.json`);
  return { manifest, catalog: await read<Catalog>('catalog.json'), runResults: await read<RunResults>('run_results.json'), from: dir };
}
