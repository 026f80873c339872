import type { Capabilities, Column, Dialect, Relation, Statement } from '../../contracts/adapter.js';
import { ddl, dml, statement } from '../../contracts/statements.js';

const q = (s: string) => `"${s.replace(/"/g, '""')}"`;

/** DuckDB SQL. Transactional DDL lets a table swap in atomically, so no backup dance is needed. */
export class DuckDBDialect implements Dialect {
  readonly type = 'duckdb';
  readonly relationClass = 'DuckDBRelation';
  readonly capabilities: Capabilities = {
    supportsTransactionalDdl: true,
    supportsMerge: true,
    supportsTransientTables: false,
    atomicCreateOrReplace: true,
    supportsCopyGrants: false,
    identifierCase: 'lower',
    supportsMaterializedCte: true,
    localEngine: true,
    constraints: { not_null: 'enforced', primary_key: 'enforced', unique: 'enforced', check: 'enforced', foreign_key: 'enforced' },
  };

  /** `quoting:` from the project and the target (target wins): a part set to false is written bare, as dbt-duckdb writes it. */
  constructor(readonly quoting: { database?: boolean; schema?: boolean; identifier?: boolean } = {}) {}

  quote(identifier: string): string {
    return q(identifier);
  }

  /** Quoted unless told otherwise (dbt-duckdb's default); an unquoted part keeps its spelling, and a name that needs quotes keeps them. */
  quotePart(name: string, part: 'database' | 'schema' | 'identifier' | 'column', quoted?: boolean): string {
    const policy = quoted ?? (part === 'column' ? undefined : this.quoting[part]);
    return policy === false && /^[A-Za-z_][A-Za-z0-9_$]*$/.test(name) ? name : q(name);
  }

  relation(rel: Pick<Relation, 'database' | 'schema' | 'identifier'>): string {
    const parts: [string | null | undefined, 'database' | 'schema' | 'identifier'][] = [[rel.database, 'database'], [rel.schema, 'schema'], [rel.identifier, 'identifier']];
    return parts.filter((p): p is [string, 'database' | 'schema' | 'identifier'] => !!p[0]).map(([n, k]) => this.quotePart(n, k)).join('.');
  }

  literal(value: unknown): string {
    if (value === null || value === undefined) return 'null';
    if (typeof value === 'number' || typeof value === 'bigint') return String(value);
    if (typeof value === 'boolean') return value ? 'true' : 'false';
    if (value instanceof Date) return `'${value.toISOString()}'`;
    return `'${String(value).replace(/'/g, "''")}'`;
  }

  typeName(kind: Parameters<Dialect['typeName']>[0]): string {
    return { string: 'varchar', integer: 'integer', bigint: 'bigint', float: 'double', numeric: 'decimal(38,6)', boolean: 'boolean', date: 'date', timestamp: 'timestamp', timestamptz: 'timestamptz' }[kind];
  }

  createSchema(database: string | null, schema: string): Statement[] {
    return [ddl(`create schema if not exists ${database ? `${q(database)}.` : ''}${q(schema)}`)];
  }

  createTableAs(target: string, sql: string, opts: { temporary?: boolean; replace?: boolean } = {}): Statement[] {
    return [ddl(`create ${opts.replace ? 'or replace ' : ''}${opts.temporary ? 'temporary ' : ''}table ${target} as (\n${sql}\n)`, `create table ${target}`)];
  }

  createView(target: string, sql: string, opts: { replace?: boolean } = {}): Statement[] {
    return [ddl(`create ${opts.replace === false ? '' : 'or replace '}view ${target} as (\n${sql}\n)`, `create view ${target}`)];
  }

  drop(target: string, kind: 'table' | 'view'): Statement[] {
    return [ddl(`drop ${kind} if exists ${target} cascade`)];
  }

  rename(from: Relation, toIdentifier: string): Statement[] {
    return [ddl(`alter ${from.type === 'view' ? 'view' : 'table'} ${this.relation(from)} rename to ${q(toIdentifier)}`)];
  }

  beginTransaction(): Statement[] {
    return [statement('begin', 'begin transaction', 'begin')];
  }
  commit(): Statement[] {
    return [statement('commit', 'commit', 'commit')];
  }
  rollback(): Statement[] {
    return [statement('rollback', 'rollback', 'rollback')];
  }

  merge(a: { target: string; source: string; uniqueKey: string[]; columns: string[]; updateColumns?: string[]; predicates?: string[] }): Statement[] {
    const on = [...a.uniqueKey.map((k) => `DBT_INTERNAL_DEST.${q(k)} = DBT_INTERNAL_SOURCE.${q(k)}`), ...(a.predicates ?? [])].join(' and ');
    const upd = (a.updateColumns ?? a.columns).map((c) => `${q(c)} = DBT_INTERNAL_SOURCE.${q(c)}`).join(', ');
    const cols = a.columns.map(q).join(', ');
    const vals = a.columns.map((c) => `DBT_INTERNAL_SOURCE.${q(c)}`).join(', ');
    return [
      dml(
        `merge into ${a.target} as DBT_INTERNAL_DEST\nusing ${a.source} as DBT_INTERNAL_SOURCE\non ${on}\n` +
          (upd ? `when matched then update set ${upd}\n` : '') +
          `when not matched then insert (${cols}) values (${vals})`,
        `merge into ${a.target}`,
      ),
    ];
  }

  deleteInsert(a: { target: string; source: string; uniqueKey: string[]; columns: string[]; predicates?: string[] }): Statement[] {
    const match = a.uniqueKey.map((k) => `DBT_INTERNAL_SOURCE.${q(k)} = ${a.target}.${q(k)}`).join(' and ');
    const preds = (a.predicates ?? []).map((p) => `\n  and ${p}`).join('');
    return [
      dml(`delete from ${a.target}\nwhere exists (select 1 from ${a.source} as DBT_INTERNAL_SOURCE where ${match})${preds}`, `delete from ${a.target}`),
      ...this.insertInto(a.target, a.source, a.columns),
    ];
  }

  insertInto(target: string, source: string, columns: string[]): Statement[] {
    const cols = columns.map(q).join(', ');
    return [dml(`insert into ${target} (${cols})\nselect ${cols} from ${source}`, `insert into ${target}`)];
  }

  addColumns(target: string, columns: Column[]): Statement[] {
    // DuckDB takes one column per ALTER; the caller runs them in one transaction.
    return columns.map((c) => ddl(`alter table ${target} add column ${q(c.name)} ${c.dataType}`));
  }

  dropColumns(target: string, columns: string[]): Statement[] {
    return columns.map((c) => ddl(`alter table ${target} drop column ${q(c)}`));
  }

  grant(target: string, privilege: string, grantees: string[]): Statement[] {
    return [ddl(`grant ${privilege} on ${target} to ${grantees.join(', ')}`)];
  }
  revoke(target: string, privilege: string, grantees: string[]): Statement[] {
    return [ddl(`revoke ${privilege} on ${target} from ${grantees.join(', ')}`)];
  }

  /** DuckDB has transactional DDL: every live table is replaced by a copy of its staged one in one transaction. */
  publishSchemas(database: string | null, pairs: { staging: string; live: string; tables: string[] }[]): Statement[] {
    const rel = (schema: string, t: string) => this.relation({ database, schema, identifier: t });
    return [
      ...this.beginTransaction(),
      ...pairs.flatMap((p) => this.createSchema(database, p.live)),
      ...pairs.flatMap((p) => p.tables.map((t) => ddl(`create or replace table ${rel(p.live, t)} as select * from ${rel(p.staging, t)}`))),
      ...this.commit(),
    ];
  }
}
