import type { Column, Dialect, Relation, Statement } from '../contracts/adapter.js';
import type { ManifestNode } from '../contracts/manifest.js';

/**
 * A materialization plans statements from the node and the state of its relation; it never
 * executes. That gives `--dry-run`, exact SQL in logs and golden tests per dialect.
 */
export interface PlanInput {
  node: ManifestNode;
  /** Compiled SQL of the node. */
  sql: string;
  /** Where the node builds. */
  target: Relation;
  dialect: Dialect;
  fullRefresh: boolean;
  /** What exists there now (null: nothing). */
  existing: Relation | null;
  /** For incremental runs: columns of the existing table and of the new query. */
  existingColumns?: Column[];
  newColumns?: Column[];
  /** An enforced contract: the table is created with its columns and constraints, then filled. */
  contract?: { tableStatements(target: string, opts: { replace?: boolean; transient?: boolean }): string[] };
  /** Statements after the relation is built (persist_docs comments). */
  afterBuild?: Statement[];
  /** Rendered hooks. */
  preHooks: string[];
  postHooks: string[];
}

export interface Plan {
  statements: Statement[];
  /** The relation type after the plan ran (the runner updates its cache). */
  resultType: Relation['type'] | null;
}

export type Planner = (input: PlanInput) => Plan;
