import { closeSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import ExcelJS from 'exceljs';
import { MflowError } from '../errors.js';

/**
 * Excel workbooks (`external.format: xlsx`): CMS publishes some tables only as XLSX (the NPPES
 * Deactivated NPI Report). The chosen sheet is streamed out to a CSV file that the CSV loader then
 * reads like any other, so the schema audit, the row-count audit and the rejects work unchanged.
 * exceljs reads the workbook as a stream, so a 300,000-row sheet never sits in memory whole.
 */
export interface XlsxToCsvOptions {
  /** Sheet name; the first sheet when absent. */
  sheet: string | null;
  /** Rows above the header row (CMS puts a title line there), dropped. */
  skipRows: number;
}

export interface XlsxToCsvResult {
  sheet: string;
  /** Sheet rows written after the skipped ones (header included; empty rows as empty lines). */
  lines: number;
}

/** Cell values as the CSV files CMS ships write them: dates MM/DD/YYYY, numbers without exponent. */
export function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isInteger(v) && Math.abs(v) >= 1e21 ? BigInt(v).toString() : String(v);
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  if (v instanceof Date) {
    const p = (n: number): string => String(n).padStart(2, '0');
    return `${p(v.getUTCMonth() + 1)}/${p(v.getUTCDate())}/${v.getUTCFullYear()}`;
  }
  const o = v as { richText?: { text: string }[]; result?: unknown; text?: unknown; error?: unknown };
  if (Array.isArray(o.richText)) return o.richText.map((t) => t.text).join('');
  if ('result' in o) return cellText(o.result);
  if ('text' in o) return cellText(o.text);
  if ('error' in o) return String(o.error);
  return String(v);
}

function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * Writes one sheet of `xlsxPath` as CSV to `outPath` (appearing only when complete). Rows keep
 * their sheet positions: an empty sheet row becomes an empty line (CSV readers skip those and the
 * loader numbers rows around them), and every row is padded to the header row's width because
 * Excel does not store trailing empty cells.
 */
export async function xlsxToCsv(xlsxPath: string, outPath: string, opts: XlsxToCsvOptions, displayPath = xlsxPath): Promise<XlsxToCsvResult> {
  const tmp = `${outPath}.part`;
  const fd = openSync(tmp, 'w');
  const sheets: string[] = [];
  let chosen: string | null = null;
  let lines = 0;
  let buf = '';
  const flush = (force: boolean): void => {
    if (buf.length > (force ? 0 : 1 << 20)) {
      writeSync(fd, buf);
      buf = '';
    }
  };
  try {
    const reader = new ExcelJS.stream.xlsx.WorkbookReader(xlsxPath, { worksheets: 'emit', sharedStrings: 'cache', styles: 'cache', hyperlinks: 'ignore', entries: 'ignore' });
    for await (const ws of reader) {
      const name = String((ws as unknown as { name?: string }).name ?? '');
      sheets.push(name);
      const wanted = chosen === null && (opts.sheet === null || name === opts.sheet);
      let width = 0;
      let next = opts.skipRows + 1;
      for await (const row of ws) {
        if (!wanted || row.number <= opts.skipRows) continue;
        const values = (row.values as unknown[]).slice(1);
        if (width === 0) width = values.length;
        for (; next < row.number; next++, lines++) buf += '\n';
        const cells = values.map(cellText);
        while (cells.length < width) cells.push('');
        buf += cells.map(csvField).join(',') + '\n';
        lines++;
        next = row.number + 1;
        flush(false);
      }
      if (wanted) chosen = name;
    }
    flush(true);
  } catch (e) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw new MflowError('INGEST', `cannot read Excel workbook ${displayPath}: ${(e as Error)?.message ?? e}`, {
      file: displayPath,
      hint: 'the file may be truncated or not an .xlsx workbook (old .xls files are not read): download it again or save it as .xlsx',
      cause: e,
    });
  }
  closeSync(fd);
  if (chosen === null) {
    rmSync(tmp, { force: true });
    throw new MflowError('INGEST', `Excel workbook ${displayPath} has no sheet named '${opts.sheet}' (sheets: ${sheets.join(', ') || 'none'})`, {
      file: displayPath,
      hint: 'set external.sheet to one of those names, or leave it out to read the first sheet',
    });
  }
  renameSync(tmp, outPath);
  return { sheet: chosen, lines };
}
