/**
 * The warehouse seam. Code above it never asks which warehouse it talks to; it asks the dialect
 * for SQL, the connection to execute, the introspector for state and the capability flags for
 * what the warehouse can do. A new warehouse is one folder under `src/adapters/`.
 */
export interface Relation {
  database: string | null;
  schema: string;
  identifier: string;
  type: 'table' | 'view' | 'external' | null;
}

export interface Column {
  name: string;
  dataType: string;
}

/** One planned SQL statement. Materializations produce these; they never execute. */
export interface Statement {
  sql: string;
  /** What the statement does, for logs and `--dry-run`. */
  purpose: string;
  /** Return rows to the caller (the last query of a test, a `run_query`). */
  fetch?: boolean;
}

export interface QueryResult {
  columns: Column[];
  rows: Record<string, unknown>[];
  rowsAffected?: number;
}

export interface Capabilities {
  /** DDL (create, drop, rename) can be rolled back inside a transaction. */
  supportsTransactionalDdl: boolean;
  supportsMerge: boolean;
  supportsTransientTables: boolean;
  /** `create or replace table` is atomic, so no swap is needed. */
  atomicCreateOrReplace: boolean;
  supportsCopyGrants: boolean;
  /** Unquoted identifiers fold to upper case (Snowflake) or lower case (DuckDB, Postgres). */
  identifierCase: 'upper' | 'lower';
  /**
   * What the warehouse does with each constraint of an enforced model contract, as dbt adapters
   * declare it: `enforced` (checked on insert), `not_enforced` (accepted as metadata only: mflow
   * applies it and warns) or `not_supported` (an error before anything is built). A constraint
   * type not listed is not supported.
   */
  constraints?: Partial<Record<'not_null' | 'primary_key' | 'unique' | 'check' | 'foreign_key', 'enforced' | 'not_enforced' | 'not_supported'>>;
}

export interface Dialect {
  readonly type: string;
  readonly capabilities: Capabilities;
  quote(identifier: string): string;
  /**
   * The name the warehouse stores for an unquoted identifier (Snowflake: upper case), for names
   * mflow makes up itself, such as snapshot meta columns; absent where names keep their case.
   */
  normalize?(name: string, part?: 'database' | 'schema' | 'identifier' | 'column'): string;
  /** `"db"."schema"."name"` with parts omitted when null. */
  relation(rel: Pick<Relation, 'database' | 'schema' | 'identifier'>): string;
  literal(value: unknown): string;
  typeName(kind: 'string' | 'integer' | 'bigint' | 'float' | 'numeric' | 'boolean' | 'date' | 'timestamp'): string;
  createSchema(database: string | null, schema: string): string;
  createTableAs(target: string, sql: string, opts?: { temporary?: boolean; transient?: boolean; replace?: boolean }): string;
  createView(target: string, sql: string, opts?: { replace?: boolean; copyGrants?: boolean }): string;
  drop(target: string, kind: 'table' | 'view'): string;
  rename(from: Relation, toIdentifier: string): string;
  beginTransaction(): string;
  commit(): string;
  rollback(): string;
  /** Snowflake style `merge into ... using ...` or an equivalent. */
  merge(args: { target: string; source: string; uniqueKey: string[]; columns: string[]; updateColumns?: string[]; predicates?: string[] }): string[];
  deleteInsert(args: { target: string; source: string; uniqueKey: string[]; columns: string[]; predicates?: string[] }): string[];
  insertInto(target: string, source: string, columns: string[]): string;
  addColumns(target: string, columns: Column[]): string;
  dropColumns(target: string, columns: string[]): string;
  /** Grants are compared against the current ones by the caller; the dialect only spells them. */
  grant(target: string, privilege: string, grantees: string[]): string;
  revoke(target: string, privilege: string, grantees: string[]): string;
}

export interface Connection {
  execute(sql: string): Promise<QueryResult>;
  /** Cancel what is running (Ctrl-C). */
  cancel(): Promise<void>;
  close(): Promise<void>;
}

export interface Introspector {
  /** All relations of a schema in one round trip; the caller caches per run. */
  listRelations(database: string | null, schema: string): Promise<Relation[]>;
  getColumns(rel: Relation): Promise<Column[]>;
  listSchemas(database: string | null): Promise<string[]>;
}

export interface TargetConfig {
  name: string;
  type: string;
  threads: number;
  database?: string | null;
  schema: string;
  [key: string]: unknown;
}

export interface Adapter {
  readonly type: string;
  readonly dialect: Dialect;
  readonly target: TargetConfig;
  introspector: Introspector;
  /** A connection from the pool; workers each hold one. */
  acquire(): Promise<Connection>;
  release(conn: Connection): void;
  close(): Promise<void>;
}
