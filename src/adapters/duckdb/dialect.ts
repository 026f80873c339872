import type { Capabilities, Column, Dialect, Relation } from '../../contracts/adapter.js';

const q = (s: string) => `"${s.replace(/"/g, '""')}"`;

/** DuckDB SQL. Transactional DDL lets a table swap in atomically, so no backup dance is needed. */
export class DuckDBDialect implements Dialect {
  readonly type = 'duckdb';
  readonly capabilities: Capabilities = {
    supportsTransactionalDdl: true,
    supportsMerge: true,
    supportsTransientTables: false,
    atomicCreateOrReplace: true,
    supportsCopyGrants: false,
    identifierCase: 'lower',
    supportsMaterializedCte: true,
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

  createSchema(database: string | null, schema: string): string {
    return `create schema if not exists ${database ? `${q(database)}.` : ''}${q(schema)}`;
  }

  createTableAs(target: string, sql: string, opts: { temporary?: boolean; replace?: boolean } = {}): string {
    return `create ${opts.replace ? 'or replace ' : ''}${opts.temporary ? 'temporary ' : ''}table ${target} as (\n${sql}\n)`;
  }

  createView(target: string, sql: string, opts: { replace?: boolean } = {}): string {
    return `create ${opts.replace === false ? '' : 'or replace '}view ${target} as (\n${sql}\n)`;
  }

  drop(target: string, kind: 'table' | 'view'): string {
    return `drop ${kind} if exists ${target} cascade`;
  }

  rename(from: Relation, toIdentifier: string): string {
    return `alter ${from.type === 'view' ? 'view' : 'table'} ${this.relation(from)} rename to ${q(toIdentifier)}`;
  }

  beginTransaction(): string {
    return 'begin transaction';
  }
  commit(): string {
    return 'commit';
  }
  rollback(): string {
    return 'rollback';
  }

  merge(a: { target: string; source: string; uniqueKey: string[]; columns: string[]; updateColumns?: string[]; predicates?: string[] }): string[] {
    const on = [...a.uniqueKey.map((k) => `DBT_INTERNAL_DEST.${q(k)} = DBT_INTERNAL_SOURCE.${q(k)}`), ...(a.predicates ?? [])].join(' and ');
    const upd = (a.updateColumns ?? a.columns).map((c) => `${q(c)} = DBT_INTERNAL_SOURCE.${q(c)}`).join(', ');
    const cols = a.columns.map(q).join(', ');
    const vals = a.columns.map((c) => `DBT_INTERNAL_SOURCE.${q(c)}`).join(', ');
    return [
      `merge into ${a.target} as DBT_INTERNAL_DEST\nusing ${a.source} as DBT_INTERNAL_SOURCE\non ${on}\n` +
        (upd ? `when matched then update set ${upd}\n` : '') +
        `when not matched then insert (${cols}) values (${vals})`,
    ];
  }

  deleteInsert(a: { target: string; source: string; uniqueKey: string[]; columns: string[]; predicates?: string[] }): string[] {
    const match = a.uniqueKey.map((k) => `DBT_INTERNAL_SOURCE.${q(k)} = ${a.target}.${q(k)}`).join(' and ');
    const preds = (a.predicates ?? []).map((p) => `\n  and ${p}`).join('');
    return [
      `delete from ${a.target}\nwhere exists (select 1 from ${a.source} as DBT_INTERNAL_SOURCE where ${match})${preds}`,
      this.insertInto(a.target, a.source, a.columns),
    ];
  }

  insertInto(target: string, source: string, columns: string[]): string {
    const cols = columns.map(q).join(', ');
    return `insert into ${target} (${cols})\nselect ${cols} from ${source}`;
  }

  addColumns(target: string, columns: Column[]): string[] {
    // DuckDB takes one column per ALTER; the caller runs them in one transaction.
    return columns.map((c) => `alter table ${target} add column ${q(c.name)} ${c.dataType}`);
  }

  dropColumns(target: string, columns: string[]): string[] {
    return columns.map((c) => `alter table ${target} drop column ${q(c)}`);
  }

  grant(target: string, privilege: string, grantees: string[]): string {
    return `grant ${privilege} on ${target} to ${grantees.join(', ')}`;
  }
  revoke(target: string, privilege: string, grantees: string[]): string {
    return `revoke ${privilege} on ${target} from ${grantees.join(', ')}`;
  }

  /** DuckDB has transactional DDL: every live table is replaced by a copy of its staged one in one transaction. */
  publishSchemas(database: string | null, pairs: { staging: string; live: string; tables: string[] }[]): string[] {
    const rel = (schema: string, t: string) => this.relation({ database, schema, identifier: t });
    return [
      'begin transaction',
      ...pairs.map((p) => this.createSchema(database, p.live)),
      ...pairs.flatMap((p) => p.tables.map((t) => `create or replace table ${rel(p.live, t)} as select * from ${rel(p.staging, t)}`)),
      'commit',
    ];
  }
}
