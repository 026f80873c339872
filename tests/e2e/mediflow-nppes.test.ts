/**
 * Issue 14: NPPES as CMS publishes it. The monthly full file comes in a ZIP64 bundle and lands
 * in data/nppes/ (where the nppes source reads); weekly files in data/nppes/weekly/ replace older
 * rows of the same NPI; the Deactivated NPI Report (the Excel workbook in a ZIP, as CMS publishes
 * it) in data/nppes/deactivated/ deactivates NPIs, the newest report only. Codes spelt 1, 1.0 or "1" classify alike, and a misread file fails a data test.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { build } from '../../src/api.js';
import { CaptureConsole } from '../../src/console/console.js';
import { downloadNppes, downloadNppesWeekly } from '../../src/ingest/cms-download.js';
import ExcelJS from 'exceljs';
import { strToU8, zipSync } from 'fflate';
import { NPPES_COLUMNS } from '../../src/synpuf/layouts.js';
import { query } from '../functional/helpers.js';
import { copyProject, generate, ingest } from '../mediflow/pipeline.js';

const ENTITY = NPPES_COLUMNS.indexOf('Entity Type Code');
const LAST = NPPES_COLUMNS.indexOf('Provider Last Name (Legal Name)');

/** The generated extract's lines, each split into its quoted fields (NPPES quotes every value). */
function readNppes(file: string): { header: string; rows: string[][] } {
  const lines = readFileSync(file, 'utf8').split(/\r?\n/).filter((l) => l !== '');
  return { header: lines[0], rows: lines.slice(1).map((l) => l.slice(1, -1).split('","')) };
}
const writeRows = (file: string, header: string, rows: string[][], quote = (_i: number, v: string) => `"${v}"`) =>
  writeFileSync(file, [header, ...rows.map((r) => r.map((v, i) => quote(i, v)).join(','))].join('\r\n') + '\r\n');

async function sample(): Promise<{ dir: string; db: string; nppesFile: string }> {
  const dir = copyProject();
  await generate(dir, 300, 33);
  const nppesDir = join(dir, 'data', 'nppes');
  const [name] = readdirSync(nppesDir).filter((f) => f.startsWith('npidata_pfile_20050523-'));
  return { dir, db: join(dir, 'data', 'mediflow.duckdb'), nppesFile: join(nppesDir, name) };
}

/** The Deactivated NPI Report's workbook: title line, header NPI / NPPES Deactivation Date, rows. */
async function deactivationWorkbook(list: string[][]): Promise<Uint8Array> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('DeactivatedNPIs');
  ws.addRow(['NPPES Deactivated Records']);
  ws.addRow(['NPI', 'NPPES Deactivation Date']);
  for (const r of list) ws.addRow(r);
  return new Uint8Array(await wb.xlsx.writeBuffer());
}

async function buildAll(dir: string) {
  const report = await ingest(dir);
  expect(report.results.filter((r) => r.status === 'error')).toEqual([]);
  return build({ projectDir: dir, console: new CaptureConsole() });
}
const failed = (b: Awaited<ReturnType<typeof build>>) => b.results.filter((x) => !['success', 'pass'].includes(x.status)).map((x) => x.unique_id);

describe('MediFlow on NPPES as CMS publishes it', () => {
  it('classifies every provider whether the entity type reads 1, 1.0 or "1" (unquoted), with weekly and deactivation files', async () => {
    const { dir, db, nppesFile } = await sample();
    const { header, rows } = readNppes(nppesFile);
    const active = rows.filter((r) => r[ENTITY] !== '');
    expect(active.length).toBeGreaterThan(50);
    // a re-saved copy: half the codes as 1.0/2.0, the other half unquoted
    rows.forEach((r, i) => { if (r[ENTITY] !== '' && i % 2 === 0) r[ENTITY] = `${r[ENTITY]}.0`; });
    writeRows(nppesFile, header, rows, (i, v) => (i === ENTITY && !v.includes('.') ? v : `"${v}"`));
    // a weekly file renames one individual; the deactivation report deactivates another
    const [renamed, gone] = active.filter((r) => r[ENTITY].startsWith('1'));
    mkdirSync(join(dir, 'data/nppes/weekly'), { recursive: true });
    writeRows(join(dir, 'data/nppes/weekly/npidata_pfile_20250210-20250216.csv'), header, [renamed.map((v, i) => (i === LAST ? 'WEEKLYNAME' : i === ENTITY ? '1' : v))]);
    // the Deactivated NPI Report as CMS ships it (an Excel workbook in a ZIP). Only the newest
    // report counts: the January one still lists an NPI that February's no longer does (reactivated).
    const back = active.filter((r) => r[ENTITY].startsWith('2'))[0];
    mkdirSync(join(dir, 'data/nppes/deactivated'), { recursive: true });
    writeFileSync(join(dir, 'data/nppes/deactivated/NPPES_Deactivated_NPI_Report_021025.zip'),
      zipSync({ 'NPPES Deactivated NPI Report 20250209.xlsx': await deactivationWorkbook([[gone[0], '02/01/2025']]) }));
    writeFileSync(join(dir, 'data/nppes/deactivated/NPPES_Deactivated_NPI_Report_011325.zip'),
      zipSync({ 'NPPES Deactivated NPI Report 20250112.xlsx': await deactivationWorkbook([[back[0], '01/02/2025']]) }));

    const b = await buildAll(dir);
    expect(failed(b)).toEqual([]);
    const kinds = await query(db, `select provider_kind, is_deactivated, count(*) as n from dim.dim_provider where provider_source = 'nppes' group by all order by all`);
    const n = (kind: string, deact: boolean) => Number(kinds.find((k) => k.provider_kind === kind && k.is_deactivated === deact)?.n ?? 0);
    expect(n('unknown', false)).toBe(0);
    expect(n('individual', false) + n('institution', false) + 1).toBe(active.length);
    const named = await query(db, `select provider_name, is_deactivated from dim.dim_provider where npi in ('${renamed[0]}', '${gone[0]}') order by npi = '${gone[0]}'`);
    expect(named[0].provider_name).toMatch(/^WEEKLYNAME, /);
    expect(named[1].is_deactivated).toBe(true);
    const reactivated = await query(db, `select provider_kind, is_deactivated from dim.dim_provider where npi = '${back[0]}'`);
    expect(reactivated).toEqual([{ provider_kind: 'institution', is_deactivated: false }]);
    const loads = await query(db, `select file, status, rows_loaded from raw._mflow_loads where source = 'source.mediflow.raw.nppes_deactivated' order by 1`);
    expect(loads.map((l) => [l.file, l.status, Number(l.rows_loaded)])).toEqual([
      ['data/nppes/deactivated/NPPES_Deactivated_NPI_Report_011325.zip/NPPES Deactivated NPI Report 20250112.xlsx', 'success', 1],
      ['data/nppes/deactivated/NPPES_Deactivated_NPI_Report_021025.zip/NPPES Deactivated NPI Report 20250209.xlsx', 'success', 1],
    ]);
    rmSync(dir, { recursive: true, force: true });
  }, 180_000);

  it('fails the data test when too many NPPES rows cannot be classified', async () => {
    const { dir, db, nppesFile } = await sample();
    const { header, rows } = readNppes(nppesFile);
    rows.forEach((r, i) => { if (r[ENTITY] !== '' && i % 10 === 0) r[ENTITY] = 'I'; });
    writeRows(nppesFile, header, rows);
    const b = await buildAll(dir);
    // the test fails (and `build` skips what depends on dim_provider's tests)
    expect(b.results.filter((x) => ['fail', 'error'].includes(x.status)).map((x) => x.unique_id)).toEqual(['test.mediflow.assert_nppes_providers_classified']);
    const bad = await query(db, `select count(*) as n from dim.dim_provider where provider_source = 'nppes' and provider_kind = 'unknown' and not is_deactivated`);
    expect(Number(bad[0].n)).toBeGreaterThan(5);
    rmSync(dir, { recursive: true, force: true });
  }, 180_000);

  it('the downloaders put the main file of the ZIP64 monthly bundle in data/nppes and a weekly one in data/nppes/weekly, where the sources read them', async () => {
    const { dir, db, nppesFile } = await sample();
    const { header, rows } = readNppes(nppesFile);
    const person = rows.find((r) => r[ENTITY] === '1')!;
    const weeklyCsv = [header, person.map((v, i) => `"${i === LAST ? 'FROMWEEKLY' : v}"`).join(',')].join('\r\n') + '\r\n';
    const weeklyZip = zipSync({ 'npidata_pfile_20250310-20250316_fileheader.csv': strToU8(header), 'npidata_pfile_20250310-20250316.csv': strToU8(weeklyCsv) });
    const bundle = join(dir, 'bundle.zip');
    // Python's zipfile writes real ZIP64 records (force_zip64), as CMS's 9 GB main file needs.
    const py = spawnSync('python3', ['-c', `import zipfile,sys
with zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED) as z:
    z.write(sys.argv[2], 'npidata_pfile_20050523-20250309_fileheader.csv')
    z.write(sys.argv[2], 'othername_pfile_20050523-20250309.csv')
    with open(sys.argv[2], 'rb') as src, z.open('npidata_pfile_20050523-20250309.csv', 'w', force_zip64=True) as dst:
        dst.write(src.read())`, bundle, nppesFile], { encoding: 'utf8' });
    expect(py.status, py.stderr).toBe(0);
    expect(readFileSync(bundle).includes(Buffer.from([0x01, 0x00, 0x10, 0x00]))).toBe(true); // ZIP64 extra field
    const expected = readFileSync(nppesFile);
    rmSync(nppesFile);
    const server = createServer((req, res) => {
      if (req.url === '/nppes/NPPES_Data_Dissemination_March_2025.zip') res.end(readFileSync(bundle));
      else if (req.url === '/nppes/NPPES_Data_Dissemination_031025_031625_Weekly.zip') res.end(weeklyZip);
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const got = await downloadNppes({ outDir: join(dir, 'data/nppes'), baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, month: new Date(Date.UTC(2025, 2, 1)) });
      expect(got.csv).toBe(join(dir, 'data/nppes/npidata_pfile_20050523-20250309.csv'));
      expect(readFileSync(got.csv!).equals(expected)).toBe(true);
      const weekly = await downloadNppesWeekly({ outDir: join(dir, 'data/nppes/weekly'), baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, weekStart: new Date(Date.UTC(2025, 2, 10)) });
      expect(weekly.csv).toBe(join(dir, 'data/nppes/weekly/npidata_pfile_20250310-20250316.csv'));
    } finally {
      server.close();
    }
    const b = await buildAll(dir);
    expect(failed(b)).toEqual([]);
    const loads = await query(db, `select file, status from raw._mflow_loads where source in ('source.mediflow.raw.nppes', 'source.mediflow.raw.nppes_weekly') order by 1`);
    expect(loads).toEqual([
      { file: 'data/nppes/npidata_pfile_20050523-20250309.csv', status: 'success' },
      { file: 'data/nppes/weekly/npidata_pfile_20250310-20250316.csv', status: 'success' },
    ]);
    const renamed = await query(db, `select provider_name from dim.dim_provider where npi = '${person[0]}'`);
    expect(renamed[0].provider_name).toMatch(/^FROMWEEKLY, /);
    rmSync(dir, { recursive: true, force: true });
  }, 180_000);
});
