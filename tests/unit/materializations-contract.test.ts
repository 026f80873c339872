import { describe, expect, test } from 'vitest';
import { DuckDBDialect } from '../../src/adapters/duckdb/dialect.js';
import { SnowflakeDialect } from '../../src/adapters/snowflake/dialect.js';
import type { Dialect } from '../../src/contracts/adapter.js';
import type { ManifestNode } from '../../src/contracts/manifest.js';
import { checkConstraintSupport, contractTableStatements } from '../../src/materializations/contract.js';
import { planTable } from '../../src/materializations/plans.js';
import { defaultConfig, mergeConfig } from '../../src/parse/configs.js';

/** Golden SQL of contracted tables per dialect, and what each warehouse accepts. No database. */
const node = (constraints: Record<string, unknown>[] = []) =>
  ({
    unique_id: 'model.p.m',
    name: 'm',
    original_file_path: 'models/m.sql',
    patch_path: 'models/m.yml',
    config: mergeConfig(defaultConfig('model'), { materialized: 'table', contract: { enforced: true } }),
    columns: {
      id: { name: 'id', description: '', meta: {}, tags: [], data_type: 'integer', constraints: [{ type: 'not_null' }, { type: 'primary_key' }] },
      amount: { name: 'amount', description: '', meta: {}, tags: [], data_type: 'numeric(10,2)', constraints: constraints as never },
    },
  }) as unknown as ManifestNode;
const flat = (xs: { sql: string }[]) => xs.map((s) => s.sql.replace(/\s+/g, ' ').trim());
const plan = (d: Dialect, n: ManifestNode) =>
  planTable({
    node: n,
    sql: 'select 1 as id, 2.5 as amount',
    target: { database: null, schema: 'fact', identifier: 'm', type: null },
    dialect: d,
    fullRefresh: false,
    existing: null,
    preHooks: [],
    postHooks: [],
    contract: { tableStatements: (t, o) => contractTableStatements(d, t, n, 'select 1 as id, 2.5 as amount', () => 'x', o) },
  });

describe('contracted tables', () => {
  test('DuckDB: created with columns and constraints, then filled, in one transaction', () => {
    expect(flat(plan(new DuckDBDialect(), node([{ type: 'check', expression: 'amount >= 0' }])).statements)).toEqual([
      'begin transaction',
      'create or replace table "fact"."m" ( id integer not null primary key, amount numeric(10,2) check (amount >= 0) )',
      'insert into "fact"."m" (id, amount) select id, amount from ( select 1 as id, 2.5 as amount ) as model_subq',
      'commit',
    ]);
  });

  test('Snowflake: built under a temporary name and swapped (no transactional DDL), so no empty table is ever visible', () => {
    const sql = flat(plan(new SnowflakeDialect(), node()).statements);
    expect(sql[1]).toMatch(/^create transient table FACT\.M__MFLOW_TMP \( id integer not null primary key, amount numeric\(10,2\) \)$/i);
    expect(sql[2]).toMatch(/^insert into FACT\.M__MFLOW_TMP/i);
    expect(sql.some((s) => /rename to/i.test(s))).toBe(true);
  });

  test('a constraint the warehouse cannot apply is an error naming the properties file; one it does not enforce is a note', () => {
    expect(checkConstraintSupport(node(), new DuckDBDialect())).toEqual([]);
    expect(checkConstraintSupport(node(), new SnowflakeDialect())).toEqual(['The primary_key constraint on column \'id\' of m is accepted but not enforced by snowflake']);
    expect(() => checkConstraintSupport(node([{ type: 'check', expression: 'amount >= 0' }]), new SnowflakeDialect())).toThrow(/check constraint on column 'amount' of m is not supported on snowflake/);
  });
});
