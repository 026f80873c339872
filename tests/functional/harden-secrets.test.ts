import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { build, debug } from '../../src/api.js';
import { docsGenerate } from '../../src/docs/api.js';
import { forgetSecrets } from '../../src/project/secrets.js';
import { makeProject } from './helpers.js';

const SECRET = 'hunter2-Zq9sSecretValue';

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

afterEach(() => forgetSecrets());

/** Secrets are masked by where they came from (a secret-named env_var), at any depth, in every output. */
describe('secrets masked by provenance', () => {
  const targets = `targets:
  default: dev
  dev:
    type: duckdb
    path: test.duckdb
    threads: 1
    settings:
      custom_user_agent: "{{ env_var('MFLOW_TEST_SECRET') }}"
`;

  it('mflow debug masks a secret nested under settings:', async () => {
    const p = makeProject({ 'models/m.sql': 'select 1 as id' }, { targets });
    const r = await debug({ projectDir: p.dir, console: p.console, env: { ...process.env, MFLOW_TEST_SECRET: SECRET } });
    expect(JSON.stringify(r)).not.toContain(SECRET);
    expect((r.target.settings as Record<string, unknown>).custom_user_agent).toBe('****');
    expect(r.connection).toBe('OK');
  });

  it('keeps a secret a model inlined out of the console, target/ and the docs site', async () => {
    const p = makeProject({
      'models/m.sql': "select '{{ env_var(\"MFLOW_API_TOKEN\") }}' as t, '{{ target.settings.custom_user_agent }}' as ua",
      'models/bad.sql': "select {{ env_var('MFLOW_API_TOKEN') }} from nowhere_at_all",
    }, { targets });
    const env = { ...process.env, MFLOW_TEST_SECRET: SECRET, MFLOW_API_TOKEN: `${SECRET}-tok` };
    const r = await build({ projectDir: p.dir, console: p.console, env });
    expect(r.results.find((x) => x.unique_id.endsWith('.bad'))?.status).toBe('error');
    await docsGenerate({ projectDir: p.dir, console: p.console, env });
    const outputs = filesUnder(join(p.dir, 'target')).filter((f) => !f.endsWith('.duckdb'));
    expect(outputs.some((f) => f.endsWith('run_results.json'))).toBe(true);
    for (const f of outputs) expect(readFileSync(f, 'utf8'), f).not.toContain(SECRET);
    // The failing model's warehouse error and every other console event are masked too.
    expect(p.console.events.length).toBeGreaterThan(0);
    expect(JSON.stringify(p.console.events)).not.toContain(SECRET);
    expect(readFileSync(join(p.dir, 'target/compiled/fn/models/m.sql'), 'utf8')).toContain("'****' as t");
  });
});
