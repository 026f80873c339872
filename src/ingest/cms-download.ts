import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { downloadFile, type DownloadProgress } from './download.js';
import { extractCsvFromZip } from './zip.js';
import { nppesDeactivatedUrl, nppesDeactivatedZipName, nppesUrl, nppesWeeklyUrl, nppesWeeklyZipName, nppesZipName, synpufRemoteFiles } from './cms-urls.js';

const OFFLINE_HINT = 'nothing was written. To work without the network, generate a synthetic sample instead: mflow generate synpuf --beneficiaries 10000 --out data/synpuf';

export interface CmsDownloadOptions {
  outDir: string;
  /** Replaces the CMS hosts (tests pass http://127.0.0.1:PORT). */
  baseUrl?: string;
  retries?: number;
  onProgress?: (p: DownloadProgress) => void;
  /** Also unpack each ZIP to its CSV next to it (default true), so the same source globs read
   * downloaded and generated data. */
  extract?: boolean;
  idleTimeoutMs?: number;
}

export interface DownloadedFile {
  url: string;
  zip: string;
  csv: string | null;
  /** Name of the CSV inside the ZIP as CMS stored it (e.g. `... - Copy.csv`). */
  innerName: string | null;
  skipped: boolean;
  resumes: number;
}

/**
 * Downloads the eight ZIPs of one DE-SynPUF subsample (and unpacks them). Files already complete
 * are not fetched again, partial ones are resumed.
 */
export async function downloadSynpuf(opts: CmsDownloadOptions & { sample: number }): Promise<DownloadedFile[]> {
  const files = synpufRemoteFiles(opts.sample, opts.baseUrl);
  const out: DownloadedFile[] = [];
  for (const f of files) {
    const zip = join(opts.outDir, f.zipName);
    const r = await downloadFile(f.url, zip, { retries: opts.retries, onProgress: opts.onProgress, idleTimeoutMs: opts.idleTimeoutMs, offlineHint: OFFLINE_HINT });
    out.push(await maybeExtract(r.url, zip, join(opts.outDir, f.csvName), r.skipped, r.resumes, opts.extract ?? true));
  }
  return out;
}

/**
 * Downloads the NPPES monthly full file for `month` (default: the current month) and unpacks its
 * main `npidata_pfile_*.csv` (not the `_fileheader` file).
 */
export async function downloadNppes(opts: CmsDownloadOptions & { month?: Date; v2?: boolean }): Promise<DownloadedFile> {
  const month = opts.month ?? new Date();
  return downloadNppesBundle(opts, nppesUrl(month, opts.v2, opts.baseUrl), nppesZipName(month, opts.v2));
}

/**
 * Downloads the NPPES weekly incremental bundle of the week starting `weekStart` and unpacks its
 * main `npidata_pfile_<from>-<to>.csv`. MediFlow's nppes_weekly source reads data/nppes/weekly/.
 */
export async function downloadNppesWeekly(opts: CmsDownloadOptions & { weekStart: Date; v2?: boolean }): Promise<DownloadedFile> {
  return downloadNppesBundle(opts, nppesWeeklyUrl(opts.weekStart, opts.v2, opts.baseUrl), nppesWeeklyZipName(opts.weekStart, opts.v2));
}

/**
 * Downloads the NPPES Deactivated NPI Report published on `reportDate` into `outDir`, the folder the
 * nppes_deactivated source reads (data/nppes/deactivated/). The ZIP stays as it is: the source
 * reads the workbook inside it. It is opened once here, so a truncated or wrong file fails now.
 */
export async function downloadNppesDeactivated(opts: CmsDownloadOptions & { reportDate: Date; v2?: boolean }): Promise<DownloadedFile> {
  const name = nppesDeactivatedZipName(opts.reportDate, opts.v2);
  const url = nppesDeactivatedUrl(opts.reportDate, opts.v2, opts.baseUrl);
  const zip = join(opts.outDir, name);
  const r = await downloadFile(url, zip, { retries: opts.retries, onProgress: opts.onProgress, idleTimeoutMs: opts.idleTimeoutMs, offlineHint: OFFLINE_HINT });
  const probe = join(opts.outDir, `${name}.check.xlsx`);
  try {
    const x = await extractCsvFromZip(zip, probe, (n) => /\.xlsx$/i.test(n), '.xlsx workbook');
    return { url, zip, csv: null, innerName: x.innerName, skipped: r.skipped, resumes: r.resumes };
  } finally {
    rmSync(probe, { force: true });
  }
}

/** A Data Dissemination bundle (ZIP64 for the full file): fetched, and its main CSV unpacked. */
async function downloadNppesBundle(opts: CmsDownloadOptions, url: string, zipName: string): Promise<DownloadedFile> {
  const zip = join(opts.outDir, zipName);
  const r = await downloadFile(url, zip, { retries: opts.retries, onProgress: opts.onProgress, idleTimeoutMs: opts.idleTimeoutMs, offlineHint: OFFLINE_HINT });
  if (opts.extract === false) return { url, zip, csv: null, innerName: null, skipped: r.skipped, resumes: r.resumes };
  const tmpName = join(opts.outDir, 'npidata_pfile.csv.extracting');
  const x = await extractCsvFromZip(zip, tmpName, (n) => /^npidata_pfile_.*\.csv$/i.test(n.split('/').pop() ?? '') && !/fileheader/i.test(n));
  const csv = join(opts.outDir, x.innerName.split('/').pop() as string);
  const { renameSync } = await import('node:fs');
  renameSync(x.path, csv);
  return { url, zip, csv, innerName: x.innerName, skipped: r.skipped, resumes: r.resumes };
}

async function maybeExtract(url: string, zip: string, csv: string, skipped: boolean, resumes: number, extract: boolean): Promise<DownloadedFile> {
  if (!extract) return { url, zip, csv: null, innerName: null, skipped, resumes };
  if (existsSync(csv) && skipped) return { url, zip, csv, innerName: null, skipped, resumes };
  const x = await extractCsvFromZip(zip, csv);
  return { url, zip, csv, innerName: x.innerName, skipped, resumes };
}
