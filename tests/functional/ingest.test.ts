import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { zipSync, strToU8 } from 'fflate';
import { ingestSources } from '../../src/ingest/index.js';
import type { IngestEvent } from '../../src/ingest/index.js';
import { BENEFICIARY_COLUMNS, CARRIER_COLUMNS, INPATIENT_COLUMNS, OUTPATIENT_COLUMNS, PDE_COLUMNS, SYNPUF_FILES } from '../../src/synpuf/layouts.js';
import { ingestScratch, OHDSI_FIXTURES, rows, sourceTable } from './ingest-helpers/source-table.js';

const fixturesDir = OHDSI_FIXTURES;

const scratch = ingestScratch();

function synpufSources(dir: string) {
  return [
    sourceTable('beneficiary', BENEFICIARY_COLUMNS, { location: `${dir}/DE1_0_*_Beneficiary_Summary_File_Sample_*.csv`, format: 'csv' }),
    sourceTable('inpatient', INPATIENT_COLUMNS, { location: `${dir}/DE1_0_2008_to_2010_Inpatient_Claims_Sample_*.csv` }),
    sourceTable('outpatient', OUTPATIENT_COLUMNS, { location: `${dir}/DE1_0_2008_to_2010_Outpatient_Claims_Sample_*.csv` }),
    sourceTable('carrier', CARRIER_COLUMNS, { location: `${dir}/DE1_0_2008_to_2010_Carrier_Claims_Sample_*[AB].csv` }),
    sourceTable('pde', PDE_COLUMNS, { location: `${dir}/DE1_0_2008_to_2010_Prescription_Drug_Events_Sample_*.csv` }),
  ];
}

describe('ingestSources on the OHDSI DE_0 fixtures', () => {
  it('loads all eight files as text with lineage, carrier A and B into one table', async () => {
    const report = await ingestSources(scratch.db.conn, synpufSources(fixturesDir), scratch.opts());
    expect(report.success).toBe(true);
    expect(report.results.map((r) => r.status)).toEqual(Array(8).fill('success'));
    const counts = await rows(scratch.db.conn, `SELECT
      (SELECT count(*) FROM raw.beneficiary) AS bene, (SELECT count(*) FROM raw.inpatient) AS ip,
      (SELECT count(*) FROM raw.outpatient) AS op, (SELECT count(*) FROM raw.carrier) AS car,
      (SELECT count(*) FROM raw.pde) AS pde`);
    expect(counts[0]).toEqual({ bene: 6, ip: 2, op: 2, car: 2, pde: 2 });
    // unpadded codes and amounts without decimals are kept exactly as in the file
    const b = await rows(scratch.db.conn, `SELECT SP_STATE_CODE, BENE_COUNTY_CD, MEDREIMB_OP, _source_file, _row_number FROM raw.beneficiary WHERE DESYNPUF_ID = '0002056B40CEE448' AND _source_file LIKE '%2008%'`);
    expect(b).toEqual([{ SP_STATE_CODE: '15', BENE_COUNTY_CD: '680', MEDREIMB_OP: '3620', _source_file: join(fixturesDir, 'DE1_0_2008_Beneficiary_Summary_File_Sample_0.csv'), _row_number: 2 }]);
    const types = await rows(scratch.db.conn, `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema='raw' AND table_name='pde' ORDER BY ordinal_position`);
    expect(types.map((t) => `${t.column_name}:${t.data_type}`)).toEqual([...PDE_COLUMNS.map((c) => `${c}:VARCHAR`), '_source_file:VARCHAR', '_row_number:BIGINT', '_load_id:VARCHAR', '_loaded_at:TIMESTAMP']);
    const carFiles = await rows(scratch.db.conn, `SELECT regexp_extract(_source_file, 'Sample_0[AB]') AS f, count(*) AS n FROM raw.carrier GROUP BY 1 ORDER BY 1`);
    expect(carFiles).toEqual([{ f: 'Sample_0A', n: 1 }, { f: 'Sample_0B', n: 1 }]);
    const audit = await rows(scratch.db.conn, `SELECT count(*) AS n, sum(rows_in_file) AS r, sum(rows_loaded) AS l, sum(rows_rejected) AS j FROM raw._mflow_loads WHERE status = 'success'`);
    expect(audit).toEqual([{ n: 8, r: 14, l: 14, j: 0 }]);
    const artifact = JSON.parse(readFileSync(join(scratch.project, 'target', 'ingest_results.json'), 'utf8'));
    expect(artifact.results).toHaveLength(8);
    expect(artifact.results[0]).toMatchObject({ status: 'success', rows_in_file: 2, rows_loaded: 2, rows_rejected: 0 });
  });

  it('loads sources in parallel on two connections with the same tables, lines and audits, in source order', async () => {
    const report = await ingestSources(scratch.db.conn, synpufSources(fixturesDir), scratch.opts({ connect: scratch.db.connect }));
    expect(report.success).toBe(true);
    expect(report.results.map((r) => r.source.split('.').pop())).toEqual(['beneficiary', 'beneficiary', 'beneficiary', 'inpatient', 'outpatient', 'carrier', 'carrier', 'pde']);
    expect(await rows(scratch.db.conn, `SELECT count(*) AS n, min(_row_number) AS lo, max(_row_number) AS hi FROM raw.beneficiary`)).toEqual([{ n: 6, lo: 2, hi: 3 }]);
    expect(await rows(scratch.db.conn, `SELECT count(*) AS n, sum(rows_loaded) AS l FROM raw._mflow_loads WHERE status = 'success'`)).toEqual([{ n: 8, l: 14 }]);
    // Loading again in parallel adds nothing.
    const again = await ingestSources(scratch.db.conn, synpufSources(fixturesDir), scratch.opts({ connect: scratch.db.connect }));
    expect(again.results.every((r) => r.status === 'skipped')).toBe(true);
  });

  it('is idempotent by content hash, appends new files, and reloads on full refresh', async () => {
    const dir = join(scratch.project, 'data');
    copyFileSync(join(fixturesDir, 'DE1_0_2008_Beneficiary_Summary_File_Sample_0.csv'), join(dir, 'DE1_0_2008_Beneficiary_Summary_File_Sample_0.csv'));
    const src = [sourceTable('beneficiary', BENEFICIARY_COLUMNS, { location: 'data/DE1_0_*_Beneficiary_Summary_File_Sample_*.csv' })];
    const count = async () => (await rows(scratch.db.conn, 'SELECT count(*) AS n FROM raw.beneficiary'))[0].n;
    expect((await ingestSources(scratch.db.conn, src, scratch.opts())).results.map((r) => r.status)).toEqual(['success']);
    expect(await count()).toBe(2);
    const again = await ingestSources(scratch.db.conn, src, scratch.opts());
    expect(again.results.map((r) => r.status)).toEqual(['skipped']);
    expect(await count()).toBe(2);
    // same content under another name is the same file
    copyFileSync(join(dir, 'DE1_0_2008_Beneficiary_Summary_File_Sample_0.csv'), join(dir, 'DE1_0_2011_Beneficiary_Summary_File_Sample_0.csv'));
    expect((await ingestSources(scratch.db.conn, src, scratch.opts())).results.map((r) => r.status)).toEqual(['skipped', 'skipped']);
    copyFileSync(join(fixturesDir, 'DE1_0_2009_Beneficiary_Summary_File_Sample_0.csv'), join(dir, 'DE1_0_2009_Beneficiary_Summary_File_Sample_0.csv'));
    const third = await ingestSources(scratch.db.conn, src, scratch.opts());
    expect(third.results.map((r) => `${r.file.split('/').pop()}:${r.status}`)).toEqual([
      'DE1_0_2008_Beneficiary_Summary_File_Sample_0.csv:skipped',
      'DE1_0_2009_Beneficiary_Summary_File_Sample_0.csv:success',
      'DE1_0_2011_Beneficiary_Summary_File_Sample_0.csv:skipped',
    ]);
    expect(await count()).toBe(4);
    const full = await ingestSources(scratch.db.conn, src, scratch.opts({ fullRefresh: true }));
    expect(full.results.map((r) => r.status)).toEqual(['success', 'success', 'success']);
    expect(await count()).toBe(6);
    expect((await rows(scratch.db.conn, `SELECT count(DISTINCT _load_id) AS n FROM raw.beneficiary`))[0].n).toBe(3);
    expect((await rows(scratch.db.conn, `SELECT count(*) AS n FROM raw._mflow_loads WHERE status='success'`))[0].n).toBe(3);
  });

  it('reads CMS originals: quoted header, CRLF, two-decimal amounts, and a ZIP whose CSV is named "- Copy.csv"', async () => {
    const lf = readFileSync(join(fixturesDir, 'DE1_0_2008_to_2010_Prescription_Drug_Events_Sample_0.csv'), 'utf8');
    const lines = lf.split('\n').filter((l) => l !== '');
    const crlf = lines.map((l, i) => (i === 0 ? l : l.replace(/,(\d+),(\d+)$/, ',$1.00,$2.00'))).join('\r\n') + '\r\n';
    const zip = zipSync({ 'DE1_0_2008_to_2010_Prescription_Drug_Events_Sample_1 - Copy.csv': strToU8(crlf) });
    writeFileSync(join(scratch.project, 'data', 'DE1_0_2008_to_2010_Prescription_Drug_Events_Sample_1.zip'), zip);
    const events: IngestEvent[] = [];
    const report = await ingestSources(scratch.db.conn, [sourceTable('pde', PDE_COLUMNS, { location: 'data/*Prescription_Drug_Events_Sample_*.zip' })], scratch.opts({ onEvent: (e: IngestEvent) => events.push(e) }));
    expect(report.results[0]).toMatchObject({ status: 'success', rows_in_file: 2, rows_loaded: 2, rows_rejected: 0 });
    expect(report.results[0].file).toBe('data/DE1_0_2008_to_2010_Prescription_Drug_Events_Sample_1.zip/DE1_0_2008_to_2010_Prescription_Drug_Events_Sample_1 - Copy.csv');
    const got = await rows(scratch.db.conn, `SELECT PTNT_PAY_AMT, TOT_RX_CST_AMT, _row_number FROM raw.pde ORDER BY _row_number`);
    expect(got).toEqual([
      { PTNT_PAY_AMT: '10.00', TOT_RX_CST_AMT: '270.00', _row_number: 2 },
      { PTNT_PAY_AMT: '20.00', TOT_RX_CST_AMT: '10.00', _row_number: 3 },
    ]);
    expect(events.map((e) => e.type)).toEqual(['source_start', 'file_start', 'file_done']);
  });
});
