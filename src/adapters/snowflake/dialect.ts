import type { Capabilities, Column, Dialect, Relation, Statement } from '../../contracts/adapter.js';
import { ddl, dml, query, statement } from '../../contracts/statements.js';
import { grantsFromShow } from './grants.js';

/** Which parts of a name are quoted (dbt's `quoting` config). Unquoted parts fold to upper case. */
export interface QuotingConfig {
  database?: boolean;
  schema?: boolean;
  identifier?: boolean;
  /** Column names in merge/insert/alter lists. */
  column?: boolean;
}

const SIMPLE = /^[A-Za-z_][A-Za-z0-9_$]*$/;
const q = (s: string) => `"${s.replace(/"/g, '""')}"`;

/**
 * Snowflake SQL, pure string building (no I/O) so materializations can plan and golden tests can
 * pin the exact text. `create or replace` is atomic on Snowflake, so tables are rebuilt in place
 * (no intermediate + swap), and `copy grants` keeps the grants of the object being replaced.
 */
export class SnowflakeDialect implements Dialect {
  readonly type = 'snowflake';
  readonly relationClass = 'SnowflakeRelation';
  readonly capabilities: Capabilities = {
    supportsTransactionalDdl: false,
    supportsMerge: true,
    supportsTransientTables: true,
    atomicCreateOrReplace: true,
    supportsCopyGrants: true,
    identifierCase: 'upper',
    supportsMaterializedCte: false,
    localEngine: false,
    // As dbt-snowflake declares them: only NOT NULL is checked; keys are metadata; no CHECK.
    constraints: { not_null: 'enforced', primary_key: 'not_enforced', unique: 'not_enforced', check: 'not_supported', foreign_key: 'not_enforced' },
  };

  constructor(readonly quoting: QuotingConfig = {}) {}

  /** The name Snowflake stores: upper case unless quoted. Use it to look names up in listings. */
  normalize(name: string, part: keyof QuotingConfig = 'identifier'): string {
    return this.quoting[part] ? name : name.toUpperCase();
  }

  quote(identifier: string): string {
    return q(identifier);
  }

  /** One name part under the quoting policy: unquoted simple names are emitted upper-case, as Snowflake stores them. */
  part(name: string, kind: keyof QuotingConfig): string {
    if (this.quoting[kind] || !SIMPLE.test(name)) return q(name);
    return name.toUpperCase();
  }

  /** Unquoted unless `quoting:` says so (dbt-snowflake's default); names that need quotes get them. */
  quotePart(name: string, kind: keyof QuotingConfig, quoted?: boolean): string {
    if (quoted ?? this.quoting[kind]) return q(name);
    return SIMPLE.test(name) ? name.toUpperCase() : q(name);
  }

  private col(name: string): string {
    return q(this.normalize(name, 'column'));
  }

  relation(rel: Pick<Relation, 'database' | 'schema' | 'identifier'>): string {
    const parts: string[] = [];
    if (rel.database) parts.push(this.part(rel.database, 'database'));
    if (rel.schema) parts.push(this.part(rel.schema, 'schema'));
    parts.push(this.part(rel.identifier, 'identifier'));
    return parts.join('.');
  }

  literal(value: unknown): string {
    if (value === null || value === undefined) return 'null';
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) return `'${value > 0 ? 'inf' : value < 0 ? '-inf' : 'nan'}'::float`;
      return String(value);
    }
    if (typeof value === 'bigint') return String(value);
    if (typeof value === 'boolean') return value ? 'true' : 'false';
    if (value instanceof Date) return `'${value.toISOString().replace('T', ' ').replace('Z', '')}'::timestamp_ntz`;
    if (typeof value === 'object') return `parse_json(${this.literal(JSON.stringify(value))})`;
    // Snowflake reads backslash escapes inside single quotes, so both ' and \ are escaped.
    return `'${String(value).replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
  }

  typeName(kind: Parameters<Dialect['typeName']>[0]): string {
    return { string: 'varchar', integer: 'number(38,0)', bigint: 'number(38,0)', float: 'float', numeric: 'number(38,6)', boolean: 'boolean', date: 'date', timestamp: 'timestamp_ntz', timestamptz: 'timestamp_tz' }[kind];
  }

  createSchema(database: string | null, schema: string): Statement[] {
    return [ddl(`create schema if not exists ${database ? `${this.part(database, 'database')}.` : ''}${this.part(schema, 'schema')}`)];
  }

  /** Transient unless `transient: false` (dbt-snowflake's default): no fail-safe storage cost for rebuildable tables. */
  createTableAs(target: string, sql: string, opts: { temporary?: boolean; transient?: boolean; replace?: boolean; copyGrants?: boolean } = {}): Statement[] {
    const kind = opts.temporary ? 'temporary ' : opts.transient === false ? '' : 'transient ';
    const grants = opts.copyGrants && !opts.temporary ? ' copy grants' : '';
    return [ddl(`create ${opts.replace === false ? '' : 'or replace '}${kind}table ${target}${grants} as (\n${sql}\n)`, `create ${kind}table ${target}`)];
  }

  /** Views keep their grants across rebuilds unless `copyGrants: false`. */
  createView(target: string, sql: string, opts: { replace?: boolean; copyGrants?: boolean; temporary?: boolean; secure?: boolean } = {}): Statement[] {
    const grants = opts.copyGrants === false || opts.temporary ? '' : ' copy grants';
    const mods = `${opts.secure ? 'secure ' : ''}${opts.temporary ? 'temporary ' : ''}`;
    return [ddl(`create ${opts.replace === false ? '' : 'or replace '}${mods}view ${target}${grants} as (\n${sql}\n)`, `create ${mods}view ${target}`)];
  }

  /** Temporary tables are named in full: a session may have no current schema (or another one). */
  temporaryRelation(rel: Pick<Relation, 'database' | 'schema' | 'identifier'>): string {
    return this.relation(rel);
  }

  drop(target: string, kind: 'table' | 'view'): Statement[] {
    return [ddl(`drop ${kind} if exists ${target} cascade`)];
  }

  /** The new name is qualified: an unqualified one would move the object to the session's schema. */
  rename(from: Relation, toIdentifier: string): Statement[] {
    const to = this.relation({ database: from.database, schema: from.schema, identifier: toIdentifier });
    return [ddl(`alter ${from.type === 'view' ? 'view' : 'table'} ${this.relation(from)} rename to ${to}`)];
  }

  beginTransaction(): Statement[] {
    return [statement('begin', 'begin', 'begin')];
  }
  commit(): Statement[] {
    return [statement('commit', 'commit', 'commit')];
  }
  rollback(): Statement[] {
    return [statement('rollback', 'rollback', 'rollback')];
  }

  merge(a: { target: string; source: string; uniqueKey: string[]; columns: string[]; updateColumns?: string[]; predicates?: string[] }): Statement[] {
    if (a.uniqueKey.length === 0) return this.insertInto(a.target, a.source, a.columns);
    const on = [...a.uniqueKey.map((k) => `DBT_INTERNAL_SOURCE.${this.col(k)} = DBT_INTERNAL_DEST.${this.col(k)}`), ...(a.predicates ?? []).map((p) => `(${p})`)].join('\n  and ');
    const keys = new Set(a.uniqueKey.map((k) => this.normalize(k, 'column')));
    const updates = (a.updateColumns ?? a.columns).filter((c) => !keys.has(this.normalize(c, 'column')));
    const cols = a.columns.map((c) => this.col(c)).join(', ');
    const vals = a.columns.map((c) => `DBT_INTERNAL_SOURCE.${this.col(c)}`).join(', ');
    const update = updates.length ? `when matched then update set\n  ${updates.map((c) => `${this.col(c)} = DBT_INTERNAL_SOURCE.${this.col(c)}`).join(',\n  ')}\n` : '';
    return [dml(`merge into ${a.target} as DBT_INTERNAL_DEST\nusing ${a.source} as DBT_INTERNAL_SOURCE\non ${on}\n${update}when not matched then insert (${cols})\nvalues (${vals})`, `merge into ${a.target}`)];
  }

  /** Two statements; the caller wraps them in `begin`/`commit` (Snowflake DML is transactional). */
  deleteInsert(a: { target: string; source: string; uniqueKey: string[]; columns: string[]; predicates?: string[] }): Statement[] {
    const keys = a.uniqueKey.map((k) => this.col(k)).join(', ');
    const preds = (a.predicates ?? []).map((p) => `\n  and (${p})`).join('');
    const del = a.uniqueKey.length
      ? `delete from ${a.target} as DBT_INTERNAL_DEST\nwhere (${keys}) in (\n  select distinct ${keys} from ${a.source} as DBT_INTERNAL_SOURCE\n)${preds}`
      : `delete from ${a.target} as DBT_INTERNAL_DEST\nwhere ${(a.predicates ?? ['false']).map((p) => `(${p})`).join('\n  and ')}`;
    return [dml(del, `delete from ${a.target}`), ...this.insertInto(a.target, a.source, a.columns)];
  }

  insertInto(target: string, source: string, columns: string[]): Statement[] {
    const cols = columns.map((c) => this.col(c)).join(', ');
    return [dml(`insert into ${target} (${cols})\n(select ${cols} from ${source})`, `insert into ${target}`)];
  }

  addColumns(target: string, columns: Column[]): Statement[] {
    return [ddl(`alter table ${target} add column ${columns.map((c) => `${this.col(c.name)} ${c.dataType}`).join(', ')}`)];
  }

  dropColumns(target: string, columns: string[]): Statement[] {
    return [ddl(`alter table ${target} drop column ${columns.map((c) => this.col(c)).join(', ')}`)];
  }

  alterColumnType(target: string, column: string, dataType: string): Statement[] {
    return [ddl(`alter table ${target} alter ${this.col(column)} set data type ${dataType}`)];
  }

  /**
   * One grantee per statement (Snowflake's GRANT takes a single grantee), and the object type is
   * required: `grant select on table DB.S.T to role R`, as dbt-snowflake sends it.
   */
  grant(target: string, privilege: string, grantees: string[], kind: 'table' | 'view' = 'table'): Statement[] {
    return grantees.map((g) => ddl(`grant ${privilege} on ${kind} ${target} to role ${this.part(g, 'identifier')}`));
  }

  revoke(target: string, privilege: string, grantees: string[], kind: 'table' | 'view' = 'table'): Statement[] {
    return grantees.map((g) => ddl(`revoke ${privilege} on ${kind} ${target} from role ${this.part(g, 'identifier')}`));
  }

  showGrants(target: string, kind: 'table' | 'view' = 'table'): Statement[] {
    return [query(`show grants on ${kind} ${target}`)];
  }

  grantsFromRows(rows: Record<string, unknown>[]): Record<string, string[]> {
    return grantsFromShow(rows);
  }

  /** One listing per schema: name and kind of every table and view, in one round trip. */
  listRelations(database: string | null, schema: string, page?: { limit: number; after?: string }): Statement[] {
    const base = `show terse objects in schema ${database ? `${this.part(database, 'database')}.` : ''}${this.part(schema, 'schema')}`;
    if (!page) return [query(base)];
    return [query(`${base} limit ${page.limit}${page.after !== undefined ? ` from ${this.literal(page.after)}` : ''}`)];
  }

  listSchemas(database: string | null): Statement[] {
    return [query(database ? `show terse schemas in database ${this.part(database, 'database')}` : 'show terse schemas')];
  }

  describe(target: string): Statement[] {
    return [query(`describe table ${target}`)];
  }

  /** Session settings change no object and open no transaction: kind `query`, like a `show`. */
  setQueryTag(tag: string): Statement[] {
    return [query(`alter session set query_tag = ${this.literal(tag)}`, 'set the query tag')];
  }

  unsetQueryTag(): Statement[] {
    return [query('alter session unset query_tag', 'unset the query tag')];
  }

  createStage(name: string): Statement[] {
    return [ddl(`create stage if not exists ${name}`)];
  }

  /** Upload a local file to a stage; the driver does the transfer (and gzip) itself. */
  put(localPath: string, stage: string, opts: { overwrite?: boolean } = {}): Statement[] {
    return [dml(`put 'file://${localPath.replace(/\\/g, '/').replace(/'/g, "\\'")}' @${stage} auto_compress=true overwrite=${opts.overwrite === false ? 'false' : 'true'}`, `upload ${localPath}`)];
  }

  /** Load staged CSV by position; ABORT_STATEMENT so a bad file loads nothing. */
  copyInto(target: string, stage: string, opts: { columns?: string[]; skipHeader?: number; delimiter?: string; files?: string[]; purge?: boolean; force?: boolean } = {}): Statement[] {
    const cols = opts.columns ? ` (${opts.columns.map((c) => this.col(c)).join(', ')})` : '';
    const files = opts.files ? `\nfiles = (${opts.files.map((f) => this.literal(f)).join(', ')})` : '';
    const fmt = `file_format = (type = csv skip_header = ${opts.skipHeader ?? 1} field_delimiter = ${this.literal(opts.delimiter ?? ',')} field_optionally_enclosed_by = '"' null_if = (''))`;
    return [dml(`copy into ${target}${cols}\nfrom @${stage}${files}\n${fmt}\non_error = abort_statement${opts.purge ? '\npurge = true' : ''}${opts.force ? '\nforce = true' : ''}`, `copy into ${target}`)];
  }

  /**
   * Seeds: `insert into t (cols) values (?,..),(?,..)` in batches of at most `maxBinds` bound
   * values, below the driver's stage-binding threshold (which would route binds through a PUT).
   */
  insertValues(target: string, columns: string[], rows: unknown[][], maxBinds = 16_000): Statement[] {
    if (columns.length === 0) return [];
    const perBatch = Math.max(1, Math.floor(maxBinds / columns.length));
    const head = `insert into ${target} (${columns.map((c) => this.col(c)).join(', ')}) values `;
    const tuple = `(${columns.map(() => '?').join(', ')})`;
    const out: Statement[] = [];
    for (let i = 0; i < rows.length; i += perBatch) {
      const batch = rows.slice(i, i + perBatch);
      out.push(dml(head + batch.map(() => tuple).join(', '), `insert ${batch.length} rows into ${target}`, batch.flat()));
    }
    return out;
  }

  /**
   * `alter schema ... swap with` exchanges the two schemas in one metadata operation: readers see
   * every table of the old schema or every table of the new one. The live schemas are created
   * first so the first publish has something to swap with. Each swap is DDL and commits on its
   * own: with several schemas the swaps come last, back to back in `publish.schemas` order, so the
   * moment where one schema is new and the next still old is as short as the round trips.
   */
  publishSchemas(database: string | null, pairs: { staging: string; live: string; tables: string[] }[]): Statement[] {
    const sch = (s: string) => `${database ? `${this.part(database, 'database')}.` : ''}${this.part(s, 'schema')}`;
    return [...pairs.flatMap((p) => this.createSchema(database, p.live)), ...pairs.map((p) => ddl(`alter schema ${sch(p.staging)} swap with ${sch(p.live)}`))];
  }
}
