import { existsSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/api.js';
import { toDbtManifest } from '../../src/artifacts/dbt-shape.js';
import { makeProject } from './helpers.js';

// The reused manifest read lazily (src/parse/partial/lazy.ts): a count-only compile of the whole
// project (what the CLI's `mflow compile` runs) parses only the nodes it needs of
// target/partial_parse_manifest.json. After every kind of change its compiled files, manifest.json
// and internal manifest must be, byte for byte, those of a full parse (--no-partial-parse).

const FILES: Record<string, string> = {
  'macros/m.sql': `{% macro cents(col) %}round({{ col }} * 100)::bigint{% endmacro %}\n`,
  // Non-ASCII text: the index holds byte offsets, not character offsets.
  'models/a.sql': `select 1 as id, 'été – €' as label, {{ cents('2.5') }} as amount, {{ var('year', 2009) }} as year\n`,
  'models/b.sql': `select * from {{ ref('a') }}\n`,
  'models/c.sql': `{{ config(materialized='ephemeral') }}\nselect id from {{ ref('a') }}\n`,
  'models/d.sql': `select * from {{ ref('c') }}\n`,
  'models/sub/f.sql': `select 2 as id -- ünïcode\n`,
  'models/schema.yml': `version: 2\nmodels:\n  - name: b\n    columns:\n      - name: id\n        data_tests: [not_null]\n`,
  'tests/no_negative.sql': `select * from {{ ref('b') }} where id < 0\n`,
  // A seed and an analysis: their dbt shape drops keys (a model's and a test's does not).
  'seeds/codes.csv': `code,label\n1,one\n`,
  'analyses/look.sql': `select count(*) from {{ ref('b') }}\n`,
};

function tree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else out.set(relative(dir, join(d, e.name)), readFileSync(join(d, e.name), 'utf8'));
    }
  };
  if (existsSync(dir)) walk(dir);
  return out;
}

/** A manifest's text less what differs between two invocations (the metadata's time and id). */
function manifestText(dir: string, targetPath: string, file: string): string {
  const text = readFileSync(join(dir, targetPath, file), 'utf8');
  const m = JSON.parse(text);
  // The file is exactly JSON.stringify of what it holds (no other spacing or escaping).
  expect(JSON.stringify(m)).toBe(text);
  m.metadata.generated_at = m.metadata.invocation_id = '';
  return JSON.stringify(m).replaceAll(`"${targetPath}/compiled/`, '"target/compiled/');
}

let cold = 0;
/** The CLI's compile (count only, lazy manifest allowed), then a full parse elsewhere: same bytes. */
async function lazyEqualsFull(dir: string, vars?: string) {
  const warm = await compile({ projectDir: dir, summaryOnly: true, vars });
  const target = `cold-${cold++}`;
  const full = await compile({ projectDir: dir, targetPath: target, partialParse: false, vars });
  expect(full.parse?.mode).toBe('full');
  expect(warm.count).toBe(full.count);
  // The count-only result still gives every node's SQL (read from the manifest when asked).
  expect({ ...warm.compiled }).toEqual(full.compiled);
  const w = tree(join(dir, 'target', 'compiled'));
  const f = tree(join(dir, target, 'compiled'));
  expect([...w.keys()].sort()).toEqual([...f.keys()].sort());
  for (const [path, text] of f) expect(w.get(path), path).toBe(text);
  for (const file of ['manifest.json', 'partial_parse_manifest.json']) expect(manifestText(dir, 'target', file), file).toBe(manifestText(dir, target, file));
  // manifest.json is what writeManifest writes of the manifest beside it (the writer that reuses
  // nodes' JSON and records their positions gives the same bytes).
  for (const t of ['target', target]) expect(readFileSync(join(dir, t, 'manifest.json'), 'utf8')).toBe(JSON.stringify(toDbtManifest(JSON.parse(readFileSync(join(dir, t, 'partial_parse_manifest.json'), 'utf8')))));
  rmSync(join(dir, target), { recursive: true, force: true });
  return warm.parse;
}

// Reads `graph` at render time (so it renders every time): the nodes it reads come from the lazy manifest.
const GRAPH_READER = `select {{ graph.nodes.values() | list | length }} as n_nodes, '{% for n in graph.nodes.values() %}{% if n.name == 'a' %}{{ n.raw_code | length }}{% endif %}{% endfor %}' as a_len\n`;

function setup(extra: Record<string, string> = {}) {
  const files = { ...FILES, ...extra };
  const p = makeProject(files);
  const old = new Date(Date.now() - 10_000);
  for (const f of [...Object.keys(files), 'project.yml']) utimesSync(join(p.dir, f), old, old);
  return { dir: p.dir, write: (path: string, text: string) => writeFileSync(join(p.dir, path), text) };
}

describe('partial parsing with the manifest read lazily', () => {
  it('gives a full parse’s bytes after edits of a referenced model, an ephemeral one, a new ref, a macro, vars and a deletion', async () => {
    const { dir, write } = setup();
    expect((await lazyEqualsFull(dir))?.mode).toBe('full');
    expect(existsSync(join(dir, 'target/partial_parse_index.json'))).toBe(true);
    const total = Object.keys(JSON.parse(readFileSync(join(dir, 'target/partial_parse_manifest.json'), 'utf8')).nodes).length;

    // A model that others ref (b, the ephemeral c and through it d; g reads its raw_code from `graph`).
    write('models/a.sql', FILES['models/a.sql'].replace('1 as id', '11 as id'));
    let r = await lazyEqualsFull(dir);
    expect(r?.mode).toBe('partial');
    expect(r?.nodesRead).toBeGreaterThan(0);
    expect(r?.nodesRead).toBeLessThan(total);
    // The same again: the index written by the splice is the one read now.
    write('models/a.sql', FILES['models/a.sql'].replace('1 as id', '12 as id').replace('été', 'ÉTÉ ü'));
    r = await lazyEqualsFull(dir);
    expect(r?.mode).toBe('partial');
    expect(r?.nodesRead).toBeLessThan(total);

    // An ephemeral model: its child renders it inline.
    write('models/c.sql', `{{ config(materialized='ephemeral') }}\nselect id * 2 as id from {{ ref('a') }}\n`);
    expect((await lazyEqualsFull(dir))?.mode).toBe('partial');

    // A new ref: the graph changed, so the manifests are written whole (and their index with them).
    write('models/b.sql', `select * from {{ ref('a') }} join {{ ref('f') }} using (id)\n`);
    expect((await lazyEqualsFull(dir))?.mode).toBe('partial');
    write('models/sub/f.sql', `select 3 as id -- ünïcode\n`);
    expect((await lazyEqualsFull(dir))?.mode).toBe('partial');

    // A macro: full parse.
    write('macros/m.sql', `{% macro cents(col) %}round({{ col }} * 1000)::bigint{% endmacro %}\n`);
    expect((await lazyEqualsFull(dir))?.mode).toBe('full');
    write('models/a.sql', FILES['models/a.sql'].replace('1 as id', '13 as id'));
    expect((await lazyEqualsFull(dir))?.mode).toBe('partial');

    // Vars: full parse, then partial again under the same vars.
    expect((await lazyEqualsFull(dir, 'year: 2010'))?.mode).toBe('full');
    write('models/a.sql', FILES['models/a.sql'].replace('1 as id', '14 as id'));
    expect((await lazyEqualsFull(dir, 'year: 2010'))?.mode).toBe('partial');

    // A deleted model: full parse; its compiled file is gone from neither... compared below.
    rmSync(join(dir, 'models/d.sql'));
    rmSync(join(dir, 'target/compiled/fn/models/d.sql'));
    expect((await lazyEqualsFull(dir, 'year: 2010'))?.mode).toBe('full');
    write('models/b.sql', `select id + 100 as id from {{ ref('a') }}\n`);
    expect((await lazyEqualsFull(dir, 'year: 2010'))?.mode).toBe('partial');

    // Nothing changed: up to date, and still the same bytes.
    expect((await lazyEqualsFull(dir, 'year: 2010'))?.mode).toBe('partial');
  });

  it('a model whose render reads graph sees every node, and what changed', async () => {
    const { dir, write } = setup({ 'models/g.sql': GRAPH_READER });
    await lazyEqualsFull(dir);
    write('models/a.sql', FILES['models/a.sql'].replace('1 as id', '11111 as id'));
    const r = await lazyEqualsFull(dir);
    expect(r?.mode).toBe('partial');
    expect(readFileSync(join(dir, 'target/compiled/fn/models/g.sql'), 'utf8')).toContain(`'${FILES['models/a.sql'].length + 4}' as a_len`);
    write('models/g.sql', GRAPH_READER.replace('as n_nodes', 'as node_count'));
    expect((await lazyEqualsFull(dir))?.mode).toBe('partial');
  });

  it('a compile that reads the manifest whole (a selection) keeps the index right for the next lazy one', async () => {
    const { dir, write } = setup();
    await lazyEqualsFull(dir);
    write('models/a.sql', FILES['models/a.sql'].replace('1 as id', '21 as id'));
    const sel = await compile({ projectDir: dir, select: ['a'] });
    expect(sel.parse?.mode).toBe('partial');
    expect(sel.parse?.nodesRead).toBeUndefined();
    write('models/b.sql', `select id * 7 as id from {{ ref('a') }}\n`);
    const r = await lazyEqualsFull(dir);
    expect(r?.mode).toBe('partial');
    expect(r?.nodesRead).toBeGreaterThan(0);
  });

  it('an index that does not match the manifest is not used', async () => {
    const { dir, write } = setup();
    await lazyEqualsFull(dir);
    // Another token: the manifest is parsed whole, and the output is still right.
    const f = join(dir, 'target/partial_parse_index.json');
    const ix = JSON.parse(readFileSync(f, 'utf8'));
    writeFileSync(f, JSON.stringify({ ...ix, token: 'other' }));
    write('models/b.sql', `select id + 1 as id from {{ ref('a') }}\n`);
    const r = await lazyEqualsFull(dir);
    expect(r?.mode).toBe('partial');
    expect(r?.nodesRead).toBeUndefined();
    // That compile wrote the manifest by splicing without an index: none now, so the next compile
    // parses the manifest whole too.
    write('models/b.sql', `select id + 2 as id from {{ ref('a') }}\n`);
    expect((await lazyEqualsFull(dir))?.nodesRead).toBeUndefined();
  });
});
