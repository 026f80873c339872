import { DuckDBInstance, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Adapter, Column, Connection, Introspector, QueryResult, Relation, Statement, StatementProfile, TargetConfig } from '../../contracts/adapter.js';
import { MflowError } from '../../errors.js';
import { DuckDBDialect } from './dialect.js';
import { duckdbSettings } from './settings.js';

/** Turns DuckDB values into plain JSON-friendly JS (bigint → number when it fits). */
export function toPlain(v: unknown): unknown {
  if (typeof v === 'bigint') return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
  if (Array.isArray(v)) return v.map(toPlain);
  if (v && typeof v === 'object' && !(v instanceof Date)) {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) o[k] = toPlain(x);
    return o;
  }
  return v;
}

export class DuckDBConnectionWrapper implements Connection {
  /** While profiling: DuckDB writes each statement's JSON profile to `file`, read back after it. */
  private profiling: { dir: string; file: string; got: StatementProfile[] } | null = null;

  constructor(readonly raw: DuckDBConnection) {}

  async startProfiling(): Promise<void> {
    if (this.profiling) return;
    const dir = mkdtempSync(join(tmpdir(), 'mflow-profile-'));
    const file = join(dir, 'last.json');
    // Session settings of this connection only; other workers' statements are not profiled here.
    await this.raw.run(`SET enable_profiling = 'json'`);
    await this.raw.run(`SET profiling_output = '${file.replace(/'/g, "''")}'`);
    this.profiling = { dir, file, got: [] };
  }

  async stopProfiling(): Promise<StatementProfile[]> {
    const p = this.profiling;
    if (!p) return [];
    this.profiling = null;
    await this.raw.run('SET enable_profiling = false').catch(() => undefined);
    await this.raw.run("RESET profiling_output").catch(() => undefined);
    rmSync(p.dir, { recursive: true, force: true });
    return p.got;
  }

  private collectProfile(sql: string): void {
    const p = this.profiling;
    if (!p) return;
    try {
      const doc = JSON.parse(readFileSync(p.file, 'utf8')) as Record<string, unknown>;
      rmSync(p.file, { force: true });
      p.got.push({ sql, latency: Number(doc.latency ?? 0), profile: doc });
    } catch {
      // No profile for this statement (DuckDB writes none for some, e.g. SET or a failed one).
    }
  }

  /**
   * Runs exactly one statement. DuckDB would run every statement of a string, so a value pasted
   * into SQL unescaped could append a `drop table`; a string of several statements is refused
   * before anything of it runs (as Snowflake does by default).
   */
  async execute(sql: string, binds?: unknown[]): Promise<QueryResult> {
    let count: number;
    try {
      count = (await this.raw.extractStatements(sql)).count;
    } catch (e) {
      throw new MflowError('DATABASE', (e as Error).message, { cause: e });
    }
    if (count > 1) {
      throw new MflowError('DATABASE', `The SQL holds ${count} statements where one is expected; nothing of it was run`, {
        hint: 'A value inlined into SQL may hold a quote and a semicolon; otherwise split the statements (a list of hooks, one statement each).',
      });
    }
    if (count === 0) return { columns: [], rows: [], rowsAffected: 0 };
    try {
      const reader = binds ? await this.raw.runAndReadAll(sql, binds as DuckDBValue[]) : await this.raw.runAndReadAll(sql);
      this.collectProfile(sql);
      const names = reader.columnNames();
      const types = reader.columnTypes();
      const rows = reader.getRowObjectsJS().map((r) => toPlain(r) as Record<string, unknown>);
      // CREATE TABLE AS reports its row count as a one-row `Count` result, not as rows changed.
      const count = names.length === 1 && names[0] === 'Count' && rows.length === 1 ? Number(rows[0].Count) : 0;
      return { columns: names.map((n, i) => ({ name: n, dataType: String(types[i]) })), rows, rowsAffected: reader.rowsChanged || count };
    } catch (e) {
      throw new MflowError('DATABASE', (e as Error).message, { cause: e });
    }
  }

  /**
   * One planned statement. DuckDB's client has no transaction calls of its own: `begin`/`commit`
   * are SQL on the connection, which keeps the transaction; binds are passed as values.
   */
  run(s: Statement): Promise<QueryResult> {
    return this.execute(s.sql, s.binds);
  }

  async cancel(): Promise<void> {
    this.raw.interrupt();
  }

  async close(): Promise<void> {
    this.raw.closeSync();
  }
}

class DuckDBIntrospector implements Introspector {
  constructor(private readonly adapter: DuckDBAdapter) {}

  private async query(sql: string): Promise<Record<string, unknown>[]> {
    const c = await this.adapter.acquire();
    try {
      return (await c.execute(sql)).rows;
    } finally {
      this.adapter.release(c);
    }
  }

  async listRelations(database: string | null, schema: string): Promise<Relation[]> {
    const d = this.adapter.dialect;
    const db = database ? ` and table_catalog = ${d.literal(database)}` : '';
    const rows = await this.query(
      `select table_catalog, table_schema, table_name, table_type from information_schema.tables where lower(table_schema) = lower(${d.literal(schema)})${db}`,
    );
    return rows.map((r) => ({
      database: String(r.table_catalog),
      schema: String(r.table_schema),
      identifier: String(r.table_name),
      type: r.table_type === 'VIEW' ? 'view' : 'table',
    }));
  }

  async getColumns(rel: Relation): Promise<Column[]> {
    const d = this.adapter.dialect;
    const rows = await this.query(
      `select column_name, data_type from information_schema.columns where table_schema = ${d.literal(rel.schema)} and table_name = ${d.literal(rel.identifier)}${rel.database ? ` and table_catalog = ${d.literal(rel.database)}` : ''} order by ordinal_position`,
    );
    return rows.map((r) => ({ name: String(r.column_name), dataType: String(r.data_type) }));
  }

  async listSchemas(database: string | null): Promise<string[]> {
    const rows = await this.query(`select schema_name from information_schema.schemata${database ? ` where catalog_name = ${this.adapter.dialect.literal(database)}` : ''}`);
    return rows.map((r) => String(r.schema_name));
  }
}

/**
 * One DuckDB instance per run; each worker thread gets its own connection so models build in
 * parallel, and transactions stay per connection.
 */
export class DuckDBAdapter implements Adapter {
  readonly type = 'duckdb';
  readonly dialect = new DuckDBDialect();
  readonly introspector: Introspector;
  private idle: DuckDBConnectionWrapper[] = [];
  private all: DuckDBConnectionWrapper[] = [];

  private constructor(readonly target: TargetConfig, readonly instance: DuckDBInstance) {
    this.introspector = new DuckDBIntrospector(this);
  }

  static async create(target: TargetConfig): Promise<DuckDBAdapter> {
    const path = String(target.path ?? ':memory:');
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const settings = duckdbSettings(target);
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(path, settings);
    } catch (e) {
      // A lock held by another process is an environment problem (exit 2), not a failed build.
      const locked = /lock/i.test((e as Error).message);
      if (!locked && /set config/i.test((e as Error).message)) {
        // DuckDB does not say which setting it refused.
        const from = typeof target.source === 'string' ? ` (target '${target.name}' in ${target.source})` : '';
        throw new MflowError('CONFIG', `DuckDB refused one of the settings ${Object.keys(settings).join(', ')}${from}: ${(e as Error).message}`, {
          file: typeof target.source === 'string' ? target.source : undefined,
          hint: 'Check each name and value under settings: against DuckDB\'s configuration reference (duckdb_settings() lists them).',
        });
      }
      throw new MflowError(locked ? 'DATABASE_LOCKED' : 'DATABASE', `Cannot open DuckDB database ${path}: ${(e as Error).message}`, {
        hint: locked ? 'Another process holds the database file; wait for it to finish (or close the DuckDB CLI) and retry.' : undefined,
      });
    }
    const a = new DuckDBAdapter(target, instance);
    const exts = (target.extensions as string[] | undefined) ?? [];
    if (exts.length) {
      const c = await a.acquire();
      try {
        for (const ext of exts) await c.execute(`load ${ext}`);
      } finally {
        a.release(c);
      }
    }
    return a;
  }

  /** A DuckDB of mflow's own (a seed reader, the ingest stage of a warehouse target), not a profile target. */
  static local(name: string, path: string, threads = 1): Promise<DuckDBAdapter> {
    return DuckDBAdapter.create({ name, type: 'duckdb', threads, schema: 'main', path });
  }

  async acquire(): Promise<DuckDBConnectionWrapper> {
    const c = this.idle.pop();
    if (c) return c;
    const n = new DuckDBConnectionWrapper(await this.instance.connect());
    this.all.push(n);
    return n;
  }

  /** Connections handed out raw (ingestion's parallel loads), interrupted by `cancel` too. */
  private rawConns = new Set<DuckDBConnection>();

  /**
   * Another connection to this database for a caller that drives DuckDB directly (ingestion
   * loads files on several at once). The caller closes it; until then Ctrl-C and a step's
   * timeout interrupt it like the pooled ones, so no load keeps running after a cancel.
   */
  async connectRaw(): Promise<DuckDBConnection> {
    const c = await this.instance.connect();
    this.rawConns.add(c);
    return c;
  }

  /** Ctrl-C: interrupt whatever runs on any connection; transactions roll back. */
  async cancel(): Promise<void> {
    for (const c of this.all) c.raw.interrupt();
    // Interrupting one its caller has closed since is a no-op.
    for (const c of this.rawConns) c.interrupt();
  }

  release(conn: Connection): void {
    this.idle.push(conn as DuckDBConnectionWrapper);
  }

  async close(): Promise<void> {
    for (const c of this.all) c.raw.closeSync();
    this.all = [];
    this.idle = [];
    this.instance.closeSync();
  }
}
