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

/**
 * What a statement does, so executors act on the kind instead of reading the SQL text: `begin`,
 * `commit` and `rollback` open and close the session's transaction (a lost session is only
 * reconnected and retried outside one); `ddl` changes objects (on Snowflake it commits an open
 * transaction); `dml` changes rows; `query` returns rows.
 */
export type StatementKind = 'begin' | 'commit' | 'rollback' | 'ddl' | 'dml' | 'query';

/** One planned SQL statement. Dialects and materializations produce these; they never execute. */
export interface Statement {
  kind: StatementKind;
  sql: string;
  /** Values of the `?` markers, sent to the driver as binds (never pasted into the SQL text). */
  binds?: unknown[];
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
  /** `with x as materialized (...)` computes a CTE once for all its readers (data tests in one scan). */
  supportsMaterializedCte: boolean;
  /**
   * The warehouse is the in-process engine mflow does its local work with (DuckDB): unit tests run
   * its SQL as written, and it reads this machine's files itself (seed CSVs, ingest, the docs
   * catalog query). Otherwise that work happens in a local DuckDB and the results are shipped.
   */
  localEngine: boolean;
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
  /** dbt's name of the adapter's Relation class (`SnowflakeRelation`): packages test `relation.metadata.type`. */
  readonly relationClass?: string;
  quote(identifier: string): string;
  /**
   * The name the warehouse stores for an unquoted identifier (Snowflake: upper case), for names
   * mflow makes up itself, such as snapshot meta columns; absent where names keep their case.
   */
  normalize?(name: string, part?: 'database' | 'schema' | 'identifier' | 'column'): string;
  /**
   * One name part as the warehouse's quoting policy writes it (`quoted` overrides the policy, as a
   * source's `quoting:` does). An unquoted part is written so the warehouse folds it as it stores it.
   */
  quotePart(name: string, part: 'database' | 'schema' | 'identifier' | 'column', quoted?: boolean): string;
  /** `"db"."schema"."name"` with parts omitted when null. */
  relation(rel: Pick<Relation, 'database' | 'schema' | 'identifier'>): string;
  literal(value: unknown): string;
  typeName(kind: 'string' | 'integer' | 'bigint' | 'float' | 'numeric' | 'boolean' | 'date' | 'timestamp' | 'timestamptz'): string;
  // Every method below that writes SQL returns a list of typed statements (one warehouse may need
  // several where another needs one); callers run them with `conn.run`, in order.
  createSchema(database: string | null, schema: string): Statement[];
  createTableAs(target: string, sql: string, opts?: { temporary?: boolean; transient?: boolean; replace?: boolean }): Statement[];
  createView(target: string, sql: string, opts?: { replace?: boolean; copyGrants?: boolean }): Statement[];
  drop(target: string, kind: 'table' | 'view'): Statement[];
  rename(from: Relation, toIdentifier: string): Statement[];
  beginTransaction(): Statement[];
  commit(): Statement[];
  rollback(): Statement[];
  /** Snowflake style `merge into ... using ...` or an equivalent. */
  merge(args: { target: string; source: string; uniqueKey: string[]; columns: string[]; updateColumns?: string[]; predicates?: string[] }): Statement[];
  deleteInsert(args: { target: string; source: string; uniqueKey: string[]; columns: string[]; predicates?: string[] }): Statement[];
  insertInto(target: string, source: string, columns: string[]): Statement[];
  /** A warehouse that alters one column at a time returns several statements. */
  addColumns(target: string, columns: Column[]): Statement[];
  dropColumns(target: string, columns: string[]): Statement[];
  /** Grants are compared against the current ones by the caller; the dialect only spells them (one statement per grantee where the warehouse takes one). */
  grant(target: string, privilege: string, grantees: string[], kind?: 'table' | 'view'): Statement[];
  revoke(target: string, privilege: string, grantees: string[], kind?: 'table' | 'view'): Statement[];

  // Optional abilities: a warehouse that has them says so here; callers test for the method.

  /** Temporary tables named in full where the warehouse allows it (Snowflake: a session may have no current schema). */
  temporaryRelation?(rel: Pick<Relation, 'database' | 'schema' | 'identifier'>): string;
  /** Reading grants back, so a `grants` config is applied by difference. */
  showGrants?(target: string, kind?: 'table' | 'view'): Statement[];
  /** The rows of `showGrants` as privilege → grantees (ownership and shares left out). */
  grantsFromRows?(rows: Record<string, unknown>[]): Record<string, string[]>;
  /** Session query tags (`query_tag` config). */
  setQueryTag?(tag: string): Statement[];
  unsetQueryTag?(): Statement[];
  /**
   * Publishes schemas built under a staging name as the live ones, so readers see all the new
   * tables at once or none of them: statements to run in order on one connection. `tables` are
   * the staging schema's tables (identifiers). Absent: the warehouse cannot publish atomically.
   */
  publishSchemas?(database: string | null, pairs: { staging: string; live: string; tables: string[] }[]): Statement[];
}

/** A RAW table already ingested (and audited) in the local DuckDB. */
export interface RawTable {
  schema: string;
  identifier: string;
}

/** The local DuckDB connection RAW tables are read from. */
export interface LocalTable {
  execute(sql: string): Promise<{ rows: Record<string, unknown>[] }>;
}

export interface Connection {
  /** SQL text (a hook, a user's query): its kind is read from its first keyword. */
  execute(sql: string): Promise<QueryResult>;
  /** One planned statement: binds go to the driver as binds, the kind drives the transaction state. */
  run(statement: Statement): Promise<QueryResult>;
  /** Cancel what is running (Ctrl-C). */
  cancel(): Promise<void>;
  close(): Promise<void>;
  /**
   * `--query-profile`: from now on, keep the warehouse's own profile (operator tree and timings) of each
   * statement this connection runs, until `stopProfiling` hands them over. Absent where the
   * warehouse gives none to a client.
   */
  startProfiling?(): Promise<void>;
  stopProfiling?(): Promise<StatementProfile[]>;
}

/** One statement's profile as the warehouse reports it (DuckDB: its JSON profiling output). */
export interface StatementProfile {
  sql: string;
  /** Wall seconds of the statement, as the warehouse measured it. */
  latency: number;
  /** The warehouse's own profile document, as it wrote it. */
  profile: Record<string, unknown>;
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
  /** Ctrl-C: abort what every session runs. */
  cancel?(): Promise<void>;
  /**
   * A warehouse RAW is not ingested into directly: the tables ingested and audited in a local
   * DuckDB are copied over (Snowflake: PUT + COPY INTO). Absent where ingest writes in place.
   */
  shipRaw?(local: LocalTable, tables: RawTable[], opts: { database: string | null }): Promise<{ table: string; rows: number }[]>;
}
