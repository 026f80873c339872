/**
 * Issue 14: NPPES as CMS publishes it. The Deactivated NPI Report is an Excel workbook in a ZIP
 * (a title line, then the header NPI, NPPES Deactivation Date); `external.format: xlsx` reads it
 * without anyone re-saving it as CSV, and the downloader puts it where MediFlow's source reads.
 * Older monthly files spell a header differently ("Provider Gender Code"); `column_aliases` maps it.
 * Workbooks are written with exceljs and zipped with fflate, as real files, never stubbed.
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { strToU8, zipSync } from 'fflate';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloadNppesDeactivated, ingestSources } from '../../src/ingest/index.js';
import { expandGlob } from '../../src/ingest/glob.js';
import { NPPES_COLUMNS } from '../../src/synpuf/layouts.js';
import { ingestScratch, rows, sourceTable } from '../functional/ingest-helpers/source-table.js';
import { REPO } from '../mediflow/pipeline.js';
import { startZipServer } from './zip-server.js';

const DEACT_COLUMNS = ['NPI', 'NPPES Deactivation Date'];

/** A workbook laid out like CMS's report: sheet DeactivatedNPIs, title row, header, rows. */
async function report(rowsIn: unknown[][], opts: { header?: string[]; sheet?: string } = {}): Promise<Uint8Array> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet(opts.sheet ?? 'DeactivatedNPIs');
  ws.addRow(['NPPES Deactivated Records as of 02/09/2026']);
  ws.addRow(opts.header ?? DEACT_COLUMNS);
  let r = 3;
  for (const values of rowsIn) {
    if (values.length) ws.getRow(r).values = values;
    r++;
  }
  ws.getColumn(2).numFmt = 'mm/dd/yyyy';
  return new Uint8Array(await wb.xlsx.writeBuffer());
}

const zipOf = (inner: string, bytes: Uint8Array): Uint8Array => zipSync({ [inner]: bytes });

const deactSource = (extra: Record<string, unknown> = {}) =>
  sourceTable('nppes_deactivated', DEACT_COLUMNS, { location: 'data/nppes/deactivated/NPPES_Deactivated_NPI_Report_*.zip', format: 'xlsx', skip_rows: 1, ...extra });

describe('external.format: xlsx', () => {
  const t = ingestScratch();

  it('loads the report as CMS ships it: the workbook in a ZIP, title line skipped, text, numbers and Excel dates as text, sheet row numbers', async () => {
    const dir = join(t.project, 'data/nppes/deactivated');
    mkdirSync(dir, { recursive: true });
    // text cells as CMS writes them, a number cell, an Excel date cell, an empty row, a short row
    const book = await report([['1234567893', '01/05/2026'], [1245319599, new Date(Date.UTC(2025, 11, 31))], [], ['1003000126']]);
    writeFileSync(join(dir, 'NPPES_Deactivated_NPI_Report_021026.zip'), zipOf('NPPES Deactivated NPI Report 20260209.xlsx', book));
    const r = await ingestSources(t.db.conn, [deactSource()], t.opts());
    expect(r.results.map((x) => [x.status, x.file, x.rows_in_file, x.rows_loaded, x.rows_rejected])).toEqual([
      ['success', 'data/nppes/deactivated/NPPES_Deactivated_NPI_Report_021026.zip/NPPES Deactivated NPI Report 20260209.xlsx', 3, 3, 0],
    ]);
    expect(await rows(t.db.conn, `SELECT "NPI", "NPPES Deactivation Date" AS d, _row_number FROM raw.nppes_deactivated ORDER BY _row_number`)).toEqual([
      { NPI: '1234567893', d: '01/05/2026', _row_number: 3 },
      { NPI: '1245319599', d: '12/31/2025', _row_number: 4 },
      { NPI: '1003000126', d: null, _row_number: 6 },
    ]);
    // the same workbook again is recognised by its hash and not loaded twice
    const again = await ingestSources(t.db.conn, [deactSource()], t.opts());
    expect(again.results.map((x) => x.status)).toEqual(['skipped']);
  });

  it('a bare .xlsx loads too (format inferred from the name), from a named sheet', async () => {
    writeFileSync(join(t.project, 'data/report.xlsx'), await report([['1234567893', '01/05/2026']], { sheet: 'Other' }));
    const src = sourceTable('nppes_deactivated', DEACT_COLUMNS, { location: 'data/report.xlsx', skip_rows: 1, sheet: 'Other' });
    const r = await ingestSources(t.db.conn, [src], t.opts());
    expect(r.results.map((x) => [x.status, x.rows_loaded])).toEqual([['success', 1]]);
  });

  it('a workbook whose header differs fails the schema audit by name and loads nothing; a missing sheet is named', async () => {
    const dir = join(t.project, 'data/nppes/deactivated');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'NPPES_Deactivated_NPI_Report_021026.zip'), zipOf('r.xlsx', await report([['1234567893', '01/05/2026']], { header: ['NPI', 'Deactivated On'] })));
    const r = await ingestSources(t.db.conn, [deactSource()], t.opts());
    expect(r.results[0].status).toBe('error');
    expect(r.results[0].message).toContain('schema audit failed for data/nppes/deactivated/NPPES_Deactivated_NPI_Report_021026.zip/r.xlsx');
    expect(r.results[0].message).toContain('NPPES Deactivation Date -> Deactivated On');
    expect(await rows(t.db.conn, 'SELECT count(*) AS n FROM raw.nppes_deactivated')).toEqual([{ n: 0 }]);

    const r2 = await ingestSources(t.db.conn, [deactSource({ sheet: 'Deactivations' })], t.opts({ fullRefresh: true }));
    expect(r2.results[0].status).toBe('error');
    expect(r2.results[0].message).toContain("has no sheet named 'Deactivations' (sheets: DeactivatedNPIs)");
  });

  it('a ZIP without a workbook, or a file that is not one, is an error naming the file', async () => {
    const dir = join(t.project, 'data/nppes/deactivated');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'NPPES_Deactivated_NPI_Report_011026.zip'), zipOf('readme.txt', strToU8('no workbook')));
    writeFileSync(join(dir, 'NPPES_Deactivated_NPI_Report_021026.zip'), zipOf('r.xlsx', strToU8('NPI,NPPES Deactivation Date\n')));
    const r = await ingestSources(t.db.conn, [deactSource()], t.opts());
    expect(r.results.map((x) => x.status)).toEqual(['error', 'error']);
    expect(r.results[0].message).toContain('NPPES_Deactivated_NPI_Report_011026.zip: it holds no .xlsx workbook (entries: readme.txt)');
    expect(r.results[1].message).toContain('cannot read Excel workbook data/nppes/deactivated/NPPES_Deactivated_NPI_Report_021026.zip/r.xlsx');
  });

  it('rejects workbook options on CSV sources and aliases to undeclared columns, with the YAML place', async () => {
    const csv = sourceTable('x', ['a'], { location: 'data/x.csv', skip_rows: 1 });
    const r = await ingestSources(t.db.conn, [csv], t.opts());
    expect(r.results[0].message).toContain('external.skip_rows applies to Excel workbooks only (format: xlsx), not to format csv');
    expect(r.results[0].message).toContain('models/sources.yml');
    const alias = sourceTable('x', ['Provider Sex Code'], { location: 'data/x.csv', column_aliases: { 'Provider Gender Code': 'Provider Sex Cod' } });
    const r2 = await ingestSources(t.db.conn, [alias], t.opts());
    expect(r2.results[0].message).toContain("maps 'Provider Gender Code' to 'Provider Sex Cod', which is not a declared column");
    expect(r2.results[0].message).toContain('did you mean Provider Sex Code?');
  });
});

describe('older NPPES header spellings', () => {
  const t = ingestScratch();
  const SEX = NPPES_COLUMNS.indexOf('Provider Sex Code');
  const oldHeader = NPPES_COLUMNS.map((c, i) => `"${i === SEX ? 'Provider Gender Code' : c}"`).join(',');
  const row = NPPES_COLUMNS.map((c) => `"${c === 'NPI' ? '1234567893' : c === 'Entity Type Code' ? '1' : c === 'Provider Sex Code' ? 'F' : ''}"`).join(',');

  it('a monthly file that says "Provider Gender Code" loads under the declared name, and the audit says so', async () => {
    mkdirSync(join(t.project, 'data/nppes'), { recursive: true });
    writeFileSync(join(t.project, 'data/nppes/npidata_pfile_20050523-20140309.csv'), `${oldHeader}\r\n${row}\r\n`);
    const loc = { location: 'data/nppes/npidata_pfile_20050523-[0-9]*[0-9].csv' };
    // without the alias the renamed column stops the load
    const bare = await ingestSources(t.db.conn, [sourceTable('nppes', NPPES_COLUMNS, loc)], t.opts());
    expect(bare.results[0].status).toBe('error');
    expect(bare.results[0].message).toContain('renamed column Provider Sex Code -> Provider Gender Code');
    const r = await ingestSources(t.db.conn, [sourceTable('nppes', NPPES_COLUMNS, { ...loc, column_aliases: { 'Provider Gender Code': 'Provider Sex Code' } })], t.opts());
    expect(r.results.map((x) => [x.status, x.rows_loaded])).toEqual([['success', 1]]);
    expect(r.results[0].message).toContain('older header spelling read as declared: Provider Gender Code -> Provider Sex Code');
    expect(await rows(t.db.conn, `SELECT "NPI", "Provider Sex Code" AS sex FROM raw.nppes`)).toEqual([{ NPI: '1234567893', sex: 'F' }]);
  });

  it("MediFlow's nppes and nppes_weekly sources declare the alias", () => {
    const yml = parseYaml(readFileSync(join(REPO, 'models/raw/sources.yml'), 'utf8')) as { sources: { tables: { name: string; external?: { column_aliases?: Record<string, string> } }[] }[] };
    const tables = yml.sources.flatMap((s) => s.tables);
    for (const name of ['nppes', 'nppes_weekly']) {
      expect(tables.find((x) => x.name === name)?.external?.column_aliases).toEqual({ 'Provider Gender Code': 'Provider Sex Code' });
    }
  });
});

describe('downloadNppesDeactivated', () => {
  let server: Awaited<ReturnType<typeof startZipServer>>;
  let book: Uint8Array;
  beforeAll(async () => {
    book = await report([['1234567893', '01/05/2026']]);
    server = await startZipServer(new Map([
      ['/nppes/NPPES_Deactivated_NPI_Report_021026.zip', zipOf('NPPES Deactivated NPI Report 20260209.xlsx', book)],
      ['/nppes/NPPES_Deactivated_NPI_Report_031026.zip', zipOf('readme.txt', strToU8('x'))],
    ]));
  });
  afterAll(() => server.close());

  it("fetches the report into the folder MediFlow's nppes_deactivated source reads, and it loads from there", async () => {
    const project = mkdtempSync(join(tmpdir(), 'mflow-deact-'));
    const outDir = join(project, 'data/nppes/deactivated');
    const got = await downloadNppesDeactivated({ outDir, baseUrl: server.url, reportDate: new Date(Date.UTC(2026, 1, 10)) });
    expect(got.url).toBe(`${server.url}/nppes/NPPES_Deactivated_NPI_Report_021026.zip`);
    expect(got.innerName).toBe('NPPES Deactivated NPI Report 20260209.xlsx');
    expect(readdirSync(outDir)).toEqual(['NPPES_Deactivated_NPI_Report_021026.zip']);
    // one location: the project's own declaration of the source matches the downloaded file
    const yml = parseYaml(readFileSync(join(REPO, 'models/raw/sources.yml'), 'utf8')) as { sources: { tables: { name: string; external: Record<string, unknown> }[] }[] };
    const ext = yml.sources.flatMap((s) => s.tables).find((x) => x.name === 'nppes_deactivated')!.external;
    expect(expandGlob(String(ext.location), project)).toEqual([got.zip]);
    const { memoryDb } = await import('../functional/ingest-helpers/source-table.js');
    const db = await memoryDb();
    try {
      const r = await ingestSources(db.conn, [sourceTable('nppes_deactivated', DEACT_COLUMNS, ext)], { projectDir: project, targetDir: join(project, 'target') });
      expect(r.results.map((x) => [x.status, x.rows_loaded])).toEqual([['success', 1]]);
    } finally {
      db.close();
      rmSync(project, { recursive: true, force: true });
    }
  });

  it('a report without a workbook fails at download time, naming the file', async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'mflow-deact-'));
    const err = await downloadNppesDeactivated({ outDir, baseUrl: server.url, reportDate: new Date(Date.UTC(2026, 2, 10)) }).catch((e) => e);
    expect(String(err.message)).toContain('NPPES_Deactivated_NPI_Report_031026.zip: it holds no .xlsx workbook (entries: readme.txt)');
    expect(readdirSync(outDir).filter((n) => n.includes('.check'))).toEqual([]);
    rmSync(outDir, { recursive: true, force: true });
  });
});
