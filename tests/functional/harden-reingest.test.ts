import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ingestSources } from '../../src/ingest/index.js';
import { generateSynpuf } from '../../src/synpuf/generate.js';
import { BENEFICIARY_COLUMNS, INPATIENT_COLUMNS } from '../../src/synpuf/layouts.js';
import { ingestScratch, rows, sourceTable } from './ingest-helpers/source-table.js';

const scratch = ingestScratch();

/** A file that changes at its path replaces its earlier rows; it is never appended beside them. */
describe('re-ingesting a changed file', () => {
  it('keeps only the second sample after a different sample is generated at the same paths', async () => {
    const dir = join(scratch.project, 'data');
    const src = [
      sourceTable('beneficiary', BENEFICIARY_COLUMNS, { location: 'data/DE1_0_*_Beneficiary_Summary_File_Sample_*.csv' }),
      sourceTable('inpatient', INPATIENT_COLUMNS, { location: 'data/DE1_0_2008_to_2010_Inpatient_Claims_Sample_*.csv' }),
    ];
    await generateSynpuf({ beneficiaries: 40, seed: 1, outDir: dir });
    const first = await ingestSources(scratch.db.conn, src, scratch.opts());
    expect(first.success).toBe(true);
    const firstIds = await rows(scratch.db.conn, 'SELECT DISTINCT DESYNPUF_ID AS id FROM raw.beneficiary ORDER BY 1');
    await generateSynpuf({ beneficiaries: 30, seed: 2, outDir: dir });
    const second = await ingestSources(scratch.db.conn, src, scratch.opts({ connect: scratch.db.connect }));
    expect(second.success).toBe(true);
    expect(second.results.every((r) => r.status === 'success' && r.replaced)).toBe(true);
    // RAW holds exactly the rows of the files now on disk.
    const files = second.results.map((r) => r.file);
    for (const f of files) {
      const lines = readFileSync(join(scratch.project, f), 'utf8').split('\n').filter((l) => l.trim()).length - 1;
      const table = f.includes('Beneficiary') ? 'raw.beneficiary' : 'raw.inpatient';
      expect(await rows(scratch.db.conn, `SELECT count(*) AS n FROM ${table} WHERE _source_file = '${f}'`)).toEqual([{ n: lines }]);
    }
    const ids = await rows(scratch.db.conn, 'SELECT DISTINCT DESYNPUF_ID AS id FROM raw.beneficiary ORDER BY 1');
    expect(ids.length).toBeLessThanOrEqual(30);
    expect(ids.some((x) => firstIds.some((y) => y.id === x.id))).toBe(false);
    // The audit says what was replaced: old loads marked, new loads name the rows taken out.
    const r0 = second.results[0];
    expect(r0.replaced!.rows).toBe(first.results[0].rows_loaded);
    expect(r0.message).toMatch(/the file changed since it was loaded: replaced \d+ row/);
    const audit = await rows(scratch.db.conn, "SELECT status, count(*) AS n FROM raw._mflow_loads GROUP BY 1 ORDER BY 1");
    expect(audit).toEqual([{ status: 'replaced', n: files.length }, { status: 'success', n: files.length }]);
    const artifact = JSON.parse(readFileSync(join(scratch.project, 'target', 'ingest_results.json'), 'utf8'));
    expect(artifact.results[0].replaced).toMatchObject({ load_ids: [first.results[0].load_id], rows: first.results[0].rows_loaded });
  });

  it("takes a changed file's old rejects with it, and loads old content again when it comes back", async () => {
    const f = join(scratch.project, 'data', 'b.csv');
    const src = [sourceTable('b', ['a', 'b'], { location: 'data/b.csv' })];
    const { writeFileSync } = await import('node:fs');
    const v1 = 'a,b\n1,x\n2,y,z\n3,w\n';
    writeFileSync(f, v1);
    const one = await ingestSources(scratch.db.conn, src, scratch.opts());
    expect(one.results[0]).toMatchObject({ status: 'success', rows_loaded: 2, rows_rejected: 1 });
    writeFileSync(f, 'a,b\n7,q\n');
    const two = await ingestSources(scratch.db.conn, src, scratch.opts());
    expect(two.results[0]).toMatchObject({ status: 'success', rows_loaded: 1, replaced: { rows: 2, rejects: 1 } });
    expect(await rows(scratch.db.conn, 'SELECT a FROM raw.b')).toEqual([{ a: '7' }]);
    expect(await rows(scratch.db.conn, 'SELECT count(*) AS n FROM raw._mflow_rejects')).toEqual([{ n: 0 }]);
    writeFileSync(f, v1);
    const three = await ingestSources(scratch.db.conn, src, scratch.opts());
    expect(three.results[0]).toMatchObject({ status: 'success', rows_loaded: 2, rows_rejected: 1, replaced: { rows: 1 } });
    expect(await rows(scratch.db.conn, 'SELECT a FROM raw.b ORDER BY a')).toEqual([{ a: '1' }, { a: '3' }]);
  });
});

describe('a path changed to content loaded from another path', () => {
  it('drops the old rows of that path and loads nothing twice', async () => {
    const { writeFileSync } = await import('node:fs');
    const d = join(scratch.project, 'data');
    writeFileSync(join(d, 'p_1.csv'), 'a\n1\n2\n');
    writeFileSync(join(d, 'p_2.csv'), 'a\n3\n');
    const src = [sourceTable('p', ['a'], { location: 'data/p_*.csv' })];
    await ingestSources(scratch.db.conn, src, scratch.opts());
    writeFileSync(join(d, 'p_2.csv'), 'a\n1\n2\n'); // now a copy of p_1
    const r = await ingestSources(scratch.db.conn, src, scratch.opts());
    expect(r.results.map((x) => x.status)).toEqual(['skipped', 'skipped']);
    expect(r.results[1].replaced).toMatchObject({ rows: 1 });
    expect(await rows(scratch.db.conn, 'SELECT a, _source_file AS f FROM raw.p ORDER BY a')).toEqual([{ a: '1', f: 'data/p_1.csv' }, { a: '2', f: 'data/p_1.csv' }]);
  });
});

describe('the ingest row-count audit', () => {
  it('accepts a valid CSV with a quoted line break, counting records rather than lines', async () => {
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(scratch.project, 'data', 'n.csv'), 'id,note\r\n1,"two\r\nlines"\r\n2,"say ""hi"""\r\n\r\n3,plain\r\n');
    const r = await ingestSources(scratch.db.conn, [sourceTable('n', ['id', 'note'], { location: 'data/n.csv' })], scratch.opts());
    expect(r.results[0]).toMatchObject({ status: 'success', rows_in_file: 3, rows_loaded: 3, rows_rejected: 0 });
    expect(await rows(scratch.db.conn, 'SELECT id, note FROM raw.n ORDER BY id')).toEqual([
      { id: '1', note: 'two\r\nlines' },
      { id: '2', note: 'say "hi"' },
      { id: '3', note: 'plain' },
    ]);
  });
});
