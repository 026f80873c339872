// Loading an Excel workbook the size of CMS's NPPES Deactivated NPI Report (about 330,000 rows,
// title line, header, NPI + date) through `external.format: xlsx`, against loading the same rows
// as a CSV, in one run. Usage: npx tsc -p . && node bench/xlsx-ingest.mjs [--rows 333566]
// Prints seconds for both, their ratio, rows/s and the peak RSS of this process (the sheet is
// streamed, so memory should not grow with the row count).
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { zipSync } from 'fflate';
import { readFileSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';
import { ingestSources } from '../dist/ingest/index.js';

const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : def;
};
const ROWS = Number(arg('rows', '333566'));
const dir = mkdtempSync(join(tmpdir(), 'mflow-bench-xlsx-'));
mkdirSync(join(dir, 'data'), { recursive: true });
const npi = (i) => String(1000000000 + i * 7);
const day = (i) => `${String((i % 12) + 1).padStart(2, '0')}/${String((i % 28) + 1).padStart(2, '0')}/${2008 + (i % 17)}`;

let t = Date.now();
const book = join(dir, 'book.xlsx');
const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: book, useSharedStrings: false });
const ws = wb.addWorksheet('DeactivatedNPIs');
ws.addRow(['NPPES Deactivated Records']).commit();
ws.addRow(['NPI', 'NPPES Deactivation Date']).commit();
for (let i = 0; i < ROWS; i++) ws.addRow([npi(i), day(i)]).commit();
await wb.commit();
writeFileSync(join(dir, 'data', 'NPPES_Deactivated_NPI_Report_021026.zip'), zipSync({ 'NPPES Deactivated NPI Report 20260209.xlsx': readFileSync(book) }));
rmSync(book);
const csvLines = ['NPI,NPPES Deactivation Date'];
for (let i = 0; i < ROWS; i++) csvLines.push(`${npi(i)},${day(i)}`);
writeFileSync(join(dir, 'data', 'deactivated.csv'), csvLines.join('\n') + '\n');
console.log(`wrote ${ROWS} rows as XLSX (in its ZIP) and as CSV in ${((Date.now() - t) / 1000).toFixed(1)}s`);

function source(name, external) {
  const columns = ['NPI', 'NPPES Deactivation Date'];
  return {
    unique_id: `source.bench.raw.${name}`, resource_type: 'source', source_name: 'raw', name, package_name: 'bench', path: 'x', original_file_path: 'x',
    fqn: ['bench', 'raw', name], database: null, schema: 'raw', identifier: name, relation_name: `"raw"."${name}"`, description: '', source_description: '',
    columns: Object.fromEntries(columns.map((c) => [c, { name: c, description: '', meta: {}, tags: [] }])), meta: {}, tags: [], config: { enabled: true },
    loader: 'mflow', quoting: {}, external,
  };
}

async function load(src) {
  const inst = await DuckDBInstance.create(':memory:');
  const conn = await inst.connect();
  const t0 = Date.now();
  const r = await ingestSources(conn, [src], { projectDir: dir, targetDir: join(dir, 'target') });
  const s = (Date.now() - t0) / 1000;
  const res = r.results[0];
  if (res.status !== 'success' || res.rows_loaded !== ROWS) throw new Error(`load failed: ${res.status} ${res.message}`);
  conn.closeSync();
  inst.closeSync();
  return s;
}

const xlsx = await load(source('xlsx', { location: 'data/NPPES_Deactivated_NPI_Report_*.zip', format: 'xlsx', skip_rows: 1 }));
const csv = await load(source('csv', { location: 'data/deactivated.csv' }));
console.log(`xlsx (zip): ${xlsx.toFixed(1)} s (${Math.round(ROWS / xlsx).toLocaleString('en-US')} rows/s)`);
console.log(`csv:        ${csv.toFixed(1)} s (${Math.round(ROWS / csv).toLocaleString('en-US')} rows/s)`);
console.log(`xlsx / csv time: ${(xlsx / csv).toFixed(1)}x`);
console.log(`peak RSS: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
rmSync(dir, { recursive: true, force: true });
