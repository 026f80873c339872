/**
 * Config keys mflow understands. A key outside this list gets a warning with a suggestion: a
 * typo such as `materialised` must not silently build a view where a table was meant.
 */
export const NODE_CONFIG_KEYS = [
  'enabled', 'materialized', 'schema', 'database', 'alias', 'tags', 'meta', 'pre_hook', 'post_hook', 'pre-hook', 'post-hook',
  'unique_key', 'incremental_strategy', 'on_schema_change', 'full_refresh', 'persist_docs', 'docs', 'grants', 'contract',
  'quoting', 'column_types', 'delimiter', 'quote_columns', 'severity', 'warn_if', 'error_if', 'where', 'limit', 'fail_calc',
  'store_failures', 'store_failures_as', 'strategy', 'updated_at', 'check_cols', 'hard_deletes', 'invalidate_hard_deletes',
  'snapshot_meta_column_names', 'dbt_valid_to_current', 'target_schema', 'target_database', 'merge_update_columns',
  'merge_exclude_columns', 'incremental_predicates', 'transient', 'copy_grants', 'query_tag', 'cluster_by', 'secure',
  'group', 'access', 'sql_header', 'event_time', 'batch_size', 'lookback', 'begin', 'concurrent_batches', 'identifier',
  'loaded_at_field', 'freshness', 'packages', 'unlogged', 'indexes', 'file_format', 'location', 'partition_by', 'on_configuration_change',
  'column_names', 'encoding',
] as const;

export const NODE_CONFIG_KEY_SET: ReadonlySet<string> = new Set(NODE_CONFIG_KEYS);

export const PROJECT_KEYS = [
  'name', 'version', 'config-version', 'profile', 'model-paths', 'source-paths', 'seed-paths', 'data-paths', 'test-paths',
  'macro-paths', 'snapshot-paths', 'docs-paths', 'analysis-paths', 'asset-paths', 'target-path', 'log-path', 'packages-install-path',
  'clean-targets', 'vars', 'models', 'seeds', 'snapshots', 'tests', 'data_tests', 'sources', 'unit_tests', 'on-run-start', 'on-run-end',
  'quoting', 'require-dbt-version', 'targets', 'flags', 'dispatch', 'query-comment', 'restrict-access', 'semantic-models',
  'saved-queries', 'metrics', 'exposures', 'analyses', 'pipeline',
] as const;

/** Values of these keys never reach a log or an artifact. */
export const SECRET_KEY_PATTERN = /pass(word|phrase)?|secret|token|private_key|credential/i;
