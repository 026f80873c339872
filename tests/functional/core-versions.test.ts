import { describe, expect, test } from 'vitest';
import { compile, run } from '../../src/api.js';
import { MflowErrors } from '../../src/errors.js';
import { makeProject, query } from './helpers.js';

describe('versioned models', () => {
  const files = {
    'models/dim_x_v1.sql': 'select 1 as id',
    'models/dim_x_v2.sql': "select 2 as id, 'new' as extra",
    'models/props.yml': 'version: 2\nmodels:\n  - name: dim_x\n    latest_version: 1\n    versions:\n      - v: 1\n      - v: 2\n        config:\n          materialized: table\n',
    'models/latest.sql': "select * from {{ ref('dim_x') }}",
    'models/pinned.sql': "select * from {{ ref('dim_x', v=2) }}",
    'models/pinned_kw.sql': "select * from {{ ref('dim_x', version=1) }}",
  };

  test('ref() resolves to the latest version, v=/version= to a given one; each version builds as name_vN', async () => {
    const p = makeProject(files);
    const c = await compile({ projectDir: p.dir, console: p.console });
    expect(c.compiled['model.fn.latest'].trim()).toBe('select * from "main"."dim_x_v1"');
    expect(c.compiled['model.fn.pinned'].trim()).toBe('select * from "main"."dim_x_v2"');
    expect(c.compiled['model.fn.pinned_kw'].trim()).toBe('select * from "main"."dim_x_v1"');
    const r = await run({ projectDir: p.dir, console: p.console });
    expect(r.ok).toBe(true);
    expect(r.results.map((x) => x.unique_id)).toContain('model.fn.dim_x.v2');
    expect(await query(p.db, 'select * from main.pinned')).toEqual([{ id: 2, extra: 'new' }]);
    expect(await query(p.db, "select table_type from information_schema.tables where table_name = 'dim_x_v2'")).toEqual([{ table_type: 'BASE TABLE' }]);
  });

  test('a version that does not exist is an error naming the versions there are', async () => {
    const p = makeProject({ ...files, 'models/bad.sql': "select * from {{ ref('dim_x', v=3) }}" });
    const e = await compile({ projectDir: p.dir, console: p.console }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(MflowErrors);
    const err = (e as MflowErrors).errors[0];
    expect(err.file).toBe('models/bad.sql');
    expect(err.message).toContain('version 3');
    expect(err.hint).toContain('1, 2');
  });
});
