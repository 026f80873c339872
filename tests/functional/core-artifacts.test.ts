import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { compile, ls, retry, run } from '../../src/api.js';
import { makeProject, query } from './helpers.js';

describe('artifacts, state and retry', () => {
  test('manifest.json, run_results.json, compiled and run SQL', async () => {
    const p = makeProject({
      'models/a.sql': "{{ config(materialized='table', tags=['t1']) }}select 1 as id",
      'models/b.sql': "select * from {{ ref('a') }}",
      'macros/m.sql': '{% macro one() %}1{% endmacro %}',
      'models/c.sql': 'select {{ one() }} as x',
    });
    const r = await run({ projectDir: p.dir, console: p.console });
    expect(r.ok).toBe(true);
    const m = JSON.parse(readFileSync(join(p.dir, 'target/manifest.json'), 'utf8'));
    expect(m.metadata.dbt_schema_version).toBe('https://schemas.getdbt.com/dbt/manifest/v12.json');
    const a = m.nodes['model.fn.a'];
    expect(a).toMatchObject({ resource_type: 'model', original_file_path: 'models/a.sql', fqn: ['fn', 'a'], tags: ['t1'], relation_name: '"main"."a"', raw_code: "{{ config(materialized='table', tags=['t1']) }}select 1 as id" });
    expect(a.checksum.checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(m.parent_map['model.fn.b']).toEqual(['model.fn.a']);
    expect(m.child_map['model.fn.a']).toEqual(['model.fn.b']);
    expect(m.nodes['model.fn.c'].depends_on.macros).toEqual(['macro.fn.one']);
    expect(m.macros['macro.fn.one'].macro_sql).toContain('macro one()');
    const rr = JSON.parse(readFileSync(join(p.dir, 'target/run_results.json'), 'utf8'));
    expect(rr.results.map((x: { unique_id: string; status: string }) => [x.unique_id, x.status])).toEqual([
      ['model.fn.a', 'success'],
      ['model.fn.b', 'success'],
      ['model.fn.c', 'success'],
    ]);
    expect(rr.results[0].adapter_response.rows_affected).toBe(1);
    expect(rr.results[0].timing[0].name).toBe('execute');
    expect(readFileSync(join(p.dir, 'target/compiled/fn/models/b.sql'), 'utf8').trim()).toBe('select * from "main"."a"');
    expect(readFileSync(join(p.dir, 'target/run/fn/models/a.sql'), 'utf8')).toMatch(/create or replace table "main"."a" as/);
    expect(rr.metadata.dbt_schema_version).toBe('https://schemas.getdbt.com/dbt/run-results/v6.json');
    expect(rr.results[1]).toMatchObject({ compiled: true, compiled_code: 'select * from "main"."a"', relation_name: '"main"."b"' });
    await compile({ projectDir: p.dir, console: p.console });
    // Paths in artifacts are relative to the project, as dbt writes them, not one machine's folders.
    const compiled = JSON.parse(readFileSync(join(p.dir, 'target/manifest.json'), 'utf8'));
    expect(compiled.nodes['model.fn.b'].compiled_path).toBe('target/compiled/fn/models/b.sql');
  });

  test('--state with state:modified+ selects what changed and its children', async () => {
    const p = makeProject({ 'models/a.sql': 'select 1 as id', 'models/b.sql': "select * from {{ ref('a') }}", 'models/c.sql': 'select 3 as id' });
    await compile({ projectDir: p.dir, console: p.console, targetPath: 'prod-target' });
    writeFileSync(join(p.dir, 'models/a.sql'), 'select 2 as id');
    writeFileSync(join(p.dir, 'models/d.sql'), 'select 4 as id');
    const items = await ls({ projectDir: p.dir, console: p.console, select: ['state:modified+'], state: join(p.dir, 'prod-target'), resourceTypes: ['model'] });
    expect(items.map((i) => i.name)).toEqual(['a', 'b', 'd']);
  });

  test('retry re-runs only what failed or was skipped', async () => {
    const p = makeProject({ 'models/ok.sql': 'select 1 as id', 'models/bad.sql': "select * from {{ var('tbl', 'missing_table') }}", 'models/child.sql': "select * from {{ ref('bad') }}" });
    const r1 = await run({ projectDir: p.dir, console: p.console });
    expect(r1.results.map((x) => x.status).sort()).toEqual(['error', 'skipped', 'success']);
    const r2 = await retry({ projectDir: p.dir, console: p.console, vars: { tbl: 'main.ok' } });
    expect(r2.ok).toBe(true);
    expect(r2.results.map((x) => x.unique_id).sort()).toEqual(['model.fn.bad', 'model.fn.child']);
    expect(await query(p.db, 'select * from main.child')).toEqual([{ id: 1 }]);
    expect(existsSync(join(p.dir, 'target/run_results.json'))).toBe(true);
  });

  test('selectors: tag, path, config, graph operators, intersection and exclude, selectors.yml', async () => {
    const p = makeProject({
      'models/staging/s1.sql': "{{ config(tags=['daily']) }}select 1 as id",
      'models/staging/s2.sql': 'select 1 as id',
      'models/marts/m1.sql': "{{ config(materialized='table', tags=['daily']) }}select * from {{ ref('s1') }} join {{ ref('s2') }} using (id)",
      'models/marts/m2.sql': "select * from {{ ref('m1') }}",
      'selectors.yml': 'selectors:\n  - name: nightly\n    definition:\n      union:\n        - method: tag\n          value: daily\n        - exclude:\n            - method: path\n              value: models/staging\n',
    });
    const names = async (o: Record<string, unknown>) => (await ls({ projectDir: p.dir, console: p.console, resourceTypes: ['model'], ...o })).map((i) => i.name);
    expect(await names({ select: ['tag:daily'] })).toEqual(['s1', 'm1']);
    expect(await names({ select: ['path:models/staging'] })).toEqual(['s1', 's2']);
    expect(await names({ select: ['config.materialized:table'] })).toEqual(['m1']);
    expect(await names({ select: ['+m1'] })).toEqual(['s1', 's2', 'm1']);
    expect(await names({ select: ['s1+'] })).toEqual(['s1', 'm1', 'm2']);
    expect(await names({ select: ['s1+1'] })).toEqual(['s1', 'm1']);
    expect(await names({ select: ['@s2'] })).toEqual(['s1', 's2', 'm1', 'm2']);
    expect(await names({ select: ['tag:daily,path:models/marts'] })).toEqual(['m1']);
    expect(await names({ select: ['s1 m2'] })).toEqual(['s1', 'm2']);
    expect(await names({ select: ['fqn:fn.staging.*'], exclude: ['s2'] })).toEqual(['s1']);
    expect(await names({ selector: 'nightly' })).toEqual(['m1']);
  });
});
