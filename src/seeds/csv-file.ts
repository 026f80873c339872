import { closeSync, openSync, readSync, readFileSync } from 'node:fs';
import { MflowError } from '../errors.js';

/**
 * The little CSV reading done in JavaScript: the header (DuckDB needs the column names up front so
 * that it never has to sniff a file, which hides ragged rows behind a vague sniffer error) and, on
 * the error path only, turning DuckDB's record number into the physical line of the file.
 */
export interface CsvDialect {
  delimiter: string;
  quote: string;
}

const BOM = '\uFEFF';

/** Column names from the first record; quoted names may hold the delimiter, quotes or newlines. */
export function readHeader(path: string, displayPath: string, d: CsvDialect): string[] {
  const fd = openSync(path, 'r');
  let text = '';
  try {
    const buf = Buffer.alloc(1 << 16);
    for (let pos = 0; ; ) {
      const n = readSync(fd, buf, 0, buf.length, pos);
      if (n === 0) break;
      pos += n;
      text += buf.toString('utf8', 0, n);
      const rec = firstRecord(text, d);
      if (rec) return checkNames(rec, displayPath);
      if (pos > 16 << 20) break;
    }
  } finally {
    closeSync(fd);
  }
  const rec = firstRecord(text, d, true);
  if (!rec || (rec.length === 1 && rec[0] === '')) throw new MflowError('SEED', 'The seed file is empty: it needs a header line with the column names', { file: displayPath, line: 1, hint: 'Add a header line, e.g. id,name' });
  return checkNames(rec, displayPath);
}

/** Fields of the first record, or null when the text ends inside it (and `atEnd` is false). */
function firstRecord(text: string, d: CsvDialect, atEnd = false): string[] | null {
  let s = text.startsWith(BOM) ? text.slice(1) : text;
  if (!atEnd) {
    // A multi-byte character may be cut at the chunk end; the record is complete only at a newline.
    if (!/[\r\n]/.test(s)) return null;
  } else s = s.replace(/[\r\n]+$/, '');
  const fields: string[] = [];
  let cur = '';
  let inQuote = false;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (inQuote) {
      if (ch === d.quote) {
        if (s[i + 1] === d.quote) {
          cur += ch;
          i++;
        } else inQuote = false;
      } else cur += ch;
    } else if (ch === d.quote && cur === '') inQuote = true;
    else if (s.startsWith(d.delimiter, i)) {
      fields.push(cur);
      cur = '';
      i += d.delimiter.length - 1;
    } else if (ch === '\n' || ch === '\r') {
      fields.push(cur);
      return fields;
    } else cur += ch;
  }
  if (!atEnd) return null;
  fields.push(cur);
  return fields;
}

function checkNames(names: string[], file: string): string[] {
  const seen = new Map<string, number>();
  names.forEach((n, i) => {
    if (n.trim() === '') throw new MflowError('SEED', `Column ${i + 1} of the header has no name`, { file, line: 1, column: i + 1, hint: 'Every column of a seed needs a name in the header line.' });
    const k = n.toLowerCase();
    if (seen.has(k)) throw new MflowError('SEED', `Column '${n}' appears twice in the header (columns ${seen.get(k)! + 1} and ${i + 1})`, { file, line: 1, column: i + 1, hint: 'Rename one of them.' });
    seen.set(k, i);
  });
  return names;
}

/**
 * Physical line where record `record` (1-based, the header being record 1) starts. DuckDB counts
 * records; a quoted field with line breaks makes them differ from the lines an editor shows.
 */
export function lineOfRecord(path: string, record: number, d: CsvDialect): number {
  const buf = readFileSync(path);
  const q = d.quote.charCodeAt(0);
  let line = 1;
  let rec = 1;
  let inQuote = false;
  for (let i = 0; i < buf.length && rec < record; i++) {
    const b = buf[i];
    if (b === q) inQuote = !inQuote;
    else if (b === 0x0a) {
      line++;
      if (!inQuote) rec++;
    } else if (b === 0x0d) {
      if (buf[i + 1] !== 0x0a) {
        line++;
        if (!inQuote) rec++;
      }
    }
  }
  return line;
}

/** Line and column (in characters) of the first byte of the file that is not valid UTF-8. */
export function firstBadUtf8(path: string): { line: number; column: number } | undefined {
  const bytes = readFileSync(path);
  let line = 1;
  let column = 1;
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i];
    const len = b < 0x80 ? 1 : b >= 0xc2 && b < 0xe0 ? 2 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xf0 && b < 0xf5 ? 4 : 0;
    if (len === 0 || i + len > bytes.length) return { line, column };
    for (let k = 1; k < len; k++) if ((bytes[i + k] & 0xc0) !== 0x80) return { line, column };
    if (b === 0x0a) {
      line++;
      column = 1;
    } else column++;
    i += len;
  }
  return undefined;
}
