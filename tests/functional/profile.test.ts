import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { build, run } from '../../src/api.js';
import { makeProject } from './helpers.js';

const files = {
  'models/events.sql': "{{ config(materialized='table') }} select range as id, range % 10 as grp, range * 1.5 as amount from range(200000)",
  'models/by_group.sql': "{{ config(materialized='table') }} select e.grp, count(*) as n, sum(e.amount) as total from {{ ref('events') }} e join {{ ref('events') }} f on e.id = f.id group by e.grp",
  'models/v.sql': "select * from {{ ref('by_group') }}",
  'models/schema.yml': 'version: 2\nmodels:\n  - name: by_group\n    columns:\n      - name: grp\n        tests: [not_null, unique]\n',
};

describe('--query-profile: DuckDB profile of each model under target/profile, the slowest printed', () => {
  test("each model's statements are profiled by DuckDB itself, with its operators, seconds and rows", async () => {
    const p = makeProject(files);
    const r = await build({ projectDir: p.dir, console: p.console, profile: true });
    expect(r.ok, JSON.stringify(p.console.events.filter((e) => e.type === "error" || e.type === "node_result"))).toBe(true);
    const dir = join(p.dir, 'target', 'profile');
    const doc = JSON.parse(readFileSync(join(dir, 'by_group.json'), 'utf8'));
    expect(doc.unique_id).toBe('model.fn.by_group');
    const main = doc.statements.find((s: { sql: string }) => /create\s+(or\s+replace\s+)?table/i.test(s.sql) && s.sql.includes('join'));
    expect(main, JSON.stringify(doc.statements.map((s: { sql: string }) => s.sql))).toBeDefined();
    // DuckDB's own document: the operator tree with what each operator produced.
    const ops = JSON.stringify(main.profile);
    expect(ops).toMatch(/HASH_GROUP_BY/);
    expect(ops).toMatch(/HASH_JOIN/);
    expect(main.latency).toBeGreaterThan(0);
    const txt = readFileSync(join(dir, 'by_group.txt'), 'utf8');
    expect(txt).toMatch(/HASH_JOIN\s+[\d.]+ s\s+200,000 rows/);
    expect(txt).toMatch(/HASH_GROUP_BY\s+[\d.]+ s\s+10 rows/);
    expect(existsSync(join(dir, 'events.txt'))).toBe(true);
    expect(existsSync(join(dir, 'v.txt'))).toBe(true);
    // Tests run fused, one query per relation: not profiled one by one.
    expect(existsSync(join(dir, 'not_null_by_group_grp.txt'))).toBe(false);
    const msgs = p.console.events.filter((e) => e.type === 'info').map((e) => (e as { msg: string }).msg);
    const i = msgs.findIndex((m) => /^Profiles of 3 node\(s\) in .*profile; the slowest:/.test(m));
    expect(i, msgs.join('\n')).toBeGreaterThanOrEqual(0);
    expect(msgs.slice(i + 1).some((m) => /^ {2}(by_group|events) [\d.]+ s: .* s \(\d+ %\), [\d,]+ rows/.test(m))).toBe(true);
  });

  test('without --query-profile nothing is profiled and no profile folder is written', async () => {
    const p = makeProject(files);
    expect((await run({ projectDir: p.dir, console: p.console })).ok).toBe(true);
    expect(existsSync(join(p.dir, 'target', 'profile'))).toBe(false);
    // the connection is left as it was: a later run on the same database profiles nothing either
    expect((await run({ projectDir: p.dir, console: p.console, profile: true, select: ['events'] })).ok).toBe(true);
    expect(existsSync(join(p.dir, 'target', 'profile', 'events.json'))).toBe(true);
    expect(existsSync(join(p.dir, 'target', 'profile', 'by_group.json'))).toBe(false);
  });
});
