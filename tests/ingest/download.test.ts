import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { strToU8, zipSync } from 'fflate';
import { downloadFile, downloadNppes, downloadSynpuf, ingestSources, synpufRemoteFiles } from '../../src/ingest/index.js';
import { MflowError } from '../../src/errors.js';
import { BENEFICIARY_COLUMNS, CARRIER_COLUMNS, INPATIENT_COLUMNS, OUTPATIENT_COLUMNS, PDE_COLUMNS } from '../../src/synpuf/layouts.js';
import { memoryDb, OHDSI_FIXTURES, rows, sourceTable } from '../functional/ingest-helpers/source-table.js';
import { startZipServer } from './zip-server.js';

const FIXTURES = OHDSI_FIXTURES;
const SAMPLE = 11;

/** The fixture CSV for a CMS file name of sample 11 (sample numbers differ only in the name). */
function fixtureFor(csvName: string): Buffer {
  return readFileSync(join(FIXTURES, csvName.replace(/_Sample_11/, '_Sample_0')));
}

let server: Awaited<ReturnType<typeof startZipServer>>;
const expected = new Map<string, Buffer>();
let outpatientPath = '';

beforeAll(async () => {
  const files = new Map<string, Uint8Array>();
  const drop = new Map<string, number>();
  for (const f of synpufRemoteFiles(SAMPLE, 'http://x')) {
    const path = new URL(f.url).pathname;
    const csv = fixtureFor(f.csvName);
    expected.set(f.csvName, csv);
    // Like some CMS archives, the outpatient ZIP stores its CSV as "... - Copy.csv".
    const inner = f.csvName.includes('Outpatient') ? f.csvName.replace('.csv', ' - Copy.csv') : f.csvName;
    files.set(path, zipSync({ [inner]: new Uint8Array(csv) }, { level: 0 }));
    if (f.csvName.includes('Outpatient')) {
      outpatientPath = path;
      drop.set(path, 700);
    }
  }
  const nppesCsv = '"NPI","Entity Type Code","Provider Last Name (Legal Name)"\n"1234567893","1","SMITH"\n"1245319599","",""\n';
  files.set('/nppes/NPPES_Data_Dissemination_March_2025.zip', zipSync({
    'npidata_pfile_20050523-20250309_fileheader.csv': strToU8('"NPI","Entity Type Code","Provider Last Name (Legal Name)"\n'),
    'npidata_pfile_20050523-20250309.csv': strToU8(nppesCsv),
    'pl_pfile_20050523-20250309.csv': strToU8('"NPI"\n'),
  }));
  expected.set('npidata', Buffer.from(nppesCsv));
  server = await startZipServer(files, drop);
});
afterAll(() => server.close());

describe('downloadSynpuf against a local server', () => {
  it('fetches the eight ZIPs with the CMS quirks, resumes a dropped connection, unpacks them and they ingest', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'mflow-dl-')), 'synpuf');
    const got = await downloadSynpuf({ sample: SAMPLE, outDir: out, baseUrl: server.url, retries: 3 });
    expect(got).toHaveLength(8);
    // the 11A carrier ZIP is published as .csv.zip but saved as .zip
    expect(server.requests.some((r) => r.path.endsWith('/files/DE1_0_2008_to_2010_Carrier_Claims_Sample_11A.csv.zip') && r.status === 200)).toBe(true);
    expect(readdirSync(out).filter((n) => n.endsWith('.zip')).sort()).toContain('DE1_0_2008_to_2010_Carrier_Claims_Sample_11A.zip');
    // the dropped transfer was resumed with a Range request from byte 700
    const op = server.requests.filter((r) => r.path === outpatientPath);
    expect(op.map((r) => [r.range, r.status])).toEqual([[null, 200], ['bytes=700-', 206]]);
    expect(got.find((g) => g.url.endsWith(outpatientPath))?.resumes).toBe(1);
    expect(got.find((g) => g.csv?.includes('Outpatient'))?.innerName).toBe('DE1_0_2008_to_2010_Outpatient_Claims_Sample_11 - Copy.csv');
    for (const [name, bytes] of expected) if (name !== 'npidata') expect(readFileSync(join(out, name)).equals(bytes)).toBe(true);
    expect(readdirSync(out).filter((n) => n.endsWith('.part'))).toEqual([]);

    // a second run fetches nothing
    const before = server.requests.length;
    const again = await downloadSynpuf({ sample: SAMPLE, outDir: out, baseUrl: server.url });
    expect(again.every((g) => g.skipped)).toBe(true);
    expect(server.requests.length).toBe(before);

    // and the downloaded files load with the same source declarations as generated ones
    const db = await memoryDb();
    try {
      const report = await ingestSources(db.conn, [
        sourceTable('beneficiary', BENEFICIARY_COLUMNS, { location: 'synpuf/DE1_0_*_Beneficiary_Summary_File_Sample_*.csv' }),
        sourceTable('inpatient', INPATIENT_COLUMNS, { location: 'synpuf/*_Inpatient_Claims_Sample_*.csv' }),
        sourceTable('outpatient', OUTPATIENT_COLUMNS, { location: 'synpuf/*_Outpatient_Claims_Sample_*.csv' }),
        sourceTable('carrier', CARRIER_COLUMNS, { location: 'synpuf/*_Carrier_Claims_Sample_*.csv' }),
        sourceTable('pde', PDE_COLUMNS, { location: 'synpuf/*_Prescription_Drug_Events_Sample_*.zip' }),
      ], { projectDir: join(out, '..'), targetDir: join(out, '..', 'target') });
      expect(report.results.map((r) => r.status)).toEqual(Array(8).fill('success'));
      expect(await rows(db.conn, 'SELECT count(*) AS n FROM raw.carrier')).toEqual([{ n: 2 }]);
    } finally {
      db.close();
    }
  });

  it('offline: fails fast with a clear message and writes nothing', async () => {
    const port = await closedPort();
    const out = join(mkdtempSync(join(tmpdir(), 'mflow-dl-')), 'synpuf');
    const t0 = Date.now();
    const err = await downloadSynpuf({ sample: 1, outDir: out, baseUrl: `http://127.0.0.1:${port}` }).catch((e) => e);
    expect(err).toBeInstanceOf(MflowError);
    expect(err.message).toContain(`could not reach 127.0.0.1:${port}`);
    expect(err.message).toContain('ECONNREFUSED');
    expect(err.hint).toContain('mflow generate synpuf');
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(existsSync(out)).toBe(false);
  });

  it('reports a missing file (HTTP 404) by URL without retrying', async () => {
    const out = mkdtempSync(join(tmpdir(), 'mflow-dl-'));
    const err = await downloadFile(`${server.url}/files/nope.zip`, join(out, 'nope.zip'), { retries: 3 }).catch((e) => e);
    expect(err).toBeInstanceOf(MflowError);
    expect(err.message).toBe(`${server.url}/files/nope.zip answered HTTP 404`);
    expect(server.requests.filter((r) => r.path === '/files/nope.zip')).toHaveLength(1);
    expect(readdirSync(out)).toEqual([]);
  });

  it('resumes a .part left by an earlier interrupted run', async () => {
    const out = mkdtempSync(join(tmpdir(), 'mflow-dl-'));
    const path = synpufRemoteFiles(SAMPLE, 'http://x').map((f) => new URL(f.url).pathname).find((p) => p.includes('Inpatient')) as string;
    const full = await (await fetch(server.url + path)).arrayBuffer();
    const dest = join(out, 'ip.zip');
    writeFileSync(`${dest}.part`, Buffer.from(full).subarray(0, 300));
    const r = await downloadFile(server.url + path, dest);
    expect(r.resumes).toBe(1);
    expect(readFileSync(dest).equals(Buffer.from(full))).toBe(true);
    expect(server.requests.at(-1)).toEqual({ path, range: 'bytes=300-', status: 206 });
  });
});

describe('URL locations', () => {
  it('downloads a URL location into data/downloads, and external.download fills an empty glob, then both load', async () => {
    const project = mkdtempSync(join(tmpdir(), 'mflow-url-'));
    const pdePath = synpufRemoteFiles(SAMPLE, 'http://x').map((f) => new URL(f.url).pathname).find((p) => p.includes('Prescription')) as string;
    const ipPath = synpufRemoteFiles(SAMPLE, 'http://x').map((f) => new URL(f.url).pathname).find((p) => p.includes('Inpatient')) as string;
    const db = await memoryDb();
    try {
      const report = await ingestSources(db.conn, [
        sourceTable('pde', PDE_COLUMNS, { location: server.url + pdePath }),
        sourceTable('inpatient', INPATIENT_COLUMNS, { location: 'data/ip/*.zip', download: { url: server.url + ipPath } }),
      ], { projectDir: project, targetDir: join(project, 'target') });
      expect(report.results.map((r) => [r.file.replace(/\.zip\/.*$/, '.zip'), r.status])).toEqual([
        ['data/downloads/DE1_0_2008_to_2010_Prescription_Drug_Events_Sample_11.zip', 'success'],
        ['data/ip/DE1_0_2008_to_2010_Inpatient_Claims_Sample_11.zip', 'success'],
      ]);
      expect(await rows(db.conn, 'SELECT (SELECT count(*) FROM raw.pde) AS pde, (SELECT count(*) FROM raw.inpatient) AS ip')).toEqual([{ pde: 2, ip: 2 }]);
    } finally {
      db.close();
    }
  });
});

describe('downloadNppes', () => {
  it('downloads the monthly bundle and unpacks only the main npidata file', async () => {
    const out = mkdtempSync(join(tmpdir(), 'mflow-nppes-'));
    const progress: number[] = [];
    const r = await downloadNppes({ outDir: out, baseUrl: server.url, month: new Date(Date.UTC(2025, 2, 15)), onProgress: (p) => progress.push(p.received) });
    expect(r.url).toBe(`${server.url}/nppes/NPPES_Data_Dissemination_March_2025.zip`);
    expect(r.csv).toBe(join(out, 'npidata_pfile_20050523-20250309.csv'));
    expect(readFileSync(r.csv as string).equals(expected.get('npidata') as Buffer)).toBe(true);
    expect(progress.length).toBeGreaterThan(0);
    expect(readdirSync(out).sort()).toEqual(['NPPES_Data_Dissemination_March_2025.zip', 'npidata_pfile_20050523-20250309.csv']);
  });
});

function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}
