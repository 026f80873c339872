/**
 * Issue 13: seven statements a real Snowflake account answers differently from DuckDB. Each test
 * failed on the code before the fix, against the strict emulator (case-sensitive quoted names,
 * Snowflake's function list, GRANT with the object type).
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { build, debug, run, snapshot } from '../../src/api.js';
import { sourceFreshness } from '../../src/freshness/api.js';
import { duckType } from '../../src/unit-tests/fixtures.js';
import { emulatorWithReader } from './emulator-per-file.js';
import { makeSfProject } from './helpers.js';

const sf = emulatorWithReader();
const statuses = (r: { results: { unique_id: string; status: string; message?: string | null }[] }) => r.results.map((x) => `${x.unique_id.split('.').pop()}:${x.status}${x.status === 'success' || x.status === 'pass' ? '' : ` ${x.message}`}`);
const PORTABLE = readFileSync(join(import.meta.dirname, '../../macros/portable.sql'), 'utf8');

describe('issue 13 on the strict emulator', () => {
  it('1: sources are unquoted by default, as dbt-snowflake does, and quoted when quoting: says so', async () => {
    await sf.db.q('create schema if not exists MFLOW.RAW');
    await sf.db.q('create or replace table MFLOW.RAW.ITEMS (ID number, LABEL varchar)');
    await sf.db.q("insert into MFLOW.RAW.ITEMS values (1, 'a'), (2, 'b')");
    await sf.db.q('create or replace table MFLOW.RAW."lower_items" (ID number)');
    await sf.db.q('insert into MFLOW.RAW."lower_items" values (7)');
    const p = makeSfProject(sf.emu, {
      'models/sources.yml': 'sources:\n  - name: raw\n    tables:\n      - name: items\n      - name: lower_items\n        quoting: {identifier: true}\n',
      'models/items.sql': "{{ config(materialized='table') }}\nselect id, label from {{ source('raw', 'items') }}",
      'models/lower.sql': "{{ config(materialized='table') }}\nselect id from {{ source('raw', 'lower_items') }}",
    }, { schema: 'Q1' });
    expect(statuses(await run({ projectDir: p.dir, env: p.env, console: p.console }))).toEqual(['items:success', 'lower:success']);
    const log = sf.emu.stats.sqlLog.join('\n');
    expect(log).toContain('from MFLOW.RAW.ITEMS');
    expect(log).toContain('from MFLOW.RAW."lower_items"');
    expect(await sf.db.q('select count(*) as n from MFLOW.Q1.ITEMS')).toEqual([{ n: 2 }]);
    // What the old code sent: a quoted lower-case schema does not name RAW on Snowflake.
    await expect(sf.db.q('select * from "MFLOW"."raw"."items"')).rejects.toThrow(/002003|does not exist/);
  });

  it('2 and 3: header columns as ingestion stores them, and no DuckDB-only regexp_extract', async () => {
    // The Snowflake ingest upper-cases file headers: "Entity Type Code" becomes "ENTITY TYPE CODE".
    await sf.db.q('create schema if not exists MFLOW.RAW');
    await sf.db.q('create or replace table MFLOW.RAW.NPPES ("ENTITY TYPE CODE" varchar, _SOURCE_FILE varchar)');
    await sf.db.q("insert into MFLOW.RAW.NPPES values ('1', 'DE1_0_2009_Beneficiary_Summary_File_Sample_1.csv'), ('2', 'other.csv')");
    await expect(sf.db.q('select "Entity Type Code" from MFLOW.RAW.NPPES')).rejects.toThrow(/000904|invalid identifier/);
    await expect(sf.db.q("select regexp_extract(_source_file, 'DE1_0_([0-9]{4})', 1) from MFLOW.RAW.NPPES")).rejects.toThrow(/Unknown function REGEXP_EXTRACT/);
    const p = makeSfProject(sf.emu, {
      'macros/portable.sql': PORTABLE,
      'models/sources.yml': 'sources:\n  - name: raw\n    tables:\n      - name: nppes\n',
      'models/providers.sql': `{{ config(materialized='table') }}
select {{ raw_column('Entity Type Code') }} as entity_type_code,
       cast({{ regex_group('_source_file', "'DE1_0_([0-9]{4})_Beneficiary'", 1) }} as integer) as year
from {{ source('raw', 'nppes') }}`,
    }, { schema: 'Q2' });
    expect(statuses(await run({ projectDir: p.dir, env: p.env, console: p.console }))).toEqual(['providers:success']);
    expect(await sf.db.q('select entity_type_code, year from MFLOW.Q2.PROVIDERS order by 1')).toEqual([{ entity_type_code: '1', year: 2009 }, { entity_type_code: '2', year: null }]);
  });

  it('4: source freshness and the snapshot duplicate-key message read upper-case result columns', async () => {
    await sf.db.q('create schema if not exists MFLOW.RAW');
    await sf.db.q('create or replace table MFLOW.RAW.EVENTS (ID number, LOADED_AT timestamp_ntz)');
    await sf.db.q("insert into MFLOW.RAW.EVENTS values (1, dateadd(hour, -2, current_timestamp()::timestamp_ntz))");
    const p = makeSfProject(sf.emu, {
      'models/sources.yml': 'sources:\n  - name: raw\n    loaded_at_field: loaded_at\n    freshness: {warn_after: {count: 1, period: hour}, error_after: {count: 1, period: day}}\n    tables:\n      - name: events\n',
      'snapshots/dup.sql': "{% snapshot dup %}{{ config(target_schema='Q4', unique_key='id', strategy='check', check_cols='all') }}\nselect 1 as id, 'a' as v union all select 1, 'b'\n{% endsnapshot %}",
    }, { schema: 'Q4' });
    const f = await sourceFreshness({ projectDir: p.dir, env: p.env, console: p.console });
    expect(f.results.map((r) => r.status)).toEqual(['warn']);
    expect(f.results[0].max_loaded_at_time_ago_in_s).toBeGreaterThan(7000);
    const s = await snapshot({ projectDir: p.dir, env: p.env, console: p.console });
    expect(s.results[0].message).toMatch(/\(ID=1 appears 2 times\)/i);
  });

  it('5: a second build maps describe types such as TIMESTAMP_NTZ(9) for unit-test fixtures', async () => {
    expect(['TIMESTAMP_NTZ(9)', 'TIMESTAMP_TZ(9)', 'TIME(9)', 'NUMBER(38,0)', 'VARCHAR(16777216)', 'BINARY(8388608)'].map(duckType)).toEqual(['TIMESTAMP', 'TIMESTAMPTZ', 'TIME', 'BIGINT', 'VARCHAR(16777216)', 'BLOB']);
    const p = makeSfProject(sf.emu, {
      'models/events.sql': "{{ config(materialized='table') }}\nselect 1 as id, '2024-01-02 03:04:05'::timestamp_ntz as seen_at",
      'models/latest.sql': "{{ config(materialized='table') }}\nselect max(seen_at) as latest from {{ ref('events') }}",
      'models/unit.yml': "unit_tests:\n  - name: latest_is_max\n    model: latest\n    given:\n      - input: ref('events')\n        rows:\n          - {id: 1, seen_at: '2024-01-01 00:00:00'}\n          - {id: 2, seen_at: '2024-03-01 00:00:00'}\n    expect:\n      rows:\n        - {latest: '2024-03-01 00:00:00'}\n",
    }, { schema: 'Q5' });
    const first = await build({ projectDir: p.dir, env: p.env, console: p.console });
    expect(statuses(first).sort()).toEqual(['events:success', 'latest:success', 'latest_is_max:pass']);
    // Now `events` exists: the fixture takes its types from `describe`, which says TIMESTAMP_NTZ(9).
    const second = await build({ projectDir: p.dir, env: p.env, console: p.console });
    expect(statuses(second).sort()).toEqual(['events:success', 'latest:success', 'latest_is_max:pass']);
  });

  it('lists a schema of more than 10,000 objects in pages, as SHOW OBJECTS answers at most 10,000 rows', async () => {
    const views = Array.from({ length: 10_050 }, (_, i) => `CREATE VIEW MFLOW.PAGED.V${String(i).padStart(5, '0')} AS SELECT ${i} AS ID;`).join('\n');
    await sf.emu.duckdb(`CREATE SCHEMA IF NOT EXISTS MFLOW.PAGED;\n${views}`);
    expect(await sf.db.q('show terse objects in schema MFLOW.PAGED')).toHaveLength(10_000);
    const { createSnowflakeAdapter } = await import('../../src/adapters/snowflake/index.js');
    const a = await createSnowflakeAdapter({ name: 'emu', type: 'snowflake', threads: 1, account: 'emulator', user: 'mflow', password: 'emulator', access_url: sf.emu.url, database: 'MFLOW', schema: 'PAGED' });
    try {
      sf.emu.resetStats();
      const rels = await a.introspector.listRelations('MFLOW', 'PAGED');
      expect(rels).toHaveLength(10_050);
      expect(new Set(rels.map((r) => r.identifier)).size).toBe(10_050);
      expect(sf.emu.stats.sqlLog).toEqual(['show terse objects in schema MFLOW.PAGED', "show terse objects in schema MFLOW.PAGED limit 10000 from 'V09999'"]);
    } finally {
      await a.close();
    }
  }, 120_000);

  it('7: an unreachable account fails within login_timeout x attempts, says so while waiting and what to check', async () => {
    // A port nobody listens on: bind one, note it, close it.
    const port = await new Promise<number>((resolve) => {
      const srv = createServer().listen(0, '127.0.0.1', () => {
        const a = srv.address() as { port: number };
        srv.close(() => resolve(a.port));
      });
    });
    const p = makeSfProject(sf.emu, { 'models/m.sql': 'select 1 as id' }, { schema: 'Q7', extra: 'login_timeout: 2\nconnect_retries: 1\nconnect_timeout: 1' });
    const yml = join(p.dir, 'project.yml');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(yml, readFileSync(yml, 'utf8').replace(`port: ${sf.emu.port}`, `port: ${port}`));
    const t0 = Date.now();
    const r = await run({ projectDir: p.dir, env: p.env, console: p.console }).catch((e: Error) => e);
    const seconds = (Date.now() - t0) / 1000;
    // Two attempts of 2 s and one wait of 1 s; the driver alone retried for minutes.
    expect(seconds).toBeLessThan(15);
    const text = `${r instanceof Error ? `${r.message} ${(r as { hint?: string }).hint ?? ''}` : JSON.stringify(r)} ${p.console.text}`;
    expect(text).toMatch(/Could not connect to Snowflake at account 'emulator' \(http:\/\/127\.0\.0\.1:\d+\)/);
    expect(text).toMatch(/2 attempts/);
    expect(text).toMatch(/login_timeout/);
    expect(p.console.text).toMatch(/connecting to account 'emulator'|retrying in 1 s/);
    const d = await debug({ projectDir: p.dir, env: p.env, console: p.console });
    expect(JSON.stringify(d)).toMatch(/Could not connect to Snowflake/);
  }, 60_000);
});
