import { describe, expect, it } from 'vitest';
import { DuckDBDialect } from '../../src/adapters/duckdb/dialect.js';
import { SnowflakeDialect } from '../../src/adapters/snowflake/dialect.js';
import { diffGrants, grantsFromShow } from '../../src/adapters/snowflake/grants.js';
import { describeTarget, resolveSnowflakeTarget } from '../../src/adapters/snowflake/config.js';
import { MflowError } from '../../src/errors.js';
import type { Statement } from '../../src/contracts/adapter.js';

const sf = new SnowflakeDialect();
/** The SQL of a list that holds exactly one statement. */
const one = (l: Statement[]): string => {
  expect(l).toHaveLength(1);
  return l[0].sql;
};
const sqls = (l: Statement[]): string[] => l.map((x) => x.sql);
const duck = new DuckDBDialect();
const T = 'ANALYTICS.MARTS.FCT_CLAIMS';
const S = 'ANALYTICS.MARTS.FCT_CLAIMS__DBT_TMP';

describe('snowflake dialect: exact SQL', () => {
  it('folds unquoted names to upper case and honours quoting', () => {
    expect(sf.relation({ database: 'analytics', schema: 'marts', identifier: 'fct_claims' })).toBe('ANALYTICS.MARTS.FCT_CLAIMS');
    expect(sf.relation({ database: null, schema: 'marts', identifier: 'my table' })).toBe('MARTS."my table"');
    const quoted = new SnowflakeDialect({ identifier: true });
    expect(quoted.relation({ database: 'analytics', schema: 'marts', identifier: 'fct_claims' })).toBe('ANALYTICS.MARTS."fct_claims"');
    expect(quoted.normalize('fct_claims')).toBe('fct_claims');
    expect(sf.normalize('fct_claims')).toBe('FCT_CLAIMS');
    expect(sf.quote('a"b')).toBe('"a""b"');
  });

  it('spells literals and types', () => {
    expect(sf.literal("it's \\ ok")).toBe("'it''s \\\\ ok'");
    expect(sf.literal(null)).toBe('null');
    expect(sf.literal(true)).toBe('true');
    expect(sf.literal(new Date('2024-01-02T03:04:05.000Z'))).toBe("'2024-01-02 03:04:05.000'::timestamp_ntz");
    expect(sf.literal({ a: 1 })).toBe(`parse_json('{"a":1}')`);
    expect(sf.typeName('string')).toBe('varchar');
    expect(sf.typeName('integer')).toBe('number(38,0)');
    expect(sf.typeName('timestamp')).toBe('timestamp_ntz');
  });

  it('creates transient tables by default, permanent on request, views with copy grants', () => {
    expect(one(sf.createTableAs(T, 'select 1 as id'))).toBe(`create or replace transient table ${T} as (\nselect 1 as id\n)`);
    expect(one(sf.createTableAs(T, 'select 1 as id', { transient: false, copyGrants: true }))).toBe(`create or replace table ${T} copy grants as (\nselect 1 as id\n)`);
    expect(one(sf.createTableAs(S, 'select 1 as id', { temporary: true }))).toBe(`create or replace temporary table ${S} as (\nselect 1 as id\n)`);
    expect(one(sf.createView(T, 'select 1 as id'))).toBe(`create or replace view ${T} copy grants as (\nselect 1 as id\n)`);
    expect(one(sf.createView(S, 'select 1 as id', { temporary: true }))).toBe(`create or replace temporary view ${S} as (\nselect 1 as id\n)`);
    expect(one(sf.createSchema('analytics', 'marts'))).toBe('create schema if not exists ANALYTICS.MARTS');
    expect(one(sf.drop(T, 'table'))).toBe(`drop table if exists ${T} cascade`);
    expect(one(sf.rename({ database: 'ANALYTICS', schema: 'MARTS', identifier: 'FCT_CLAIMS', type: 'view' }, 'fct_claims__old'))).toBe(
      'alter view ANALYTICS.MARTS.FCT_CLAIMS rename to ANALYTICS.MARTS.FCT_CLAIMS__OLD',
    );
    expect([...sf.beginTransaction(), ...sf.commit(), ...sf.rollback()].map((x) => [x.kind, x.sql])).toEqual([['begin', 'begin'], ['commit', 'commit'], ['rollback', 'rollback']]);
  });

  it('merges on the unique key with merge_update_columns and incremental_predicates', () => {
    expect(sqls(sf.merge({ target: T, source: S, uniqueKey: ['claim_id'], columns: ['claim_id', 'amount', 'paid_at'], updateColumns: ['amount'], predicates: ['DBT_INTERNAL_DEST.paid_at > dateadd(day, -7, current_date)'] }))).toEqual([
      `merge into ${T} as DBT_INTERNAL_DEST
using ${S} as DBT_INTERNAL_SOURCE
on DBT_INTERNAL_SOURCE."CLAIM_ID" = DBT_INTERNAL_DEST."CLAIM_ID"
  and (DBT_INTERNAL_DEST.paid_at > dateadd(day, -7, current_date))
when matched then update set
  "AMOUNT" = DBT_INTERNAL_SOURCE."AMOUNT"
when not matched then insert ("CLAIM_ID", "AMOUNT", "PAID_AT")
values (DBT_INTERNAL_SOURCE."CLAIM_ID", DBT_INTERNAL_SOURCE."AMOUNT", DBT_INTERNAL_SOURCE."PAID_AT")`,
    ]);
    // Without a unique key, merge degrades to an append.
    expect(sqls(sf.merge({ target: T, source: S, uniqueKey: [], columns: ['a'] }))).toEqual([`insert into ${T} ("A")\n(select "A" from ${S})`]);
  });

  it('spells delete+insert, append and schema changes', () => {
    expect(sqls(sf.deleteInsert({ target: T, source: S, uniqueKey: ['claim_id', 'line'], columns: ['claim_id', 'line'], predicates: ['DBT_INTERNAL_DEST.year = 2024'] }))).toEqual([
      `delete from ${T} as DBT_INTERNAL_DEST
where ("CLAIM_ID", "LINE") in (
  select distinct "CLAIM_ID", "LINE" from ${S} as DBT_INTERNAL_SOURCE
)
  and (DBT_INTERNAL_DEST.year = 2024)`,
      `insert into ${T} ("CLAIM_ID", "LINE")\n(select "CLAIM_ID", "LINE" from ${S})`,
    ]);
    expect(one(sf.insertInto(T, S, ['a', 'B']))).toBe(`insert into ${T} ("A", "B")\n(select "A", "B" from ${S})`);
    expect(sqls(sf.addColumns(T, [{ name: 'x', dataType: 'number(38,0)' }, { name: 'y', dataType: 'varchar' }]))).toEqual([`alter table ${T} add column "X" number(38,0), "Y" varchar`]);
    expect(sqls(sf.dropColumns(T, ['x', 'y']))).toEqual([`alter table ${T} drop column "X", "Y"`]);
    expect(one(sf.alterColumnType(T, 'x', 'number(38,2)'))).toBe(`alter table ${T} alter "X" set data type number(38,2)`);
  });

  it('spells grants one grantee per statement, metadata, query tags, stages and seed batches', () => {
    // The object type is required by Snowflake's GRANT (issue 13), as dbt-snowflake writes it.
    expect(sf.grant(T, 'select', ['reporter', 'analyst']).map((x) => [x.kind, x.sql])).toEqual([
      ['ddl', `grant select on table ${T} to role REPORTER`],
      ['ddl', `grant select on table ${T} to role ANALYST`],
    ]);
    expect(one(sf.grant(T, 'select', ['reporter'], 'view'))).toBe(`grant select on view ${T} to role REPORTER`);
    expect(one(sf.revoke(T, 'select', ['analyst']))).toBe(`revoke select on table ${T} from role ANALYST`);
    expect(one(sf.showGrants(T, 'view'))).toBe(`show grants on view ${T}`);
    expect(one(sf.listRelations('analytics', 'marts'))).toBe('show terse objects in schema ANALYTICS.MARTS');
    expect(one(sf.listSchemas('analytics'))).toBe('show terse schemas in database ANALYTICS');
    expect(one(sf.describe(T))).toBe(`describe table ${T}`);
    expect(one(sf.setQueryTag("mflow:model.fct_claims"))).toBe("alter session set query_tag = 'mflow:model.fct_claims'");
    expect(one(sf.unsetQueryTag())).toBe('alter session unset query_tag');
    expect(one(sf.put('/data/raw/claims.csv', 'RAW.MFLOW_STAGE/claims'))).toBe("put 'file:///data/raw/claims.csv' @RAW.MFLOW_STAGE/claims auto_compress=true overwrite=true");
    expect(one(sf.copyInto('RAW.CLAIMS', 'RAW.MFLOW_STAGE/claims', { columns: ['id', 'amount'] }))).toBe(
      `copy into RAW.CLAIMS ("ID", "AMOUNT")\nfrom @RAW.MFLOW_STAGE/claims\nfile_format = (type = csv skip_header = 1 field_delimiter = ',' field_optionally_enclosed_by = '"' null_if = (''))\non_error = abort_statement`,
    );
    const batches = sf.insertValues('RAW.SEED', ['a', 'b'], [[1, 'x'], [2, 'y'], [3, 'z']], 4);
    expect(batches.map(({ kind, sql, binds }) => ({ kind, sql, binds }))).toEqual([
      { kind: 'dml', sql: 'insert into RAW.SEED ("A", "B") values (?, ?), (?, ?)', binds: [1, 'x', 2, 'y'] },
      { kind: 'dml', sql: 'insert into RAW.SEED ("A", "B") values (?, ?)', binds: [3, 'z'] },
    ]);
  });

  it('gives every statement its kind, so executors never read the SQL text', () => {
    const kinds = (l: Statement[]) => l.map((x) => x.kind);
    for (const d of [sf, duck]) {
      expect(kinds(d.createTableAs(T, 'select 1'))).toEqual(['ddl']);
      expect(kinds(d.merge({ target: T, source: S, uniqueKey: ['id'], columns: ['id', 'v'] }))).toEqual(['dml']);
      expect(kinds(d.deleteInsert({ target: T, source: S, uniqueKey: ['id'], columns: ['id', 'v'] }))).toEqual(['dml', 'dml']);
      expect(kinds(d.publishSchemas(null, [{ staging: 'marts__staging', live: 'marts', tables: ['t'] }]))).toEqual(d === duck ? ['begin', 'ddl', 'ddl', 'commit'] : ['ddl', 'ddl']);
    }
    expect(kinds(sf.showGrants(T))).toEqual(['query']);
  });

  it('declares capabilities that differ from DuckDB', () => {
    expect(sf.capabilities).toMatchObject({ identifierCase: 'upper', supportsTransientTables: true, supportsCopyGrants: true, atomicCreateOrReplace: true, supportsTransactionalDdl: false });
    expect(duck.capabilities.identifierCase).toBe('lower');
  });
});

describe('the same plans on both dialects, side by side', () => {
  const rel = { database: 'analytics', schema: 'marts', identifier: 'fct_claims' };
  const cases: [string, (d: SnowflakeDialect | DuckDBDialect) => Statement[]][] = [
    ['table', (d) => d.createTableAs(d.relation(rel), 'select 1 as id', { replace: true })],
    ['view', (d) => d.createView(d.relation(rel), 'select 1 as id')],
    ['merge', (d) => d.merge({ target: d.relation(rel), source: 'src', uniqueKey: ['id'], columns: ['id', 'v'] })],
    ['delete+insert', (d) => d.deleteInsert({ target: d.relation(rel), source: 'src', uniqueKey: ['id'], columns: ['id', 'v'] })],
    ['add columns', (d) => d.addColumns(d.relation(rel), [{ name: 'x', dataType: d.typeName('integer') }])],
    ['grant', (d) => d.grant(d.relation(rel), 'select', ['reporter'])],
  ];
  const golden: Record<string, [string | string[], string | string[]]> = {
    table: ['create or replace transient table ANALYTICS.MARTS.FCT_CLAIMS as (\nselect 1 as id\n)', 'create or replace table "analytics"."marts"."fct_claims" as (\nselect 1 as id\n)'],
    view: ['create or replace view ANALYTICS.MARTS.FCT_CLAIMS copy grants as (\nselect 1 as id\n)', 'create or replace view "analytics"."marts"."fct_claims" as (\nselect 1 as id\n)'],
    merge: [
      ['merge into ANALYTICS.MARTS.FCT_CLAIMS as DBT_INTERNAL_DEST\nusing src as DBT_INTERNAL_SOURCE\non DBT_INTERNAL_SOURCE."ID" = DBT_INTERNAL_DEST."ID"\nwhen matched then update set\n  "V" = DBT_INTERNAL_SOURCE."V"\nwhen not matched then insert ("ID", "V")\nvalues (DBT_INTERNAL_SOURCE."ID", DBT_INTERNAL_SOURCE."V")'],
      sqls(duck.merge({ target: '"analytics"."marts"."fct_claims"', source: 'src', uniqueKey: ['id'], columns: ['id', 'v'] })),
    ],
    'delete+insert': [
      [
        'delete from ANALYTICS.MARTS.FCT_CLAIMS as DBT_INTERNAL_DEST\nwhere ("ID") in (\n  select distinct "ID" from src as DBT_INTERNAL_SOURCE\n)',
        'insert into ANALYTICS.MARTS.FCT_CLAIMS ("ID", "V")\n(select "ID", "V" from src)',
      ],
      sqls(duck.deleteInsert({ target: '"analytics"."marts"."fct_claims"', source: 'src', uniqueKey: ['id'], columns: ['id', 'v'] })),
    ],
    'add columns': [['alter table ANALYTICS.MARTS.FCT_CLAIMS add column "X" number(38,0)'], ['alter table "analytics"."marts"."fct_claims" add column "x" integer']],
    grant: ['grant select on table ANALYTICS.MARTS.FCT_CLAIMS to role REPORTER', 'grant select on "analytics"."marts"."fct_claims" to reporter'],
  };
  for (const [name, plan] of cases) {
    it(name, () => {
      const text = (d: SnowflakeDialect | DuckDBDialect) => (plan(d).length === 1 && typeof golden[name][0] === 'string' ? one(plan(d)) : sqls(plan(d)));
      expect([text(sf), text(duck)]).toEqual(golden[name]);
    });
  }
});

describe('snowflake grants and target config', () => {
  it('diffs show grants output against the grants config', () => {
    const current = grantsFromShow([
      { privilege: 'OWNERSHIP', granted_to: 'ROLE', grantee_name: 'SYSADMIN' },
      { privilege: 'SELECT', granted_to: 'ROLE', grantee_name: 'ANALYST' },
      { privilege: 'SELECT', granted_to: 'SHARE', grantee_name: 'PARTNER' },
      { privilege: 'SELECT', granted_to: 'ROLE', grantee_name: 'OLD_ROLE' },
    ]);
    expect(current).toEqual({ SELECT: ['ANALYST', 'OLD_ROLE'] });
    expect(diffGrants(current, { select: ['analyst', 'reporter'] })).toEqual({ grant: [{ privilege: 'select', grantees: ['reporter'] }], revoke: [{ privilege: 'select', grantees: ['OLD_ROLE'] }] });
    expect(diffGrants(current, { select: ['ANALYST', 'old_role'] })).toEqual({ grant: [], revoke: [] });
  });

  it('maps profile keys to driver options and hides secrets', () => {
    const t = { name: 'sf', type: 'snowflake', threads: 4, schema: 'dev', account: 'xy123', user: 'svc', password: 's3cret', role: 'transformer', warehouse: 'wh', database: 'analytics', query_tag: 'mflow', client_session_keep_alive: true, connect_timeout: 30 };
    const s = resolveSnowflakeTarget(t);
    expect(s.connection).toMatchObject({ account: 'xy123', username: 'svc', password: 's3cret', authenticator: 'SNOWFLAKE', role: 'transformer', warehouse: 'wh', database: 'analytics', schema: 'dev', queryTag: 'mflow', clientSessionKeepAlive: true });
    // connect_timeout is the wait between login attempts (dbt-snowflake), not the driver's per-request timeout.
    expect(s.connection.timeout).toBeUndefined();
    expect(s.login).toMatchObject({ timeoutSeconds: 60, retries: 1, waitSeconds: 30 });
    expect(describeTarget(t).password).toBe('****');
    const oauth = resolveSnowflakeTarget({ name: 'sf', type: 'snowflake', threads: 1, schema: 'dev', account: 'xy', authenticator: 'oauth', token: 'tok' });
    expect(oauth.connection).toMatchObject({ authenticator: 'OAUTH', token: 'tok' });
    const jwt = resolveSnowflakeTarget({ name: 'sf', type: 'snowflake', threads: 1, schema: 'dev', account: 'xy', user: 'u', private_key: 'MIIB', private_key_passphrase: 'pp' });
    expect(jwt.connection).toMatchObject({ authenticator: 'SNOWFLAKE_JWT', privateKey: '-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----', privateKeyPass: 'pp' });
  });

  it('rejects bad targets with a hint and never echoes a secret', () => {
    const bad = () => resolveSnowflakeTarget({ name: 'sf', type: 'snowflake', threads: 1, schema: 'dev', account: 'xy', user: 'u', pasword: 'hunter2' });
    expect(bad).toThrow(MflowError);
    try {
      bad();
    } catch (e) {
      expect((e as MflowError).message).toBe("Snowflake target 'sf': unknown key 'pasword'");
      expect((e as MflowError).hint).toBe("Did you mean 'password'?");
      expect(JSON.stringify((e as MflowError).toJSON())).not.toContain('hunter2');
    }
    expect(() => resolveSnowflakeTarget({ name: 'sf', type: 'snowflake', threads: 1, schema: 'dev', user: 'u', password: 'p' })).toThrow(/'account' is missing/);
    expect(() => resolveSnowflakeTarget({ name: 'sf', type: 'snowflake', threads: 1, schema: 'dev', account: 'a', user: 'u' })).toThrow(/no credentials/);
  });
});
