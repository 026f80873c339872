import { openSync, writeSync, closeSync, createReadStream, renameSync, rmSync } from 'node:fs';
import { Unzip, UnzipInflate, type UnzipFile } from 'fflate';
import { MflowError } from '../errors.js';
import { Scanner, type FileScan } from './scan.js';

/** CMS ships some ZIPs whose CSV is named `... - Copy.csv`; this is the name it should have had. */
export function normaliseInnerName(name: string): string {
  return name.replace(/ - Copy\.csv$/i, '.csv').replace(/\.Copy\.csv$/i, '.csv');
}

export interface ExtractedCsv {
  /** Name inside the archive, as stored. */
  innerName: string;
  path: string;
  scan: FileScan;
}

/**
 * Streams the single data file out of a ZIP into `outPath` (DuckDB cannot read ZIPs without an
 * extension download), hashing and counting lines on the way so the CSV is read once here and
 * once by DuckDB. The output appears under its final name only when complete.
 */
export async function extractCsvFromZip(zipPath: string, outPath: string, pick: (name: string) => boolean = defaultPick, what = 'CSV'): Promise<ExtractedCsv> {
  const tmp = `${outPath}.part`;
  const fd = openSync(tmp, 'w');
  const scanner = new Scanner();
  let chosen: string | null = null;
  let names: string[] = [];
  let done = false;
  let failure: unknown = null;
  const unzip = new Unzip((file: UnzipFile) => {
    names.push(file.name);
    if (chosen !== null || file.name.endsWith('/') || !pick(file.name)) return;
    chosen = file.name;
    file.ondata = (err, data, final) => {
      if (err) {
        failure = err;
        return;
      }
      if (data.length) {
        writeSync(fd, data);
        scanner.push(data);
      }
      if (final) done = true;
    };
    file.start();
  });
  unzip.register(UnzipInflate);
  try {
    for await (const chunk of createReadStream(zipPath, { highWaterMark: 1 << 20 })) {
      unzip.push(chunk as Uint8Array, false);
      if (failure) break;
    }
    if (!failure) unzip.push(new Uint8Array(0), true);
  } catch (e) {
    failure = e;
  } finally {
    closeSync(fd);
  }
  if (failure || chosen === null || !done) {
    rmSync(tmp, { force: true });
    const why = failure ? String((failure as Error).message ?? failure) : chosen === null ? `it holds no ${what} (entries: ${names.join(', ') || 'none'})` : `the archive ended before the ${what} did`;
    throw new MflowError('INGEST', `cannot read ZIP ${zipPath}: ${why}`, {
      file: zipPath,
      hint: 'the download may be truncated: delete the file and download it again',
      cause: failure ?? undefined,
    });
  }
  renameSync(tmp, outPath);
  return { innerName: chosen, path: outPath, scan: scanner.finish() };
}

function defaultPick(name: string): boolean {
  return /\.(csv|txt)$/i.test(name) && !/fileheader/i.test(name);
}
