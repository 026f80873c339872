import { describe, expect, test } from 'vitest';
import { DuckDBDialect } from '../../src/adapters/duckdb/dialect.js';
import { SnowflakeDialect } from '../../src/adapters/snowflake/dialect.js';
import type { Dialect, Relation } from '../../src/contracts/adapter.js';
import type { ManifestNode } from '../../src/contracts/manifest.js';
import { planIncremental, planTable, planView } from '../../src/materializations/plans.js';
import type { PlanInput } from '../../src/materializations/types.js';
import { defaultConfig, mergeConfig } from '../../src/parse/configs.js';

/** Golden SQL: what each materialization plans, per dialect, side by side. No database. */
function input(d: Dialect, config: Record<string, unknown>, existing: Relation['type'] | null, extra: Partial<PlanInput> = {}): PlanInput {
  const node = { unique_id: 'model.p.m', name: 'm', original_file_path: 'models/m.sql', config: mergeConfig(defaultConfig('model'), config) } as ManifestNode;
  const target = { database: null, schema: 'fact', identifier: 'm', type: null };
  return { node, sql: 'select 1 as id', target, dialect: d, fullRefresh: false, existing: existing ? { ...target, type: existing } : null, preHooks: [], postHooks: [], ...extra };
}
const sqlOf = (p: { statements: { sql: string }[] }) => p.statements.map((s) => s.sql.replace(/\s+/g, ' ').trim());
const duck = new DuckDBDialect();
const snow = new SnowflakeDialect();

describe('materialization plans (golden SQL)', () => {
  test('view', () => {
    expect(sqlOf(planView(input(duck, { materialized: 'view' }, null)))).toEqual(['create or replace view "fact"."m" as ( select 1 as id )']);
    // A table where the view goes is dropped first, in one transaction on DuckDB.
    expect(sqlOf(planView(input(duck, { materialized: 'view' }, 'table')))).toEqual([
      'begin transaction',
      'drop table if exists "fact"."m" cascade',
      'create or replace view "fact"."m" as ( select 1 as id )',
      'commit',
    ]);
    expect(sqlOf(planView(input(snow, { materialized: 'view' }, null)))[0]).toMatch(/^create or replace view FACT\.M( copy grants)? as \( ?select 1 as id ?\)$/i);
  });

  test('table: atomic create or replace, hooks around it', () => {
    expect(sqlOf(planTable(input(duck, { materialized: 'table' }, 'table', { preHooks: ['select 0'], postHooks: ['analyze'] })))).toEqual([
      'select 0',
      'create or replace table "fact"."m" as ( select 1 as id )',
      'analyze',
    ]);
    expect(sqlOf(planTable(input(snow, { materialized: 'table' }, null)))[0]).toMatch(/^create or replace transient table FACT\.M as \( ?select 1 as id ?\)$/i);
    expect(sqlOf(planTable(input(snow, { materialized: 'table', transient: false }, null)))[0]).toMatch(/^create or replace table FACT\.M as/i);
  });

  test('incremental: first run builds a table; merge, delete+insert and append afterwards', () => {
    const cols = [{ name: 'id', dataType: 'INTEGER' }, { name: 'v', dataType: 'VARCHAR' }];
    expect(sqlOf(planIncremental(input(duck, { materialized: 'incremental', unique_key: 'id' }, null)))).toEqual(['create or replace table "fact"."m" as ( select 1 as id )']);
    const merge = sqlOf(planIncremental(input(duck, { materialized: 'incremental', unique_key: 'id' }, 'table', { existingColumns: cols, newColumns: cols })));
    expect(merge).toEqual([
      'create or replace temporary table "m__mflow_tmp" as ( select 1 as id )',
      'begin transaction',
      'merge into "fact"."m" as DBT_INTERNAL_DEST using "m__mflow_tmp" as DBT_INTERNAL_SOURCE on DBT_INTERNAL_DEST."id" = DBT_INTERNAL_SOURCE."id" when matched then update set "id" = DBT_INTERNAL_SOURCE."id", "v" = DBT_INTERNAL_SOURCE."v" when not matched then insert ("id", "v") values (DBT_INTERNAL_SOURCE."id", DBT_INTERNAL_SOURCE."v")',
      'drop table if exists "m__mflow_tmp" cascade',
      'commit',
    ]);
    const di = sqlOf(planIncremental(input(duck, { materialized: 'incremental', unique_key: 'id', incremental_strategy: 'delete+insert', incremental_predicates: ['"fact"."m".v > \'a\''] }, 'table', { existingColumns: cols, newColumns: cols })));
    expect(di.slice(2, 4)).toEqual([
      'delete from "fact"."m" where exists (select 1 from "m__mflow_tmp" as DBT_INTERNAL_SOURCE where DBT_INTERNAL_SOURCE."id" = "fact"."m"."id") and "fact"."m".v > \'a\'',
      'insert into "fact"."m" ("id", "v") select "id", "v" from "m__mflow_tmp"',
    ]);
    const app = sqlOf(planIncremental(input(duck, { materialized: 'incremental', incremental_strategy: 'append' }, 'table', { existingColumns: cols, newColumns: cols })));
    expect(app).toContain('insert into "fact"."m" ("id", "v") select "id", "v" from "m__mflow_tmp"');
    // merge_update_columns limits what a match updates.
    const upd = sqlOf(planIncremental(input(duck, { materialized: 'incremental', unique_key: 'id', merge_update_columns: ['v'] }, 'table', { existingColumns: cols, newColumns: cols })));
    expect(upd.find((s) => s.startsWith('merge'))).toContain('when matched then update set "v" = DBT_INTERNAL_SOURCE."v" when not matched');
    // Snowflake: one merge statement, no transaction statements around DDL it cannot roll back.
    const sm = sqlOf(planIncremental(input(snow, { materialized: 'incremental', unique_key: 'id' }, 'table', { existingColumns: cols, newColumns: cols })));
    expect(sm.some((s) => /^merge into FACT\.M/i.test(s))).toBe(true);
  });

  test('incremental schema changes: append_new_columns adds, sync_all_columns also drops, fail throws', () => {
    const old = [{ name: 'id', dataType: 'INTEGER' }, { name: 'gone', dataType: 'VARCHAR' }];
    const now = [{ name: 'id', dataType: 'INTEGER' }, { name: 'added', dataType: 'DATE' }];
    const app = sqlOf(planIncremental(input(duck, { materialized: 'incremental', unique_key: 'id', on_schema_change: 'append_new_columns' }, 'table', { existingColumns: old, newColumns: now })));
    expect(app).toContain('alter table "fact"."m" add column "added" DATE');
    expect(app.some((s) => s.includes('drop column'))).toBe(false);
    const sync = sqlOf(planIncremental(input(duck, { materialized: 'incremental', unique_key: 'id', on_schema_change: 'sync_all_columns' }, 'table', { existingColumns: old, newColumns: now })));
    expect(sync).toContain('alter table "fact"."m" drop column "gone"');
    expect(() => planIncremental(input(duck, { materialized: 'incremental', unique_key: 'id', on_schema_change: 'fail' }, 'table', { existingColumns: old, newColumns: now }))).toThrow(/added: added; removed: gone/);
    expect(() => planIncremental(input(duck, { materialized: 'incremental', incremental_strategy: 'merge' }, 'table', { existingColumns: old, newColumns: old }))).toThrow(/needs a unique_key/);
  });
});
