/**
 * Typed statements: planned SQL carries its kind; only free text (hooks, run_query) has its kind
 * read from its first keyword, comments skipped, so a hook's `begin` opens a transaction the
 * executor knows about and a `select` is never mistaken for a change.
 */
import { describe, expect, it } from 'vitest';
import { described, dml, kindOf, sqlText } from '../../src/contracts/statements.js';

describe('statement kinds', () => {
  it('reads the kind of free SQL text from its first keyword', () => {
    expect(kindOf('begin')).toBe('begin');
    expect(kindOf('  START TRANSACTION')).toBe('begin');
    expect(kindOf('-- close it\ncommit')).toBe('commit');
    expect(kindOf('/* undo */ rollback')).toBe('rollback');
    expect(kindOf('with x as (select 1) select * from x')).toBe('query');
    expect(kindOf('show grants on table t')).toBe('query');
    expect(kindOf('insert into t values (1)')).toBe('dml');
    expect(kindOf('merge into t using s on t.id = s.id when matched then delete')).toBe('dml');
    expect(kindOf('create or replace table t as select 1')).toBe('ddl');
    expect(kindOf('grant select on table t to role r')).toBe('ddl');
    // `start` alone is not a transaction (Snowflake: `start` is only used as START TRANSACTION).
    expect(kindOf('startup_thing()')).toBe('ddl');
  });

  it('keeps binds apart from the SQL and relabels purposes without touching kinds', () => {
    const s = dml('insert into t (a) values (?)', 'one row', ["x'; drop table t; --"]);
    expect(s).toEqual({ kind: 'dml', sql: 'insert into t (a) values (?)', purpose: 'one row', binds: ["x'; drop table t; --"] });
    expect(described('seed rows', [s, sqlText('commit')]).map((x) => [x.kind, x.purpose])).toEqual([
      ['dml', 'seed rows'],
      ['commit', 'seed rows'],
    ]);
  });
});
