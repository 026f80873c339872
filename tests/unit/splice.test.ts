import { describe, expect, it } from 'vitest';
import { spliceManifestBytes, splicePlan, valueEndBytes } from '../../src/artifacts/splice.js';
import { closeSource, dbtText, manifestText, openSource, rangesOf, readRange, splicedIndex, type ManifestIndex } from '../../src/parse/partial/lazy.js';
import { writeAtomicPieces } from '../../src/artifacts/write.js';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Manifest } from '../../src/contracts/manifest.js';

// Rewriting a manifest by replacing the changed nodes' slices of the old text (src/artifacts/splice.ts).
const manifest = () => ({
  metadata: { generated_at: 't0', invocation_id: 'i0' },
  nodes: {
    'model.p.a': { unique_id: 'model.p.a', raw_code: 'select "}" as x, \'{\\\\\' as y -- \\"model.p.b\\":{', config: { meta: { 'model.p.b': { unique_id: 'not me' } } } },
    'model.p.b': { unique_id: 'model.p.b', raw_code: 'select 1', compiled_code: 'select 1' },
    'model.p.b2': { unique_id: 'model.p.b2', raw_code: '[{]' },
  },
  parent_map: { 'model.p.b': [], 'model.p.a': ['model.p.b'] },
});

// The spliced text, joined (the writer writes the pieces as they are).
const spliceText = (old: string, meta: string, replace: Map<string, string>): string | null => {
  const r = spliceManifestBytes(Buffer.from(old), meta, replace);
  return r && Buffer.concat(r.parts).toString('utf8');
};

describe('manifest splicing', () => {
  it('finds the end of an object, skipping braces and escaped quotes inside strings', () => {
    const t = JSON.stringify({ a: 'x"}{\\', b: [1, { c: ']' }] });
    expect(valueEndBytes(Buffer.from(`${t},rest`), 0)).toBe(Buffer.byteLength(t));
    expect(valueEndBytes(Buffer.from('{"a":1'), 0)).toBe(-1);
    expect(valueEndBytes(Buffer.from('x'), 0)).toBe(-1);
  });

  it('gives the text JSON.stringify gives for the changed manifest', () => {
    const m = manifest();
    const old = JSON.stringify(m);
    m.metadata = { generated_at: 't1', invocation_id: 'i1' };
    m.nodes['model.p.b'] = { unique_id: 'model.p.b', raw_code: 'select 2 -- "quoted" }', compiled_code: 'select 2' };
    m.nodes['model.p.a'].raw_code = 'select 3';
    const got = spliceText(old, JSON.stringify(m.metadata), new Map(['model.p.b', 'model.p.a'].map((id) => [id, JSON.stringify(m.nodes[id as 'model.p.a'])])));
    expect(got).toBe(JSON.stringify(m));
  });

  it('returns null for a node that is not there or a text of another shape', () => {
    const old = JSON.stringify(manifest());
    expect(spliceText(old, '{}', new Map([['model.p.zz', '{}']]))).toBeNull();
    expect(spliceText(old.slice(0, 100), '{}', new Map([['model.p.b', '{}']]))).toBeNull();
    expect(spliceText(JSON.stringify({ nodes: {}, metadata: {} }), '{}', new Map())).toBeNull();
    // Only metadata: the nodes are kept as they were.
    expect(spliceText(old, '{"generated_at":"t9"}', new Map())).toBe(old.replace('{"generated_at":"t0","invocation_id":"i0"}', '{"generated_at":"t9"}'));
  });

  it('splices bytes to the same text, with multi-byte characters, and keeps the node index right', () => {
    const m = manifest() as unknown as Manifest;
    (m.nodes['model.p.b'] as { raw_code: string }).raw_code = 'select \'é€ü\' as x';
    const { text, index } = manifestText(m, true);
    expect(text).toBe(JSON.stringify(m));
    const old = Buffer.from(text);
    const ix = { ...index!, token: 't' } as ManifestIndex;
    expect(ix.size).toBe(old.length);
    ix.ids.forEach((id, i) => expect(JSON.parse(old.toString('utf8', ix.starts[i], ix.starts[i] + ix.lengths[i])).unique_id).toBe(id));
    expect(valueEndBytes(old, ix.nodesStart)).toBe(ix.nodesEnd);
    // The parent map, read when first used.
    expect(ix.later.map(([k]) => k)).toEqual(['parent_map']);
    expect(JSON.parse(old.toString('utf8', ix.later[0][1], ix.later[0][2]))).toEqual(m.parent_map);
    m.metadata = { generated_at: 't1 – ü', invocation_id: 'i1' } as never;
    (m.nodes['model.p.a'] as { raw_code: string }).raw_code = 'select 3 -- ∑';
    const ids = ['model.p.a', 'model.p.b2'];
    (m.nodes['model.p.b2'] as { raw_code: string }).raw_code = '[{]]]';
    const ranges = rangesOf(ix, ix.ids);
    for (const known of [undefined, ranges]) {
      const got = spliceManifestBytes(old, JSON.stringify(m.metadata), new Map(ids.map((id) => [id, JSON.stringify(m.nodes[id])])), known)!;
      const bytes = Buffer.concat(got.parts);
      expect(bytes.toString('utf8')).toBe(JSON.stringify(m));
      expect(got.size).toBe(bytes.length);
      const next = splicedIndex(ix, got, m.nodes);
      expect(next).toEqual(manifestText(m, true).index);
      expect(splicedIndex(ix, { ...got, cuts: [{ ...got.cuts[0], start: got.cuts[0].start + 1 }] }, m.nodes)).toBeNull();
    }
    expect(spliceManifestBytes(old, '{}', new Map([['model.p.zz', '{}']]))).toBeNull();
  });

  it('splices a file from the index without reading it whole, and indexes manifest.json beside it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mflow-splice-'));
    const m = manifest() as unknown as Manifest;
    (m.nodes['model.p.b'] as { raw_code: string }).raw_code = 'select \'é€ü\' as x';
    const { text, index } = manifestText(m, true);
    // A second file of the same nodes in another shape (as manifest.json is), one node left out.
    const other = { metadata: { v: 1 }, nodes: { 'model.p.a': { unique_id: 'model.p.a', x: 'ä' }, 'model.p.b': { unique_id: 'model.p.b' } }, more: [1] };
    const otherText = dbtText(other, index);
    expect(otherText).toBe(JSON.stringify(other));
    expect(index!.dbt!.starts[index!.ids.indexOf('model.p.b2')]).toBe(-1);
    writeFileSync(join(dir, 'a.json'), text);
    writeFileSync(join(dir, 'b.json'), otherText);
    const ix = { ...index!, token: 't' } as ManifestIndex;
    const open = (f: string) => {
      const src = openSource(join(dir, f));
      return { src, from: { fd: src.fd, size: src.size, read: (s: number, e: number) => readRange(src, s, e) } };
    };
    const a = open('a.json');
    const b = open('b.json');
    m.metadata = { generated_at: 't2 – ü', invocation_id: 'i2' } as never;
    (m.nodes['model.p.a'] as { raw_code: string }).raw_code = 'select 4 -- ∑∑';
    other.metadata = { v: 22 };
    other.nodes['model.p.a'].x = 'öö';
    const ownPlan = splicePlan(a.from, ix.nodesStart, JSON.stringify(m.metadata), new Map([['model.p.a', JSON.stringify(m.nodes['model.p.a'])]]), rangesOf(ix, ['model.p.a']))!;
    const i = ix.ids.indexOf('model.p.a');
    const dbtPlan = splicePlan(b.from, ix.dbt!.nodesStart, JSON.stringify(other.metadata), new Map([['model.p.a', JSON.stringify(other.nodes['model.p.a'])]]), new Map([['model.p.a', [ix.dbt!.starts[i], ix.dbt!.starts[i] + ix.dbt!.lengths[i]]]]))!;
    writeAtomicPieces(join(dir, 'a.json'), ownPlan.pieces);
    writeAtomicPieces(join(dir, 'b.json'), dbtPlan.pieces);
    // Read back: the texts JSON.stringify gives, and an index equal to a fresh one.
    expect(readFileSync(join(dir, 'a.json'), 'utf8')).toBe(JSON.stringify(m));
    expect(readFileSync(join(dir, 'b.json'), 'utf8')).toBe(JSON.stringify(other));
    const fresh = manifestText(m, true).index!;
    dbtText(other, fresh);
    expect(splicedIndex(ix, ownPlan, m.nodes, dbtPlan)).toEqual(fresh);
    // A range that is not the node's: no plan.
    expect(splicePlan(a.from, ix.nodesStart, '{}', new Map([['model.p.a', '{}']]), new Map([['model.p.a', [ix.starts[i] + 1, ix.starts[i] + ix.lengths[i]]]]))).toBeNull();
    closeSource(a.src);
    closeSource(b.src);
    rmSync(dir, { recursive: true, force: true });
  });
});
