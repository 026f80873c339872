/** Issue 14: an optional source with no file is created empty and audited as absent; a required one fails naming its pattern. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ingestSources } from '../../src/ingest/index.js';
import { PDE_COLUMNS } from '../../src/synpuf/layouts.js';
import { ingestScratch, rows, sourceTable } from './ingest-helpers/source-table.js';

const scratch = ingestScratch();
const HEADER = PDE_COLUMNS.map((c) => `"${c}"`).join(',');
const ROW = '00013D2EFD8E45D1,591011157031470,20080819,00093511406,30.000,30,0.00,10.00';
const pde = (ext: object) => [sourceTable('pde', PDE_COLUMNS, { location: 'data/pde_*.csv', ...ext })];

describe('optional sources', () => {
  it('no file: an empty table and an absent audit row; the run succeeds', async () => {
    const report = await ingestSources(scratch.db.conn, pde({ optional: true }), scratch.opts());
    expect(report.success).toBe(true);
    expect(report.results.map((r) => [r.status, r.file, r.rows_loaded])).toEqual([['absent', 'data/pde_*.csv', 0]]);
    expect(report.results[0].message).toContain("no file matches external.location 'data/pde_*.csv'");
    expect(await rows(scratch.db.conn, 'SELECT count(*) AS n FROM raw.pde')).toEqual([{ n: 0 }]);
    expect(await rows(scratch.db.conn, 'SELECT status FROM raw._mflow_loads')).toEqual([{ status: 'absent' }]);
  });

  it('keeps rows loaded before unless --full-refresh, which empties the table', async () => {
    writeFileSync(join(scratch.project, 'data', 'pde_1.csv'), `${HEADER}\n${ROW}\n`);
    expect((await ingestSources(scratch.db.conn, pde({ optional: true }), scratch.opts())).success).toBe(true);
    const { rmSync } = await import('node:fs');
    rmSync(join(scratch.project, 'data', 'pde_1.csv'));
    await ingestSources(scratch.db.conn, pde({ optional: true }), scratch.opts());
    expect(await rows(scratch.db.conn, 'SELECT count(*) AS n FROM raw.pde')).toEqual([{ n: 1 }]);
    const full = await ingestSources(scratch.db.conn, pde({ optional: true }), { ...scratch.opts(), fullRefresh: true });
    expect(full.results.map((r) => r.status)).toEqual(['absent']);
    expect(await rows(scratch.db.conn, 'SELECT count(*) AS n FROM raw.pde')).toEqual([{ n: 0 }]);
    expect(await rows(scratch.db.conn, 'SELECT status FROM raw._mflow_loads')).toEqual([{ status: 'absent' }]);
  });

  it('a required source with no file fails naming the pattern and the properties file; optional must be a boolean', async () => {
    const report = await ingestSources(scratch.db.conn, pde({}), scratch.opts());
    expect(report.success).toBe(false);
    expect(report.results[0].message).toContain("no file matches external.location 'data/pde_*.csv' of source raw.pde");
    expect(report.results[0].message).toContain('models/sources.yml');
    const bad = await ingestSources(scratch.db.conn, pde({ optional: 'yes' }), scratch.opts());
    expect(bad.results[0].message).toContain('external.optional must be true or false');
  });
});
