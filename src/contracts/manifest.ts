/**
 * The manifest: the plain, JSON-serialisable hand-over between parsing and everything after it
 * (graph, compile, run, docs). Field names follow dbt's manifest so that tools that read dbt
 * artifacts can read ours.
 */
export const MANIFEST_SCHEMA_VERSION = 'https://mediflow.dev/schemas/mflow/manifest/v1.json';

export type ResourceType = 'model' | 'seed' | 'snapshot' | 'test' | 'source' | 'unit_test' | 'analysis' | 'operation' | 'exposure' | 'metric' | 'semantic_model' | 'saved_query';

/** A group, exposure, semantic model, metric or saved query, in dbt's manifest shape. */
export type ManifestResource = Record<string, unknown> & {
  unique_id: string;
  name: string;
  resource_type: string;
  package_name: string;
  original_file_path: string;
  fqn?: string[];
  config?: Record<string, unknown>;
  tags?: string[];
  depends_on?: { macros: string[]; nodes: string[] };
};

export type Materialization = 'view' | 'table' | 'incremental' | 'ephemeral' | 'seed' | 'snapshot' | 'test' | (string & {});

export interface NodeConfig {
  enabled: boolean;
  materialized: Materialization;
  schema?: string | null;
  database?: string | null;
  alias?: string | null;
  tags: string[];
  meta: Record<string, unknown>;
  pre_hook: string[];
  post_hook: string[];
  unique_key?: string | string[] | null;
  incremental_strategy?: 'append' | 'merge' | 'delete+insert' | (string & {}) | null;
  on_schema_change?: 'ignore' | 'fail' | 'append_new_columns' | 'sync_all_columns' | null;
  full_refresh?: boolean | null;
  /** Any other key a project sets (column_types, severity, grants, ...). */
  [key: string]: unknown;
}

export interface ColumnInfo {
  name: string;
  description: string;
  data_type?: string | null;
  meta: Record<string, unknown>;
  tags: string[];
  /** Column constraints, applied when the model's contract is enforced. */
  constraints?: Constraint[];
}

export type ConstraintType = 'not_null' | 'primary_key' | 'unique' | 'check' | 'foreign_key' | 'custom';

/** dbt's constraint shape (column-level, or model-level with `columns`). */
export interface Constraint {
  type: ConstraintType;
  name?: string | null;
  expression?: string | null;
  /** Model-level constraints: the columns they span. */
  columns?: string[];
  /** foreign_key: `to: ref('dim')` and `to_columns: [id]` (or everything in `expression`). */
  to?: string | null;
  to_columns?: string[];
  warn_unenforced?: boolean;
  warn_unsupported?: boolean;
}

export interface RefCall {
  name: string;
  package?: string | null;
  version?: string | number | null;
}

export interface Checksum {
  name: 'sha256';
  checksum: string;
}

export interface ManifestNode {
  unique_id: string;
  resource_type: ResourceType;
  name: string;
  package_name: string;
  /** Path relative to the resource folder (e.g. `staging/stg_claims.sql`). */
  path: string;
  /** Path relative to the project root (e.g. `models/staging/stg_claims.sql`). */
  original_file_path: string;
  fqn: string[];
  raw_code: string;
  language: 'sql';
  checksum: Checksum;
  config: NodeConfig;
  tags: string[];
  description: string;
  columns: Record<string, ColumnInfo>;
  meta: Record<string, unknown>;
  depends_on: { nodes: string[]; macros: string[] };
  refs: RefCall[];
  sources: [string, string][];
  database: string | null;
  schema: string;
  alias: string;
  /** Fully quoted relation name, null for ephemeral models and tests. */
  relation_name: string | null;
  patch_path?: string | null;
  version?: string | number | null;
  latest_version?: string | number | null;
  /** Filled by compile. */
  compiled_code?: string;
  compiled_path?: string;
  /** Tests only. */
  test_metadata?: { name: string; kwargs: Record<string, unknown>; namespace?: string | null } | null;
  attached_node?: string | null;
  column_name?: string | null;
  /** Model-level constraints (`constraints:` beside `columns:`). */
  constraints?: Constraint[];
  /** Groups and access (dbt): who may ref this model. */
  group?: string | null;
  access?: 'private' | 'protected' | 'public' | null;
  /** Line in the properties file that declared this test or patched this node. */
  declared_at?: { file: string; line: number } | null;
}

export interface SourceTable {
  unique_id: string;
  resource_type: 'source';
  source_name: string;
  name: string;
  package_name: string;
  path: string;
  original_file_path: string;
  fqn: string[];
  database: string | null;
  schema: string;
  identifier: string;
  relation_name: string;
  description: string;
  source_description: string;
  columns: Record<string, ColumnInfo>;
  meta: Record<string, unknown>;
  tags: string[];
  config: { enabled: boolean; [key: string]: unknown };
  loader: string;
  loaded_at_field?: string | null;
  freshness?: FreshnessRule | null;
  quoting: { database?: boolean; schema?: boolean; identifier?: boolean };
  /** Where ingestion reads this table from (dbt-external-tables' `external:` block). */
  external?: Record<string, unknown> | null;
  declared_at?: { file: string; line: number } | null;
}

export interface FreshnessRule {
  warn_after?: { count: number; period: 'minute' | 'hour' | 'day' } | null;
  error_after?: { count: number; period: 'minute' | 'hour' | 'day' } | null;
  filter?: string | null;
}

export interface MacroArg {
  name: string;
  default?: string | null;
}

export interface ManifestMacro {
  unique_id: string;
  name: string;
  package_name: string;
  path: string;
  original_file_path: string;
  macro_sql: string;
  description: string;
  arguments: MacroArg[];
  depends_on: { macros: string[] };
  /** 1-based line where the macro starts in its file, for error mapping. */
  line: number;
}

export interface DocBlock {
  unique_id: string;
  name: string;
  package_name: string;
  original_file_path: string;
  block_contents: string;
}

export interface Manifest {
  metadata: {
    mflow_schema_version: string;
    mflow_version: string;
    generated_at: string;
    invocation_id: string;
    project_name: string;
    adapter_type: string;
    env: Record<string, string>;
  };
  nodes: Record<string, ManifestNode>;
  sources: Record<string, SourceTable>;
  macros: Record<string, ManifestMacro>;
  docs: Record<string, DocBlock>;
  /** unique_id -> unique_ids it depends on (nodes and sources). */
  parent_map: Record<string, string[]>;
  /** unique_id -> unique_ids that depend on it. */
  child_map: Record<string, string[]>;
  selectors: Record<string, unknown>;
  unit_tests: Record<string, unknown>;
  /** dbt's other resources, keyed by unique_id (`exposure.<project>.<name>`, ...). */
  exposures?: Record<string, ManifestResource>;
  metrics?: Record<string, ManifestResource>;
  groups?: Record<string, ManifestResource>;
  semantic_models?: Record<string, ManifestResource>;
  saved_queries?: Record<string, ManifestResource>;
  /** group name -> unique_ids of its members. */
  group_map?: Record<string, string[]>;
  /** Disabled nodes by unique_id (dbt: a list per id). */
  disabled?: Record<string, unknown[]>;
}

/** The manifest keys that hold dbt's non-node resources which take part in the graph. */
export const GRAPH_RESOURCE_KEYS = ['exposures', 'metrics', 'semantic_models', 'saved_queries'] as const;
