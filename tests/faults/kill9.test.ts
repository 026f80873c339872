import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED, cleanup, ensureBuilt, mflow, mflowKilledAfter, rng, scratch, withDb, writeFiles } from './helpers.js';

/**
 * kill -9 at random points of repeated builds and ingests on one DuckDB file. After every kill:
 * no relation is half-built (each table has its complete row count), none that existed is lost,
 * no swap leftovers are visible, RAW holds whole file loads only; then a rerun converges.
 * FAULT_SEED=<n> replays a run.
 */
const MIN_KILLS = 20;
const MAX_ATTEMPTS = 45;

const project = {
  'project.yml': 'name: k9\nversion: 1.0.0\ntargets:\n  default: dev\n  dev:\n    type: duckdb\n    path: k9.duckdb\n    threads: 2\n',
  'seeds/codes.csv': 'code,label\n' + Array.from({ length: 97 }, (_, i) => `${i},label ${i}`).join('\n') + '\n',
  'models/big_a.sql': "{{ config(materialized='table') }}\nselect range as id, range % 97 as code, md5(range::varchar) as h from range(120000)",
  'models/big_b.sql': "{{ config(materialized='table') }}\nselect a.id, c.label, a.h from {{ ref('big_a') }} a join {{ ref('codes') }} c on a.code = c.code",
  'models/inc.sql': "{{ config(materialized='incremental', unique_key='id', incremental_strategy='merge') }}\nselect id, h from {{ ref('big_a') }}",
  'models/agg.sql': "{{ config(materialized='table') }}\nselect label, count(*) as n from {{ ref('big_b') }} group by label",
  'models/v.sql': "select * from {{ ref('agg') }} where n > 0",
  'models/schema.yml': `version: 2
sources:
  - name: raw
    schema: raw
    tables:
      - name: parts
        external:
          location: data/raw/part_*.csv
        columns:
          - name: id
          - name: val
models:
  - name: big_a
    columns:
      - name: id
        data_tests: [unique, not_null]
`,
};
const TABLES = ['big_a', 'big_b', 'inc', 'agg', 'codes'];

function writePart(dir: string, n: number, rows: number, salt: number): void {
  const lines = ['id,val'];
  for (let i = 0; i < rows; i++) lines.push(`${i},v${salt}_${i}`);
  writeFileSync(join(dir, 'data/raw', `part_${n}.csv`), lines.join('\n') + '\n');
}

function dataRows(file: string): number {
  return readFileSync(file, 'utf8').split('\n').filter((l) => l.length > 0).length - 1;
}

describe(`kill -9 during builds and ingests (FAULT_SEED=${SEED})`, () => {
  let dir: string;
  const random = rng(SEED);
  const expected: Record<string, number> = {};
  const stats = { kills: 0, attempts: 0, builds: 0, ingests: 0 };

  beforeAll(() => {
    ensureBuilt();
    dir = scratch('kill9');
    writeFiles(dir, { ...project, 'data/raw/.keep': '' });
    for (let n = 0; n < 3; n++) writePart(dir, n, 60_000, n); // distinct content: equal files load once
  });
  afterAll(() => {
    console.log(`kill9: FAULT_SEED=${SEED} kills=${stats.kills} attempts=${stats.attempts} builds=${stats.builds} ingests=${stats.ingests}`);
    cleanup(dir);
  });

  async function state() {
    return withDb(join(dir, 'k9.duckdb'), async (q) => {
      const rels = await q("select table_schema as s, table_name as t, table_type as k from information_schema.tables where table_schema in ('main', 'raw')");
      const counts: Record<string, number> = {};
      for (const r of rels) if (r.s === 'main' && r.k === 'BASE TABLE') counts[String(r.t)] = (await q(`select count(*) as n from main."${String(r.t)}"`))[0].n as number;
      let raw: { files: Record<string, { rows: number; loads: number }>; orphanRows: number; auditMismatch: number } | null = null;
      if (rels.some((r) => r.s === 'raw' && r.t === 'parts')) {
        const per = await q('select _source_file as f, count(*) as n, count(distinct _load_id) as loads from raw.parts group by 1');
        const orphan = await q("select count(*) as n from raw.parts p where not exists (select 1 from raw._mflow_loads l where l.load_id = p._load_id and l.status = 'success')");
        const mismatch = await q("select count(*) as n from raw._mflow_loads l where l.status = 'success' and l.rows_loaded <> (select count(*) from raw.parts p where p._load_id = l.load_id)");
        raw = { files: Object.fromEntries(per.map((r) => [String(r.f), { rows: r.n as number, loads: r.loads as number }])), orphanRows: orphan[0].n as number, auditMismatch: mismatch[0].n as number };
      }
      return { names: rels.map((r) => `${String(r.s)}.${String(r.t)}`), counts, raw };
    });
  }

  function assertRawWhole(raw: NonNullable<Awaited<ReturnType<typeof state>>['raw']>, ctx: string): void {
    // Whole loads only: every row belongs to a committed load whose audit count matches, one version per file.
    expect(raw.orphanRows, ctx).toBe(0);
    expect(raw.auditMismatch, ctx).toBe(0);
    for (const [f, v] of Object.entries(raw.files)) expect(v.loads, `${ctx}: ${f} holds two versions`).toBe(1);
  }

  async function assertConverged(ctx: string): Promise<void> {
    const s = await state();
    for (const t of TABLES) expect(s.counts[t], `${ctx}: ${t}`).toBe(expected[t]);
    expect(s.names.filter((n) => /__mflow_(tmp|backup)/.test(n)), ctx).toEqual([]);
    if (s.raw) {
      assertRawWhole(s.raw, ctx);
      const onDisk = readdirSync(join(dir, 'data/raw')).filter((f) => /^part_\d+\.csv$/.test(f));
      for (const f of onDisk) expect(s.raw.files[`data/raw/${f}`]?.rows, `${ctx}: data/raw/${f}`).toBe(dataRows(join(dir, 'data/raw', f)));
    }
  }

  it(`survives at least ${MIN_KILLS} kills, each leaving whole relations and converging on rerun`, async () => {
    // A clean build and ingest: the expected state, and how long each takes (the kill window).
    let t0 = Date.now();
    const b = mflow(dir, ['build']);
    expect(b.code, b.out + b.err).toBe(0);
    const buildMs = Date.now() - t0;
    t0 = Date.now();
    const g = mflow(dir, ['ingest']);
    expect(g.code, g.out + g.err).toBe(0);
    const ingestMs = Date.now() - t0;
    const first = await state();
    for (const t of TABLES) expected[t] = first.counts[t];
    expect(expected.big_a).toBe(120_000);
    await assertConverged('initial');

    while (stats.kills < MIN_KILLS && stats.attempts < MAX_ATTEMPTS) {
      stats.attempts++;
      const isBuild = random() < 0.5;
      let args: string[];
      if (isBuild) {
        args = random() < 0.25 ? ['build', '--full-refresh'] : ['build'];
      } else {
        // Change one file at its path (or add one): the load must replace, never append.
        const n = Math.floor(random() * 4);
        writePart(dir, n, 20_000 + Math.floor(random() * 60_000), 100 + stats.attempts);
        args = random() < 0.2 ? ['ingest', '--full-refresh'] : ['ingest'];
      }
      const window = isBuild ? buildMs : ingestMs;
      const at = Math.floor(250 + random() * window);
      const ctx = `attempt ${stats.attempts}: ${args.join(' ')} killed at ${at} ms (FAULT_SEED=${SEED})`;
      const k = await mflowKilledAfter(dir, args, at);
      if (k.killed) stats.kills++;
      // Right after the kill: nothing half-built, nothing lost.
      const s = await state();
      for (const t of TABLES) expect(s.counts[t], `${ctx}: ${t} after the kill`).toBe(expected[t]);
      if (s.raw) assertRawWhole(s.raw, `${ctx}, after the kill`);
      // A rerun converges.
      const r = mflow(dir, args[0] === 'build' ? ['build'] : ['ingest']);
      expect(r.code, `${ctx}: rerun\n${r.out}${r.err}`).toBe(0);
      await assertConverged(`${ctx}, after the rerun`);
      if (isBuild) stats.builds++;
      else stats.ingests++;
    }
    expect(stats.kills).toBeGreaterThanOrEqual(MIN_KILLS);
    expect(existsSync(join(dir, 'k9.duckdb'))).toBe(true);
  }, 600_000);
});
