/** What a run reports: `target/run_results.json` uses these shapes (dbt's field names). */
export type NodeStatus = 'success' | 'error' | 'skipped' | 'pass' | 'fail' | 'warn' | 'runtime error';

export interface TimingInfo {
  name: 'compile' | 'execute';
  started_at: string;
  completed_at: string;
}

export interface NodeResult {
  unique_id: string;
  status: NodeStatus;
  timing: TimingInfo[];
  execution_time: number;
  message: string | null;
  /** Rows written (models, seeds) or failing rows (tests). */
  failures: number | null;
  adapter_response: { rows_affected?: number; code?: string; [key: string]: unknown };
  relation_name?: string | null;
  compiled_code?: string;
  /** Where the compiled SQL of this node lives, for error messages. */
  compiled_path?: string | null;
}

export interface RunResults {
  metadata: { mflow_schema_version: string; mflow_version: string; generated_at: string; invocation_id: string };
  results: NodeResult[];
  elapsed_time: number;
  args: Record<string, unknown>;
}
