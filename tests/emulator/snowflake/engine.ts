/**
 * The emulator's SQL engine: one DuckDB instance, one DuckDB connection per Snowflake session.
 * Snowflake databases are attached in-memory DuckDB catalogs; schemas are DuckDB schemas.
 * Statements DuckDB can run after token rewriting go straight through; the rest (SHOW, DESCRIBE,
 * grants, sessions, stages, COPY INTO, MERGE counts) are answered here. README.md lists them.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { DuckDBConnection, DuckDBInstance, DuckDBValue } from '@duckdb/node-api';
import { type RowType, encodeValue, fixedColumn, rowTypeFor, textColumn } from './encode.js';
import { SnowflakeError, cancelled, fromDuckDb, notExist, schemaMissing, syntaxAt, unsupported } from './errors.js';
import { SESSION_MACROS, rewriteTokens } from './rewrite.js';
import { swapSchemas } from './schema-swap.js';
import { type Catalog, checkFunctions, checkQuotedNames } from './strict.js';
import { type Token, quoteIdent, quoteString, readName, significant, tokenize } from './sql-tokens.js';

export interface EmuSession {
  id: number;
  token: string;
  masterToken: string;
  user: string;
  account: string;
  database: string;
  schema: string;
  warehouse: string;
  role: string;
  queryTag: string;
  params: Map<string, string>;
  conn: DuckDBConnection;
  temps: string[];
  inTxn: boolean;
}

export interface StatementResult {
  rowtype: RowType[];
  rowset: (string | null)[][];
  statementTypeId: number;
  /** PUT answers with file-transfer metadata instead of rows. */
  fileTransfer?: Record<string, unknown>;
}

export interface Binding {
  type: string;
  value: string | null | (string | null)[];
}

/** Rows a SHOW command returns at most (Snowflake's documented cap for SHOW OBJECTS/TABLES/VIEWS). */
export const SHOW_MAX_ROWS = 10_000;

export const ST = { SELECT: 0x1000, INSERT: 0x3100, UPDATE: 0x3200, DELETE: 0x3300, MERGE: 0x3400, COPY: 0x3600, SCL: 0x4000, USE: 0x4300, SHOW: 0x4400, DESCRIBE: 0x4500, TCL: 0x5000, DDL: 0x6000 };

interface Grant {
  privilege: string;
  grantee: string;
}

function status(text: string, type = ST.DDL): StatementResult {
  return { rowtype: [textColumn('status')], rowset: [[text]], statementTypeId: type };
}

function bindValue(type: string, v: string | null): unknown {
  if (v === null) return null;
  if (type === 'FIXED') return /^-?\d+$/.test(v) ? BigInt(v) : Number(v);
  if (type === 'REAL') return Number(v);
  if (type === 'BOOLEAN') return v === 'true' || v === '1';
  return v;
}

const SNOWFLAKE_TYPES: [RegExp, (m: RegExpExecArray) => string][] = [
  [/^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT)$/, () => 'NUMBER(38,0)'],
  [/^DECIMAL\((\d+),(\d+)\)$/, (m) => `NUMBER(${m[1]},${m[2]})`],
  [/^VARCHAR$/, () => 'VARCHAR(16777216)'],
  [/^(DOUBLE|FLOAT)$/, () => 'FLOAT'],
  [/^BOOLEAN$/, () => 'BOOLEAN'],
  [/^DATE$/, () => 'DATE'],
  [/^TIME$/, () => 'TIME(9)'],
  [/^TIMESTAMP WITH TIME ZONE$/, () => 'TIMESTAMP_TZ(9)'],
  [/^TIMESTAMP/, () => 'TIMESTAMP_NTZ(9)'],
  [/^JSON$/, () => 'VARIANT'],
  [/^BLOB$/, () => 'BINARY(8388608)'],
  [/\[\]$/, () => 'ARRAY'],
  [/^(STRUCT|MAP)/, () => 'OBJECT'],
];

export function snowflakeTypeName(duck: string): string {
  for (const [re, f] of SNOWFLAKE_TYPES) {
    const m = re.exec(duck);
    if (m) return f(m);
  }
  return duck;
}

export class Engine {
  readonly grants = new Map<string, Grant[]>();
  readonly stages = new Set<string>();
  readonly loadedFiles = new Map<string, Set<string>>();
  private readonly databases = new Set<string>();

  constructor(
    readonly instance: DuckDBInstance,
    readonly stageRoot: string,
  ) {}

  async ensureDatabase(conn: DuckDBConnection, db: string, schema?: string): Promise<void> {
    if (!this.databases.has(db)) {
      await conn.run(`ATTACH IF NOT EXISTS ':memory:' AS ${quoteIdent(db)}`);
      this.databases.add(db);
    }
    await conn.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(db)}."PUBLIC"`);
    if (schema) await conn.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(db)}.${quoteIdent(schema)}`);
  }

  async openSession(s: Omit<EmuSession, 'conn' | 'temps' | 'inTxn' | 'params'>): Promise<EmuSession> {
    const conn = await this.instance.connect();
    for (const m of SESSION_MACROS) await conn.run(m);
    const session: EmuSession = { ...s, conn, temps: [], inTxn: false, params: new Map() };
    if (s.database) {
      await this.ensureDatabase(conn, s.database, s.schema);
      await conn.run(`USE ${quoteIdent(s.database)}.${quoteIdent(s.schema)}`);
    }
    return session;
  }

  /** Temporary objects are real objects here (DuckDB forbids qualified temp names); dropped on close. */
  async closeSession(s: EmuSession): Promise<void> {
    for (const [k, owner] of this.temporaries) if (owner === s.id) this.temporaries.delete(k);
    for (const t of s.temps) {
      await s.conn.run(`DROP VIEW IF EXISTS ${t}`).catch(() => undefined);
      await s.conn.run(`DROP TABLE IF EXISTS ${t}`).catch(() => undefined);
    }
    s.conn.closeSync();
  }

  private full(s: EmuSession, parts: string[]): [string, string, string] {
    if (parts.length >= 3) return [parts[0], parts[1], parts[2]];
    if (parts.length === 2) return [s.database, parts[0], parts[1]];
    return [s.database, s.schema, parts[0]];
  }

  private key(s: EmuSession, parts: string[]): string {
    return this.full(s, parts).join('.');
  }

  private sqlName(parts: string[]): string {
    return parts.map(quoteIdent).join('.');
  }

  private ctx(s: EmuSession) {
    return { warehouse: s.warehouse, role: s.role, user: s.user, account: s.account, sessionId: s.id };
  }

  private async run(s: EmuSession, sql: string, values?: unknown[]) {
    try {
      return await s.conn.runAndReadAll(sql, values as DuckDBValue[] | undefined);
    } catch (e) {
      throw fromDuckDb(e);
    }
  }

  private async rows(s: EmuSession, sql: string, values?: unknown[]): Promise<StatementResult> {
    const r = await this.run(s, sql, values);
    const names = r.columnNames();
    const types = r.columnTypes();
    const rowtype = names.map((n, i) => rowTypeFor(n, types[i]));
    const rowset = r.getRows().map((row) => row.map((v, i) => encodeValue(v, rowtype[i])));
    return { rowtype, rowset, statementTypeId: ST.SELECT };
  }

  private async count(s: EmuSession, sql: string, values?: unknown[]): Promise<number> {
    const r = await this.run(s, sql, values);
    const v = r.getRows()[0]?.[0];
    return Number(v ?? 0);
  }

  /** Temporary tables of every session: full name → owning session id. */
  private readonly temporaries = new Map<string, number>();

  /** A temporary table exists only for the session that created it: for the others it does not exist. */
  private checkTemporaryOwner(s: EmuSession, t: Token[]): void {
    if (this.temporaries.size === 0) return;
    for (let i = 0; i < t.length; i++) {
      if (t[i].kind !== 'word' && t[i].kind !== 'qident') continue;
      if (t[i - 1]?.text === '.') continue;
      const name = readName(t, i);
      if (!name || name.parts.length > 3) continue;
      const key = this.full(s, name.parts).join('.');
      const owner = this.temporaries.get(key);
      if (owner !== undefined && owner !== s.id) throw notExist(key);
    }
  }

  /** Every stored name (databases, schemas, relations, columns), for the case-sensitivity check. */
  private async catalog(s: EmuSession): Promise<Catalog> {
    const r = await this.run(
      s,
      `SELECT database_name, false FROM duckdb_databases() UNION ALL SELECT schema_name, false FROM duckdb_schemas() UNION ALL SELECT table_name, false FROM duckdb_tables() UNION ALL SELECT view_name, false FROM duckdb_views() WHERE NOT internal UNION ALL SELECT column_name, true FROM duckdb_columns()`,
    );
    const names = new Set<string>();
    const folded = new Map<string, { spellings: string[]; column: boolean }>();
    for (const [n, isColumn] of r.getRows()) {
      const name = String(n);
      names.add(name);
      const e = folded.get(name.toUpperCase()) ?? { spellings: [], column: false };
      e.spellings.push(name);
      e.column ||= isColumn === true;
      folded.set(name.toUpperCase(), e);
    }
    return { names, folded };
  }

  private async relationExists(s: EmuSession, full: [string, string, string]): Promise<'TABLE' | 'VIEW' | null> {
    const r = await this.run(
      s,
      `SELECT 'TABLE' FROM duckdb_tables() WHERE database_name = ? AND schema_name = ? AND table_name = ? UNION ALL SELECT 'VIEW' FROM duckdb_views() WHERE database_name = ? AND schema_name = ? AND view_name = ? AND NOT internal`,
      [...full, ...full],
    );
    return (r.getRows()[0]?.[0] as 'TABLE' | 'VIEW' | undefined) ?? null;
  }

  /** Execute one statement. `binds` are the request's `bindings` (array binds run once per row). */
  async execute(s: EmuSession, sql: string, bindings?: Record<string, Binding>): Promise<StatementResult> {
    const keys = bindings ? Object.keys(bindings).sort((a, b) => Number(a) - Number(b)) : [];
    const first = keys.length ? bindings![keys[0]].value : undefined;
    if (Array.isArray(first)) {
      let total = 0;
      let last: StatementResult | undefined;
      for (let row = 0; row < first.length; row++) {
        const values = keys.map((k) => bindValue(bindings![k].type, (bindings![k].value as (string | null)[])[row]));
        last = await this.executeOne(s, sql, values);
        total += Number(last.rowset[0]?.[0] ?? 0);
      }
      if (last && last.statementTypeId === ST.INSERT) return { rowtype: [fixedColumn('number of rows inserted')], rowset: [[String(total)]], statementTypeId: ST.INSERT };
      return last ?? status('Statement executed successfully.');
    }
    const values = keys.map((k) => bindValue(bindings![k].type, bindings![k].value as string | null));
    return this.executeOne(s, sql, values.length ? values : undefined);
  }

  private async executeOne(s: EmuSession, sql: string, values?: unknown[]): Promise<StatementResult> {
    if (/^\s*(put|get)\s/i.test(sql)) return this.fileTransfer(s, sql);
    const tokens = tokenize(sql);
    const t = significant(tokens);
    while (t.length && t[t.length - 1].text === ';') t.pop();
    const w = (i: number) => (t[i]?.kind === 'word' ? t[i].value : '');
    const duck = () => rewriteTokens(tokens, this.ctx(s)).replace(/;\s*$/, '');
    const head = w(0);
    // Snowflake's rules before DuckDB's: unknown functions and case-sensitive quoted names fail here.
    checkFunctions(t);
    if (t.some((x) => x.kind === 'qident')) checkQuotedNames(t, await this.catalog(s));
    this.checkTemporaryOwner(s, t);
    // DDL commits the open transaction first (and runs in its own): what came before it stays.
    if (s.inTxn && ['CREATE', 'DROP', 'ALTER', 'TRUNCATE', 'GRANT', 'REVOKE', 'COMMENT'].includes(head)) {
      await this.run(s, 'COMMIT');
      s.inTxn = false;
    }

    switch (head) {
      case 'SELECT':
      case 'WITH':
      case 'VALUES':
      case 'FROM':
      case 'TABLE':
        return this.rows(s, duck(), values);
      case 'BEGIN':
      case 'START':
        if (!s.inTxn) await this.run(s, 'BEGIN TRANSACTION');
        s.inTxn = true;
        return status('Statement executed successfully.', ST.TCL);
      case 'COMMIT':
      case 'ROLLBACK':
        if (s.inTxn) await this.run(s, head);
        s.inTxn = false;
        return status('Statement executed successfully.', ST.TCL);
      case 'INSERT':
        return this.insert(s, t, tokens, values);
      case 'DELETE': {
        const n = await this.count(s, duck(), values);
        return { rowtype: [fixedColumn('number of rows deleted')], rowset: [[String(n)]], statementTypeId: ST.DELETE };
      }
      case 'UPDATE': {
        const n = await this.count(s, duck(), values);
        return { rowtype: [fixedColumn('number of rows updated'), fixedColumn('number of multi-joined rows updated')], rowset: [[String(n), '0']], statementTypeId: ST.UPDATE };
      }
      case 'MERGE':
        return this.merge(s, t, duck(), values);
      case 'TRUNCATE':
        await this.run(s, duck());
        return status('Statement executed successfully.');
      case 'USE':
        return this.use(s, t);
      case 'SHOW':
        return this.show(s, t);
      case 'DESCRIBE':
      case 'DESC':
        return this.describe(s, t);
      case 'CREATE':
        return this.create(s, t, tokens, values);
      case 'DROP':
        return this.drop(s, t, duck());
      case 'ALTER':
        return this.alter(s, t, duck());
      case 'GRANT':
      case 'REVOKE':
        return this.grant(s, t);
      case 'COMMENT':
        return status('Statement executed successfully.');
      case 'COPY':
        return this.copyInto(s, t);
      case 'LIST':
      case 'LS':
        return this.list(s, t);
      case 'REMOVE':
      case 'RM':
        return this.remove(s, t);
      default:
        throw unsupported(sql);
    }
  }

  private async insert(s: EmuSession, t: Token[], tokens: Token[], values?: unknown[]): Promise<StatementResult> {
    let sqlTokens = tokens;
    let overwrite = false;
    if (t[1]?.value === 'OVERWRITE') {
      overwrite = true;
      const idx = tokens.indexOf(t[1]);
      sqlTokens = tokens.filter((_, i) => i !== idx);
    }
    const duck = rewriteTokens(sqlTokens, this.ctx(s)).replace(/;\s*$/, '');
    let n: number;
    if (overwrite) {
      const name = readName(t, 3)!;
      const own = !s.inTxn;
      if (own) await this.run(s, 'BEGIN TRANSACTION');
      try {
        await this.run(s, `DELETE FROM ${this.sqlName(name.parts)}`);
        n = await this.count(s, duck, values);
        if (own) await this.run(s, 'COMMIT');
      } catch (e) {
        if (own) await s.conn.run('ROLLBACK').catch(() => undefined);
        throw e;
      }
    } else n = await this.count(s, duck, values);
    return { rowtype: [fixedColumn('number of rows inserted')], rowset: [[String(n)]], statementTypeId: ST.INSERT };
  }

  /** DuckDB's MERGE returns one total; Snowflake reports inserted/updated/deleted separately. */
  private async merge(s: EmuSession, t: Token[], duck: string, values?: unknown[]): Promise<StatementResult> {
    const target = readName(t, 2);
    if (!target) throw unsupported('merge');
    const name = this.sqlName(target.parts);
    await this.assertDeterministicMerge(s, t, target.next);
    const before = await this.count(s, `SELECT COUNT(*) FROM ${name}`);
    const total = await this.count(s, duck, values);
    const after = await this.count(s, `SELECT COUNT(*) FROM ${name}`);
    const text = t.map((x) => x.value).join(' ');
    const hasInsert = /NOT MATCHED/.test(text);
    const hasUpdate = /THEN UPDATE/.test(text);
    const hasDelete = /THEN DELETE/.test(text);
    const inserted = hasInsert ? Math.max(0, after - before) : 0;
    const deleted = hasDelete ? Math.max(0, before - after + inserted) : 0;
    const updated = total - inserted - deleted;
    const rowtype: RowType[] = [];
    const row: string[] = [];
    if (hasInsert) rowtype.push(fixedColumn('number of rows inserted')), row.push(String(inserted));
    if (hasUpdate) rowtype.push(fixedColumn('number of rows updated')), row.push(String(updated));
    if (hasDelete) rowtype.push(fixedColumn('number of rows deleted')), row.push(String(deleted));
    return { rowtype, rowset: [row], statementTypeId: ST.MERGE };
  }

  /**
   * ERROR_ON_NONDETERMINISTIC_MERGE (Snowflake's default): a target row that joins more than one
   * source row in a MERGE that updates or deletes is error 100090, whatever DuckDB would do.
   */
  private async assertDeterministicMerge(s: EmuSession, t: Token[], afterTarget: number): Promise<void> {
    const text = t.map((x) => x.value).join(' ');
    if (!/MATCHED (AND .* )?THEN (UPDATE|DELETE)/.test(text) && !/WHEN MATCHED/.test(text)) return;
    const at = (word: string, from: number) => {
      let depth = 0;
      for (let k = from; k < t.length; k++) {
        if (t[k].text === '(') depth++;
        else if (t[k].text === ')') depth--;
        else if (depth === 0 && t[k].kind === 'word' && t[k].value === word) return k;
      }
      return -1;
    };
    const using = at('USING', afterTarget);
    const on = at('ON', using + 1);
    const when = at('WHEN', on + 1);
    if (using < 0 || on < 0 || when < 0) return;
    const targetAlias = t.slice(afterTarget, using).filter((x) => x.value !== 'AS').map((x) => x.text).join(' ');
    const piece = (a: number, b: number) => rewriteTokens(t.flatMap((x, k) => (k >= a && k < b ? [x, { kind: 'space', text: ' ', value: ' ' } as Token] : [])), this.ctx(s));
    const targetName = this.sqlName(readName(t, 2)!.parts);
    const alias = targetAlias || quoteIdent(readName(t, 2)!.parts.at(-1)!);
    const sql = `SELECT 1 FROM ${targetName}${targetAlias ? ` AS ${targetAlias}` : ''} JOIN ${piece(using + 1, on)} ON ${piece(on + 1, when)} GROUP BY ${alias}.rowid HAVING COUNT(*) > 1 LIMIT 1`;
    if ((await this.run(s, sql)).getRows().length) throw new SnowflakeError('100090', '42P18', 'Duplicate row detected during DML action');
  }

  private async use(s: EmuSession, t: Token[]): Promise<StatementResult> {
    let kind = w1(t);
    let i = 2;
    if (!['DATABASE', 'SCHEMA', 'WAREHOUSE', 'ROLE', 'SECONDARY'].includes(kind)) {
      kind = 'SCHEMA';
      i = 1;
    }
    const name = readName(t, i);
    if (!name) throw unsupported('use');
    if (kind === 'WAREHOUSE') s.warehouse = name.parts[0];
    else if (kind === 'ROLE') s.role = name.parts[0];
    else if (kind === 'DATABASE') {
      if (!this.databases.has(name.parts[0])) throw notExist(name.parts[0]);
      s.database = name.parts[0];
      s.schema = 'PUBLIC';
      await this.run(s, `USE ${quoteIdent(s.database)}.${quoteIdent(s.schema)}`);
    } else if (kind === 'SCHEMA') {
      const [db, schema] = name.parts.length > 1 ? name.parts : [s.database, name.parts[0]];
      await this.run(s, `USE ${quoteIdent(db)}.${quoteIdent(schema)}`);
      s.database = db;
      s.schema = schema;
    }
    return status('Statement executed successfully.', ST.USE);
  }

  private async show(s: EmuSession, t: Token[]): Promise<StatementResult> {
    let i = 1;
    const terse = t[i]?.value === 'TERSE';
    if (terse) i++;
    const what = t[i++]?.value ?? '';
    if (what === 'GRANTS') return this.showGrants(s, t, i);
    if (what === 'PARAMETERS') return this.showParameters(s, t, i);
    // Options: LIKE '<pattern>', IN [ACCOUNT|DATABASE|SCHEMA] <name>, STARTS WITH '<s>', LIMIT n [FROM '<name>'].
    let like: string | undefined;
    let startsWith: string | undefined;
    let limit: number | undefined;
    let from: string | undefined;
    let scope: { kind: 'schema' | 'database' | 'account'; parts: string[] } | undefined;
    while (i < t.length) {
      const v = t[i].value;
      if (v === 'LIKE') (like = t[i + 1].value), (i += 2);
      else if (v === 'STARTS') (startsWith = t[i + 2].value), (i += 3);
      else if (v === 'LIMIT') {
        limit = Number(t[i + 1].value);
        i += 2;
        if (t[i]?.value === 'FROM') (from = t[i + 1].value), (i += 2);
      } else if (v === 'IN') {
        i++;
        let kind: 'schema' | 'database' | 'account' | undefined;
        if (t[i]?.value === 'SCHEMA') (kind = 'schema'), i++;
        else if (t[i]?.value === 'DATABASE') (kind = 'database'), i++;
        else if (t[i]?.value === 'ACCOUNT') (kind = 'account'), i++;
        const n = readName(t, i);
        const parts = n?.parts ?? [];
        if (n) i = n.next;
        scope = { kind: kind ?? (what === 'SCHEMAS' || parts.length === 1 && what !== 'OBJECTS' && what !== 'TABLES' && what !== 'VIEWS' ? 'database' : 'schema'), parts };
      } else throw unsupported(t.map((x) => x.text).join(' '));
    }
    const likeRe = like !== undefined ? new RegExp('^' + like.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%/g, '.*').replace(/_/g, '.') + '$', 'i') : undefined;
    const filter = (name: string) => (!likeRe || likeRe.test(name)) && (!startsWith || name.startsWith(startsWith)) && (!from || name > from);

    if (what === 'SCHEMAS') {
      const db = scope?.parts[0] ?? s.database;
      if (!this.databases.has(db)) throw notExist(db);
      const r = await this.run(s, `SELECT schema_name FROM duckdb_schemas() WHERE database_name = ? AND schema_name <> 'main' ORDER BY 1`, [db]);
      let names = r.getRows().map((x) => String(x[0])).filter(filter);
      if (limit !== undefined) names = names.slice(0, limit);
      return {
        rowtype: [col('created_on', 'timestamp_ltz'), textColumn('name'), textColumn('kind'), textColumn('database_name'), textColumn('schema_name')],
        rowset: names.map((n) => [null, n, null, db, null]),
        statementTypeId: ST.SHOW,
      };
    }
    if (what === 'OBJECTS' || what === 'TABLES' || what === 'VIEWS') {
      let db = s.database;
      let schema: string | undefined = s.schema;
      if (scope?.kind === 'database') (db = scope.parts[0]), (schema = undefined);
      else if (scope?.kind === 'account') schema = undefined;
      else if (scope) [db, schema] = scope.parts.length > 1 ? scope.parts : [s.database, scope.parts[0]];
      if (schema !== undefined) {
        const exists = this.databases.has(db) && (await this.count(s, `SELECT COUNT(*) FROM duckdb_schemas() WHERE database_name = ? AND schema_name = ?`, [db, schema])) > 0;
        if (!exists) throw schemaMissing(`${db}.${schema}`);
      }
      const cond = schema !== undefined ? `database_name = ? AND schema_name = ?` : `database_name = ?`;
      const args = schema !== undefined ? [db, schema] : [db];
      const parts: string[] = [];
      if (what !== 'VIEWS') parts.push(`SELECT table_name AS name, 'TABLE' AS kind, database_name, schema_name, estimated_size AS rows FROM duckdb_tables() WHERE ${cond}`);
      if (what !== 'TABLES') parts.push(`SELECT view_name, 'VIEW', database_name, schema_name, NULL FROM duckdb_views() WHERE NOT internal AND ${cond}`);
      const r = await this.run(s, parts.join(' UNION ALL ') + ' ORDER BY 3, 4, 1', what === 'OBJECTS' ? [...args, ...args] : args);
      let rows = r.getRows().filter((x) => filter(String(x[0])));
      // SHOW OBJECTS/TABLES/VIEWS answer at most 10,000 rows; `limit n from 'name'` pages on.
      rows = rows.slice(0, Math.min(limit ?? SHOW_MAX_ROWS, SHOW_MAX_ROWS));
      const rowtype = [col('created_on', 'timestamp_ltz'), textColumn('name'), textColumn('kind'), textColumn('database_name'), textColumn('schema_name')];
      if (terse) return { rowtype, rowset: rows.map((x) => [null, String(x[0]), String(x[1]), String(x[2]), String(x[3])]), statementTypeId: ST.SHOW };
      rowtype.push(textColumn('comment'), textColumn('cluster_by'), fixedColumn('rows'), fixedColumn('bytes'), textColumn('owner'), textColumn('is_dynamic'), textColumn('is_iceberg'));
      return {
        rowtype,
        rowset: rows.map((x) => [null, String(x[0]), String(x[1]), String(x[2]), String(x[3]), '', '', x[4] === null ? null : String(x[4]), null, s.role, 'N', 'N']),
        statementTypeId: ST.SHOW,
      };
    }
    if (what === 'DATABASES') {
      return { rowtype: [col('created_on', 'timestamp_ltz'), textColumn('name')], rowset: [...this.databases].filter(filter).map((d) => [null, d]), statementTypeId: ST.SHOW };
    }
    if (what === 'WAREHOUSES') return { rowtype: [textColumn('name'), textColumn('state')], rowset: [[s.warehouse, 'STARTED']], statementTypeId: ST.SHOW };
    throw unsupported(`show ${what}`);
  }

  private async showGrants(s: EmuSession, t: Token[], i: number): Promise<StatementResult> {
    if (t[i]?.value !== 'ON') throw unsupported('show grants (only `show grants on <object>`)');
    i++;
    // Snowflake requires the object type: `show grants on table DB.S.T` (without it: a syntax error).
    if (!['TABLE', 'VIEW', 'SCHEMA', 'DATABASE'].includes(t[i]?.value)) throw syntaxAt(t, i);
    const kind = t[i++].value;
    const name = readName(t, i);
    if (!name) throw unsupported('show grants');
    if (kind === 'TABLE' || kind === 'VIEW') await this.assertKind(s, name.parts, kind);
    const full = kind === 'SCHEMA' ? [name.parts.length > 1 ? name.parts[0] : s.database, name.parts[name.parts.length - 1]].join('.') : this.key(s, name.parts);
    const rows: (string | null)[][] = [[null, 'OWNERSHIP', kind, full, 'ROLE', s.role, 'true', s.role]];
    for (const g of this.grants.get(full) ?? []) rows.push([null, g.privilege, kind, full, 'ROLE', g.grantee, 'false', s.role]);
    return {
      rowtype: [col('created_on', 'timestamp_ltz'), textColumn('privilege'), textColumn('granted_on'), textColumn('name'), textColumn('granted_to'), textColumn('grantee_name'), textColumn('grant_option'), textColumn('granted_by')],
      rowset: rows,
      statementTypeId: ST.SHOW,
    };
  }

  private showParameters(s: EmuSession, t: Token[], i: number): StatementResult {
    let like: string | undefined;
    if (t[i]?.value === 'LIKE') like = t[i + 1].value.toUpperCase();
    const all = new Map(s.params);
    all.set('QUERY_TAG', s.queryTag);
    const rows = [...all].filter(([k]) => !like || k === like.replace(/%/g, '')).map(([k, v]) => [k, v, '', v ? 'SESSION' : '', '', 'STRING']);
    return {
      rowtype: ['key', 'value', 'default', 'level', 'description', 'type'].map(textColumn),
      rowset: rows,
      statementTypeId: ST.SHOW,
    };
  }

  private async describe(s: EmuSession, t: Token[]): Promise<StatementResult> {
    let i = 1;
    if (['TABLE', 'VIEW'].includes(t[i]?.value)) i++;
    const name = readName(t, i);
    if (!name) throw unsupported('describe');
    const full = this.full(s, name.parts);
    if (!(await this.relationExists(s, full))) throw notExist(full.join('.'));
    const r = await this.run(s, `DESCRIBE ${this.sqlName(full)}`);
    const rows = r.getRows().map((x) => [String(x[0]), snowflakeTypeName(String(x[1])), 'COLUMN', x[2] === 'NO' ? 'N' : 'Y', null, 'N', 'N', null, null, null]);
    return {
      rowtype: ['name', 'type', 'kind', 'null?', 'default', 'primary key', 'unique key', 'check', 'expression', 'comment'].map(textColumn),
      rowset: rows,
      statementTypeId: ST.DESCRIBE,
    };
  }

  private async create(s: EmuSession, t: Token[], tokens: Token[], values?: unknown[]): Promise<StatementResult> {
    let i = 1;
    let replace = false;
    if (t[i]?.value === 'OR' && t[i + 1]?.value === 'REPLACE') (replace = true), (i += 2);
    let temporary = false;
    const mods: string[] = [];
    while (['TRANSIENT', 'TEMPORARY', 'TEMP', 'LOCAL', 'GLOBAL', 'VOLATILE', 'SECURE', 'RECURSIVE'].includes(t[i]?.value)) {
      if (['TEMPORARY', 'TEMP', 'LOCAL', 'GLOBAL', 'VOLATILE'].includes(t[i].value)) temporary = true;
      mods.push(t[i].value);
      i++;
    }
    const kind = t[i]?.value;
    i++;
    let ifNotExists = false;
    if (t[i]?.value === 'IF') (ifNotExists = true), (i += 3);
    const name = readName(t, i);
    if (!name) throw unsupported('create');
    if (kind === 'DATABASE') {
      const db = name.parts[0];
      if (this.databases.has(db)) {
        if (ifNotExists) return status(`${db} already exists, statement succeeded.`);
        if (!replace) throw new SnowflakeError('002002', '42710', `SQL compilation error:\nObject '${db}' already exists.`);
        await this.run(s, `DETACH ${quoteIdent(db)}`);
        this.databases.delete(db);
      }
      await this.ensureDatabase(s.conn, db);
      return status(`Database ${db} successfully created.`);
    }
    if (kind === 'SCHEMA') {
      const [db, schema] = name.parts.length > 1 ? name.parts : [s.database, name.parts[0]];
      if (!this.databases.has(db)) throw notExist(db);
      if (replace) await this.run(s, `DROP SCHEMA IF EXISTS ${quoteIdent(db)}.${quoteIdent(schema)} CASCADE`);
      await this.run(s, `CREATE SCHEMA ${ifNotExists ? 'IF NOT EXISTS ' : ''}${quoteIdent(db)}.${quoteIdent(schema)}`);
      return status(`Schema ${schema} successfully created.`);
    }
    if (kind === 'STAGE') {
      this.stages.add(this.key(s, name.parts));
      return status(`Stage area ${name.parts[name.parts.length - 1]} successfully created.`);
    }
    if (kind !== 'TABLE' && kind !== 'VIEW') throw unsupported(`create ${kind}`);
    const full = this.full(s, name.parts);
    const key = full.join('.');
    // `copy grants` keeps the grants of the replaced object; without it they are gone (as on Snowflake).
    const copyGrants = t.some((x, j) => x.value === 'COPY' && t[j + 1]?.value === 'GRANTS');
    if (!copyGrants && replace) this.grants.delete(key);
    // Rebuild the head so the name is fully qualified and TEMPORARY/TRANSIENT are dropped.
    const headEnd = tokens.indexOf(t[name.next - 1]) + 1;
    const body = rewriteTokens(tokens.slice(headEnd), this.ctx(s)).replace(/;\s*$/, '');
    if (replace) {
      const existing = await this.relationExists(s, full);
      if (existing && existing !== kind) await this.run(s, `DROP ${existing} ${this.sqlName(full)}`);
    }
    const duck = `CREATE ${replace ? 'OR REPLACE ' : ''}${kind} ${ifNotExists ? 'IF NOT EXISTS ' : ''}${this.sqlName(full)}${body}`;
    await this.run(s, duck, values);
    if (temporary && !s.temps.includes(this.sqlName(full))) s.temps.push(this.sqlName(full));
    if (temporary) this.temporaries.set(full.join('.'), s.id);
    else this.temporaries.delete(full.join('.'));
    const label = full[2];
    return status(kind === 'TABLE' ? `Table ${label} successfully created.` : `View ${label} successfully created.`);
  }

  private async drop(s: EmuSession, t: Token[], duck: string): Promise<StatementResult> {
    const kind = t[1]?.value;
    let i = 2;
    const ifExists = t[i]?.value === 'IF';
    if (ifExists) i += 2;
    const name = readName(t, i);
    if (!name) throw unsupported('drop');
    if (kind === 'DATABASE') {
      const db = name.parts[0];
      if (!this.databases.has(db)) {
        if (ifExists) return status(`Drop statement executed successfully (${db} already dropped).`);
        throw notExist(db);
      }
      await this.run(s, `DETACH ${quoteIdent(db)}`);
      this.databases.delete(db);
      return status(`${db} successfully dropped.`);
    }
    if (kind === 'SCHEMA') {
      const [db, schema] = name.parts.length > 1 ? name.parts : [s.database, name.parts[0]];
      await this.run(s, `DROP SCHEMA ${ifExists ? 'IF EXISTS ' : ''}${quoteIdent(db)}.${quoteIdent(schema)} CASCADE`);
      return status(`${schema} successfully dropped.`);
    }
    if (kind === 'STAGE') {
      this.stages.delete(this.key(s, name.parts));
      return status(`${name.parts[name.parts.length - 1]} successfully dropped.`);
    }
    if (kind === 'TABLE' || kind === 'VIEW') {
      const full = this.full(s, name.parts);
      const existing = await this.relationExists(s, full);
      if (!existing) {
        if (ifExists) return status(`Drop statement executed successfully (${full[2]} already dropped).`);
        throw notExist(full.join('.'));
      }
      if (existing !== kind) throw new SnowflakeError('002203', '02000', `SQL compilation error: Object found is of type '${existing}', not specified type '${kind}'.`);
      await this.run(s, `DROP ${kind} ${this.sqlName(full)} CASCADE`);
      this.grants.delete(full.join('.'));
      return status(`${full[2]} successfully dropped.`);
    }
    await this.run(s, duck);
    return status('Statement executed successfully.');
  }

  private async alter(s: EmuSession, t: Token[], duck: string): Promise<StatementResult> {
    const kind = t[1]?.value;
    if (kind === 'SESSION') {
      if (t[2]?.value === 'SET') {
        for (let i = 3; i < t.length; i += 3) {
          const k = t[i].value;
          const v = t[i + 2]?.kind === 'string' ? t[i + 2].value : (t[i + 2]?.text ?? '');
          if (k === 'QUERY_TAG') s.queryTag = v;
          else s.params.set(k, v);
          if (t[i + 3]?.text === ',') i++;
        }
      } else if (t[2]?.value === 'UNSET') {
        for (let i = 3; i < t.length; i++) {
          if (t[i].value === 'QUERY_TAG') s.queryTag = '';
          else if (t[i].kind === 'word') s.params.delete(t[i].value);
        }
      }
      return status('Statement executed successfully.', ST.SCL);
    }
    if (kind === 'WAREHOUSE' || kind === 'USER' || kind === 'ACCOUNT') return status('Statement executed successfully.', ST.SCL);
    if (kind === 'SCHEMA') {
      const j = t[2]?.value === 'IF' ? 4 : 2;
      const name = readName(t, j);
      if (name && t[name.next]?.value === 'SWAP' && t[name.next + 1]?.value === 'WITH') {
        const other = readName(t, name.next + 2);
        if (!other) throw syntaxAt(t, name.next + 2);
        const [db, a] = name.parts.length > 1 ? name.parts : [s.database, name.parts[0]];
        const [db2, b] = other.parts.length > 1 ? other.parts : [s.database, other.parts[0]];
        if (db !== db2) throw unsupported('alter schema ... swap with a schema of another database');
        await swapSchemas((sql, v) => this.run(s, sql, v), this.grants, db, a, b, s.inTxn);
        return status('Statement executed successfully.');
      }
    }
    if (kind !== 'TABLE' && kind !== 'VIEW') {
      await this.run(s, duck);
      return status('Statement executed successfully.');
    }
    let i = 2;
    if (t[i]?.value === 'IF') i += 2;
    const name = readName(t, i);
    if (!name) throw unsupported('alter');
    const full = this.full(s, name.parts);
    const rel = this.sqlName(full);
    i = name.next;
    const action = t[i]?.value;
    if (!(await this.relationExists(s, full))) throw notExist(full.join('.'));
    if (action === 'RENAME' && t[i + 1]?.value === 'TO') {
      const to = readName(t, i + 2)!;
      const newFull = this.full(s, to.parts);
      await this.run(s, `ALTER ${kind} ${rel} RENAME TO ${quoteIdent(newFull[2])}`);
      const g = this.grants.get(full.join('.'));
      this.grants.delete(full.join('.'));
      if (g) this.grants.set(newFull.join('.'), g);
      return status('Statement executed successfully.');
    }
    if (action === 'SWAP' && t[i + 1]?.value === 'WITH') {
      const other = this.full(s, readName(t, i + 2)!.parts);
      const tmp = `${full[2]}__EMU_SWAP`;
      const own = !s.inTxn;
      if (own) await this.run(s, 'BEGIN TRANSACTION');
      await this.run(s, `ALTER TABLE ${rel} RENAME TO ${quoteIdent(tmp)}`);
      await this.run(s, `ALTER TABLE ${this.sqlName(other)} RENAME TO ${quoteIdent(full[2])}`);
      await this.run(s, `ALTER TABLE ${this.sqlName([full[0], full[1], tmp])} RENAME TO ${quoteIdent(other[2])}`);
      if (own) await this.run(s, 'COMMIT');
      return status('Statement executed successfully.');
    }
    if (action === 'ADD' || action === 'DROP') {
      // Snowflake: `add column a int, b text` / `drop column a, b`; DuckDB wants one per statement.
      let j = i + 1;
      if (t[j]?.value === 'COLUMN') j++;
      const items: Token[][] = [[]];
      let depth = 0;
      for (; j < t.length; j++) {
        if (t[j].text === '(') depth++;
        if (t[j].text === ')') depth--;
        if (t[j].text === ',' && depth === 0) items.push([]);
        else items[items.length - 1].push(t[j]);
      }
      for (const item of items) {
        const def = item
          .map((x, k) => (k === 0 ? quoteIdent(x.kind === 'qident' ? x.value : x.value) : x.kind === 'word' ? rewriteTokens([x], this.ctx(s)) : x.text))
          .join(' ')
          .replace(/ \( /g, '(')
          .replace(/ \)/g, ')')
          .replace(/ , /g, ',');
        await this.run(s, `ALTER TABLE ${rel} ${action} COLUMN ${def}`);
      }
      return status('Statement executed successfully.');
    }
    if (action === 'ALTER' || action === 'MODIFY') {
      if (t.some((x) => x.value === 'COMMENT')) return status('Statement executed successfully.');
      const body = duck.replace(/^[\s\S]*?\b(ALTER|MODIFY)\s+(COLUMN\s+)?/i, '').replace(/^ALTER\s+/i, '');
      await this.run(s, `ALTER TABLE ${rel} ALTER ${body.replace(/^[^"A-Z_]*/i, '')}`);
      return status('Statement executed successfully.');
    }
    // cluster by, set comment, set data_retention_time...: no effect on results.
    return status('Statement executed successfully.');
  }

  private async grant(s: EmuSession, t: Token[]): Promise<StatementResult> {
    const isGrant = t[0].value === 'GRANT';
    const on = t.findIndex((x) => x.value === 'ON');
    const privilege = t.slice(1, on).map((x) => x.value).join(' ');
    let i = on + 1;
    // `grant select on DB.S.T to R` is a syntax error on Snowflake: the object type is required.
    if (!['TABLE', 'VIEW', 'SCHEMA', 'DATABASE'].includes(t[i]?.value)) throw syntaxAt(t, i);
    const kind = t[i++].value;
    const name = readName(t, i);
    if (!name) throw unsupported('grant');
    if (kind === 'TABLE' || kind === 'VIEW') await this.assertKind(s, name.parts, kind);
    i = name.next;
    i++; // TO / FROM
    if (t[i]?.value === 'ROLE') i++;
    const grantee = t[i].kind === 'qident' ? t[i].value : t[i].value;
    const key = this.key(s, name.parts);
    const list = this.grants.get(key) ?? [];
    const rest = list.filter((g) => !(g.privilege === privilege && g.grantee === grantee));
    if (isGrant) rest.push({ privilege, grantee });
    this.grants.set(key, rest);
    return status('Statement executed successfully.', ST.DDL);
  }

  /** `on table X` names a table, `on view X` a view; anything else does not exist for Snowflake. */
  private async assertKind(s: EmuSession, parts: string[], kind: 'TABLE' | 'VIEW'): Promise<void> {
    const full = this.full(s, parts);
    if ((await this.relationExists(s, full)) !== kind) throw notExist(full.join('.'));
  }

  /** Stage name → local directory. `@~` user stage, `@%T` table stage, `@NAME` named stage. */
  private stageDir(s: EmuSession, ref: string): { dir: string; prefix: string } {
    const [stage, ...sub] = ref.split('/');
    let key: string;
    if (stage === '~') key = `user~${s.user}`;
    else if (stage.startsWith('%')) key = `table~${this.key(s, [stage.slice(1).toUpperCase()])}`;
    else {
      const parts = stage.split('.').map((p) => (p.startsWith('"') ? p.slice(1, -1) : p.toUpperCase()));
      key = this.key(s, parts);
      if (!this.stages.has(key)) throw notExist(`@${key}`);
    }
    return { dir: path.join(this.stageRoot, key.replace(/[^A-Za-z0-9_.~-]/g, '_')), prefix: sub.filter(Boolean).join('/') };
  }

  private fileTransfer(s: EmuSession, sql: string): StatementResult {
    const m = /^\s*(put|get)\s+('file:\/\/[^']+'|file:\/\/\S+)\s+@(\S+)(.*)$/is.exec(sql) ?? /^\s*(get)\s+@(\S+)\s+('file:\/\/[^']+'|file:\/\/\S+)(.*)$/is.exec(sql);
    if (!m) throw unsupported(sql);
    const isPut = m[1].toLowerCase() === 'put';
    const local = (isPut ? m[2] : m[3]).replace(/^'|'$/g, '').replace(/^file:\/\//, '');
    const { dir, prefix } = this.stageDir(s, isPut ? m[3] : m[2]);
    const opts = m[4];
    const autoCompress = !/auto_compress\s*=\s*false/i.test(opts);
    const overwrite = /overwrite\s*=\s*true/i.test(opts);
    const location = prefix ? path.join(dir, prefix) : dir;
    const stageInfo = { locationType: 'LOCAL_FS', location, path: '', region: null, creds: {}, isClientSideEncrypted: false };
    if (isPut) {
      return {
        rowtype: [],
        rowset: [],
        statementTypeId: ST.SCL,
        fileTransfer: { command: 'UPLOAD', src_locations: [local], autoCompress, sourceCompression: 'auto_detect', parallel: 1, overwrite, stageInfo, encryptionMaterial: null },
      };
    }
    const files = fs.existsSync(location) ? fs.readdirSync(location) : [];
    return {
      rowtype: [],
      rowset: [],
      statementTypeId: ST.SCL,
      fileTransfer: { command: 'DOWNLOAD', src_locations: files, localLocation: local, parallel: 1, overwrite: true, stageInfo, encryptionMaterial: [] },
    };
  }

  private stageFiles(dir: string, prefix: string): string[] {
    const base = prefix ? path.join(dir, prefix) : dir;
    if (!fs.existsSync(base)) return [];
    const st = fs.statSync(base);
    if (st.isFile()) return [base];
    return fs
      .readdirSync(base, { recursive: true })
      .map((f) => path.join(base, String(f)))
      .filter((f) => fs.statSync(f).isFile())
      .sort();
  }

  private list(s: EmuSession, t: Token[]): StatementResult {
    const { dir, prefix } = this.stageDir(s, t[1].value);
    const files = this.stageFiles(dir, prefix);
    return {
      rowtype: [textColumn('name'), fixedColumn('size'), textColumn('md5'), textColumn('last_modified')],
      rowset: files.map((f) => [path.relative(dir, f), String(fs.statSync(f).size), null, fs.statSync(f).mtime.toUTCString()]),
      statementTypeId: ST.SHOW,
    };
  }

  private remove(s: EmuSession, t: Token[]): StatementResult {
    const { dir, prefix } = this.stageDir(s, t[1].value);
    const files = this.stageFiles(dir, prefix);
    for (const f of files) fs.rmSync(f);
    return { rowtype: [textColumn('name'), textColumn('result')], rowset: files.map((f) => [path.relative(dir, f), 'removed']), statementTypeId: ST.SHOW };
  }

  /**
   * `copy into <table> [(cols)] from @stage[/path] [files=(..)] [pattern='..'] file_format=(type=csv ...)
   * [on_error=..] [purge=true] [force=true]`, loading CSV (gzip or plain) by position, or Parquet by name.
   * Files already loaded into the table are skipped unless FORCE, as Snowflake's load metadata does.
   */
  private async copyInto(s: EmuSession, t: Token[]): Promise<StatementResult> {
    if (t[1]?.value !== 'INTO') throw unsupported('copy');
    const name = readName(t, 2);
    if (!name) throw unsupported('copy into');
    const full = this.full(s, name.parts);
    if ((await this.relationExists(s, full)) !== 'TABLE') throw notExist(full.join('.'));
    let i = name.next;
    let cols: string[] | undefined;
    if (t[i]?.text === '(') {
      cols = [];
      for (i++; t[i] && t[i].text !== ')'; i++) if (t[i].text !== ',') cols.push(t[i].value);
      i++;
    }
    if (t[i]?.value !== 'FROM' || t[i + 1]?.kind !== 'stage') throw unsupported('copy into ... from (only `from @stage` is understood)');
    const { dir, prefix } = this.stageDir(s, t[i + 1].value);
    const opts = new Map<string, string | string[]>();
    const fmt = new Map<string, string | string[]>();
    const readOpts = (j: number, into: Map<string, string | string[]>, stop: (x: Token) => boolean): number => {
      while (j < t.length && !stop(t[j])) {
        const k = t[j].value;
        j += 2; // key =
        if (t[j]?.text === '(') {
          if (k === 'FILE_FORMAT') {
            j = readOpts(j + 1, fmt, (x) => x.text === ')') + 1;
            continue;
          }
          const list: string[] = [];
          for (j++; t[j] && t[j].text !== ')'; j++) if (t[j].text !== ',') list.push(t[j].value);
          into.set(k, list);
          j++;
        } else {
          into.set(k, t[j]?.kind === 'string' ? t[j].value : (t[j]?.value ?? ''));
          j++;
        }
        if (t[j]?.text === ',') j++;
      }
      return j;
    };
    readOpts(i + 2, opts, () => false);
    let files = this.stageFiles(dir, prefix);
    const only = opts.get('FILES');
    if (Array.isArray(only)) files = files.filter((f) => only.includes(path.basename(f)) || only.includes(path.relative(dir, f)));
    const pattern = opts.get('PATTERN');
    if (typeof pattern === 'string') files = files.filter((f) => new RegExp(`^${pattern}$`).test(path.relative(dir, f)));
    const key = full.join('.');
    const loaded = this.loadedFiles.get(key) ?? new Set<string>();
    this.loadedFiles.set(key, loaded);
    const force = String(opts.get('FORCE') ?? '').toUpperCase() === 'TRUE';
    files = files.filter((f) => force || !loaded.has(f));
    const rowtype = [textColumn('file'), textColumn('status'), fixedColumn('rows_parsed'), fixedColumn('rows_loaded'), fixedColumn('error_limit'), fixedColumn('errors_seen'), textColumn('first_error'), fixedColumn('first_error_line'), fixedColumn('first_error_character'), textColumn('first_error_column_name')];
    if (files.length === 0) return { rowtype: [textColumn('status')], rowset: [['Copy executed with 0 files processed.']], statementTypeId: ST.COPY };
    const type = String(fmt.get('TYPE') ?? 'CSV').toUpperCase();
    const rowset: (string | null)[][] = [];
    const target = this.sqlName(full) + (cols ? ` (${cols.map(quoteIdent).join(', ')})` : '');
    const own = !s.inTxn;
    if (own) await this.run(s, 'BEGIN TRANSACTION');
    try {
      for (const f of files) {
        let select: string;
        if (type === 'PARQUET') select = `SELECT * FROM read_parquet(${quoteString(f)})`;
        else {
          const skip = Number(fmt.get('SKIP_HEADER') ?? 0);
          const delim = String(fmt.get('FIELD_DELIMITER') ?? ',');
          const quote = String(fmt.get('FIELD_OPTIONALLY_ENCLOSED_BY') ?? '');
          const nullIf = fmt.get('NULL_IF');
          const nulls = Array.isArray(nullIf) ? nullIf : ['\\N'];
          const args = [`header = false`, `skip = ${skip}`, `delim = ${quoteString(delim)}`, `all_varchar = true`, `auto_detect = false`, `nullstr = [${nulls.map(quoteString).join(', ')}]`];
          const width = cols?.length ?? (await this.count(s, `SELECT COUNT(*) FROM duckdb_columns() WHERE database_name = ? AND schema_name = ? AND table_name = ?`, full));
          args.push(`columns = {${Array.from({ length: width }, (_, k) => `'c${k}': 'VARCHAR'`).join(', ')}}`);
          if (quote && quote !== 'NONE') args.push(`quote = ${quoteString(quote)}`);
          if (f.endsWith('.gz')) args.push(`compression = 'gzip'`);
          select = `SELECT * FROM read_csv(${quoteString(f)}, ${args.join(', ')})`;
        }
        const n = await this.count(s, `INSERT INTO ${target} ${type === 'PARQUET' && !cols ? 'BY NAME ' : ''}${select}`);
        rowset.push([path.relative(dir, f), 'LOADED', String(n), String(n), '1', '0', null, null, null, null]);
      }
      if (own) await this.run(s, 'COMMIT');
    } catch (e) {
      if (own) await s.conn.run('ROLLBACK').catch(() => undefined);
      throw e;
    }
    for (const f of files) loaded.add(f);
    if (String(opts.get('PURGE') ?? '').toUpperCase() === 'TRUE') for (const f of files) fs.rmSync(f);
    return { rowtype, rowset, statementTypeId: ST.COPY };
  }

  async interrupt(s: EmuSession): Promise<void> {
    s.conn.interrupt();
  }
}

function w1(t: Token[]): string {
  return t[1]?.value ?? '';
}

function col(name: string, type: string): RowType {
  return { name, database: '', schema: '', table: '', type, precision: null, scale: 9, nullable: true, byteLength: null, length: null, collation: null };
}

export { cancelled };
