/** A small hand-built MediFlow manifest shared by the graph and selector suites. */
import type { Manifest, ManifestNode, ResourceType, SourceTable } from '../../src/contracts/manifest.js';

interface NodeOpts {
  deps?: string[];
  file?: string;
  fqn?: string[];
  materialized?: string;
  tags?: string[];
  enabled?: boolean;
  pkg?: string;
  checksum?: string;
  config?: Record<string, unknown>;
  testName?: string;
  attached?: string;
  macros?: string[];
  version?: number;
  latest?: number;
}

export function node(type: ResourceType, id: string, o: NodeOpts = {}): ManifestNode {
  const parts = id.split('.');
  const name = parts[2];
  const pkg = o.pkg ?? parts[1];
  const file = o.file ?? `models/${name}.sql`;
  const folder = file.split('/').slice(1, -1);
  return {
    unique_id: id,
    resource_type: type,
    name,
    package_name: pkg,
    path: file.split('/').slice(1).join('/'),
    original_file_path: file,
    fqn: o.fqn ?? [pkg, ...folder, name],
    raw_code: `select 1 as ${name}`,
    language: 'sql',
    checksum: { name: 'sha256', checksum: o.checksum ?? `sum-${name}` },
    config: {
      enabled: o.enabled ?? true,
      materialized: o.materialized ?? (type === 'model' ? 'view' : type),
      tags: o.tags ?? [],
      meta: {},
      pre_hook: [],
      post_hook: [],
      ...o.config,
    },
    tags: o.tags ?? [],
    description: '',
    columns: {},
    meta: {},
    depends_on: { nodes: o.deps ?? [], macros: o.macros ?? [] },
    refs: [],
    sources: [],
    database: null,
    schema: 'main',
    alias: name,
    relation_name: `"main"."${name}"`,
    test_metadata: o.testName ? { name: o.testName, kwargs: {} } : null,
    attached_node: o.attached ?? null,
    version: o.version ?? null,
    latest_version: o.latest ?? null,
  };
}

export function source(sourceName: string, table: string, tags: string[] = [], pkg = 'mediflow'): SourceTable {
  return {
    unique_id: `source.${pkg}.${sourceName}.${table}`,
    resource_type: 'source',
    source_name: sourceName,
    name: table,
    package_name: pkg,
    path: 'models/staging/sources.yml',
    original_file_path: 'models/staging/sources.yml',
    fqn: [pkg, 'staging', sourceName, table],
    database: null,
    schema: 'raw',
    identifier: table,
    relation_name: `"raw"."${table}"`,
    description: '',
    source_description: '',
    columns: {},
    meta: {},
    tags,
    config: { enabled: true },
    loader: '',
    quoting: {},
  };
}

export function manifestOf(nodes: ManifestNode[], sources: SourceTable[] = []): Manifest {
  const m: Manifest = {
    metadata: { mflow_schema_version: 'v1', mflow_version: 'test', generated_at: '', invocation_id: '', project_name: 'mediflow', adapter_type: 'duckdb', env: {} },
    nodes: Object.fromEntries(nodes.map((n) => [n.unique_id, n])),
    sources: Object.fromEntries(sources.map((s) => [s.unique_id, s])),
    macros: {},
    docs: {},
    parent_map: {},
    child_map: {},
    selectors: {},
    unit_tests: {},
  };
  for (const n of nodes) {
    m.parent_map[n.unique_id] = [...n.depends_on.nodes];
    for (const p of n.depends_on.nodes) (m.child_map[p] ??= []).push(n.unique_id);
  }
  return m;
}

export const ID = {
  srcBene: 'source.mediflow.raw.beneficiary',
  srcClaims: 'source.mediflow.raw.claims',
  stgBene: 'model.mediflow.stg_beneficiary',
  stgClaims: 'model.mediflow.stg_claims',
  dimPatient: 'model.mediflow.dim_patient',
  fctClaims: 'model.mediflow.fct_claims',
  martCosts: 'model.mediflow.mart_costs',
  oldModel: 'model.mediflow.old_model',
  calendar: 'model.utils.calendar',
  seedStates: 'seed.mediflow.state_codes',
  snap: 'snapshot.mediflow.snap_patient',
  tUnique: 'test.mediflow.unique_dim_patient_patient_id.1a2b3c4d5e',
  tNotNull: 'test.mediflow.not_null_stg_claims_claim_id.aaaa111111',
  tRel: 'test.mediflow.relationships_fct_claims_patient_id.bbbb222222',
  tSingular: 'test.mediflow.assert_costs_positive',
  tSource: 'test.mediflow.source_not_null_raw_claims_clm_id.cccc333333',
  unit: 'unit_test.mediflow.dim_patient.test_age',
} as const;

/**
 * raw.beneficiary -> stg_beneficiary -> dim_patient -> fct_claims -> mart_costs
 * raw.claims      -> stg_claims ------------------------^
 * state_codes (seed) -> dim_patient;  stg_beneficiary -> snap_patient
 * plus tests on dim_patient, stg_claims, fct_claims+dim_patient (relationships), mart_costs (singular),
 * raw.claims (source test), a unit test of dim_patient, a disabled model and a model from package utils.
 */
export function mediflowManifest(): Manifest {
  const stg = (name: string, deps: string[], tags: string[]) => node('model', `model.mediflow.${name}`, { file: `models/staging/${name}.sql`, deps, tags, materialized: 'view' });
  const core = (name: string, deps: string[], tags: string[], materialized: string) =>
    node('model', `model.mediflow.${name}`, { file: `models/core/${name}.sql`, deps, tags, materialized });
  const nodes = [
    stg('stg_beneficiary', [ID.srcBene], ['staging']),
    stg('stg_claims', [ID.srcClaims], ['staging', 'claims']),
    core('dim_patient', [ID.stgBene, ID.seedStates], ['core'], 'table'),
    core('fct_claims', [ID.stgClaims, ID.dimPatient], ['core', 'claims'], 'incremental'),
    node('model', ID.martCosts, { file: 'models/marts/mart_costs.sql', deps: [ID.fctClaims], tags: ['marts', 'nightly'], materialized: 'table' }),
    node('model', ID.oldModel, { file: 'models/marts/old_model.sql', deps: [ID.fctClaims], enabled: false }),
    node('model', ID.calendar, { file: 'dbt_packages/utils/models/calendar.sql', fqn: ['utils', 'calendar'], materialized: 'table' }),
    node('seed', ID.seedStates, { file: 'seeds/state_codes.csv', fqn: ['mediflow', 'state_codes'] }),
    node('snapshot', ID.snap, { file: 'snapshots/snap_patient.sql', fqn: ['mediflow', 'snap_patient', 'snap_patient'], deps: [ID.stgBene] }),
    node('test', ID.tUnique, { file: 'models/core/schema.yml', fqn: ['mediflow', 'core', 'unique_dim_patient_patient_id'], deps: [ID.dimPatient], testName: 'unique', attached: ID.dimPatient, config: { severity: 'ERROR' } }),
    node('test', ID.tNotNull, { file: 'models/staging/schema.yml', fqn: ['mediflow', 'staging', 'not_null_stg_claims_claim_id'], deps: [ID.stgClaims], testName: 'not_null', attached: ID.stgClaims, config: { severity: 'warn' } }),
    node('test', ID.tRel, { file: 'models/core/schema.yml', fqn: ['mediflow', 'core', 'relationships_fct_claims_patient_id'], deps: [ID.dimPatient, ID.fctClaims], testName: 'relationships', attached: ID.fctClaims }),
    node('test', ID.tSingular, { file: 'tests/assert_costs_positive.sql', fqn: ['mediflow', 'assert_costs_positive'], deps: [ID.martCosts], tags: ['nightly'] }),
    node('test', ID.tSource, { file: 'models/staging/sources.yml', fqn: ['mediflow', 'staging', 'source_not_null_raw_claims_clm_id'], deps: [ID.srcClaims], testName: 'not_null' }),
    node('unit_test', ID.unit, { file: 'models/core/schema.yml', fqn: ['mediflow', 'core', 'dim_patient', 'test_age'], deps: [ID.dimPatient] }),
  ];
  return manifestOf(nodes, [source('raw', 'beneficiary', ['pii']), source('raw', 'claims')]);
}
