import { describe, expect, test } from 'vitest';
import { compile } from '../../src/api.js';
import { makeProject } from './helpers.js';

describe('unknown config keys', () => {
  test('one warning per key and file, at the first place it appears, not one per occurrence', async () => {
    const p = makeProject({
      'project.yml': 'name: fn\nversion: 1.0.0\nmodels:\n  fn:\n    a:\n      +materialised: table\n    b:\n      +materialised: table\ntargets:\n  default: dev\n  dev: { type: duckdb, path: test.duckdb }\n',
      'models/a/m1.sql': "{{ config(colour='red') }}{{ config(colour='blue') }} select 1 as id",
      'models/b/m2.sql': "{{ config(colour='red') }} select 1 as id",
      'models/b/m3.sql': 'select 1 as id',
      'models/p.yml': 'version: 2\nmodels:\n  - name: m1\n    config: {sevrity: warn}\n  - name: m2\n    config: {sevrity: warn}\n  - name: m3\n    config: {sevrity: warn, colour: x}\n',
    });
    await compile({ projectDir: p.dir, console: p.console });
    const warns = p.console.events.filter((e) => e.type === 'warn').map((e) => `${(e as { file?: string }).file}:${(e as { line?: number }).line} ${(e as { msg: string }).msg}`);
    expect(warns.filter((w) => w.includes('Unknown config key')).sort()).toEqual([
      "models/a/m1.sql:1 Unknown config key 'colour'; it is ignored",
      "models/b/m2.sql:1 Unknown config key 'colour'; it is ignored",
      "models/p.yml:4 Unknown config key 'sevrity' (did you mean 'severity'?); it is ignored",
      "models/p.yml:8 Unknown config key 'colour'; it is ignored",
      "project.yml:6 Unknown config key '+materialised' at models.fn.a (did you mean '+materialized'?); it is ignored",
    ]);
  });
});
