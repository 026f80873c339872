import { MflowError } from '../errors.js';
import { firstBadUtf8, lineOfRecord, type CsvDialect } from './csv-file.js';

export interface SeedFile {
  /** Absolute path DuckDB reads. */
  path: string;
  /** Path relative to the project, for messages. */
  display: string;
  node: string;
  header: string[];
  dialect: CsvDialect;
}

/**
 * Turns DuckDB's CSV reader errors into an error on the seed file with the line an editor shows
 * and the column, and a hint; DuckDB counts records, not lines, and names no column for ragged rows.
 */
export function csvError(e: unknown, f: SeedFile): MflowError {
  const msg = (e as Error).message ?? String(e);
  const rec = /CSV Error on Line: (\d+)/.exec(msg);
  const line = rec ? lineOfRecord(f.path, Number(rec[1]), f.dialect) : undefined;
  const base = { file: f.display, node: f.node, cause: e };
  if (/Invalid unicode|not utf-8 encoded/i.test(msg)) {
    const at = firstBadUtf8(f.path);
    return new MflowError('SEED', 'The file is not valid UTF-8; nothing was loaded from it', { ...base, line: at?.line ?? line, column: at?.column, hint: 'Save the file as UTF-8 (in a spreadsheet: "CSV UTF-8"), or convert it with iconv -f latin1 -t utf-8.' });
  }
  const ragged = /Expected Number of Columns: (\d+) Found: (\d+)/.exec(msg);
  if (ragged) {
    const want = Number(ragged[1]);
    const got = Number(ragged[2]);
    return new MflowError('SEED', `This row has ${got} field${got === 1 ? '' : 's'} but the header has ${want}; nothing was loaded from the file`, {
      ...base,
      line,
      column: got < want ? got + 1 : want + 1,
      hint: got > want ? 'Quote values that contain the delimiter ("a, b"), or remove the extra fields.' : 'Add the missing fields (empty ones are fine: a,,c).',
    });
  }
  const conv = /Error when converting column "([^"]+)"\. Could not convert string "(.*)" to '([^']+)'/.exec(msg);
  if (conv) {
    const col = f.header.indexOf(conv[1]);
    return new MflowError('SEED', `Value "${conv[2]}" in column '${conv[1]}' is not a valid ${conv[3]}; nothing was loaded from the file`, {
      ...base,
      line,
      column: col >= 0 ? col + 1 : undefined,
      hint: `Fix the value, or change column_types for '${conv[1]}' in the seed's config.`,
    });
  }
  const long = /Maximum line size of (\d+) bytes exceeded\. Actual Size:\s*(\d+) bytes/.exec(msg);
  if (long) {
    const mb = (n: string) => `${(Number(n) / 1e6).toFixed(1)} MB`;
    return new MflowError('SEED', `A row is ${mb(long[2])} long, over the ${mb(long[1])} a seed row may have; nothing was loaded from the file`, {
      ...base,
      line,
      hint: 'Seeds are for small reference tables: load large values from a file with an external source (mflow ingest), or shorten the field.',
    });
  }
  if (/unterminated quote/i.test(msg)) {
    return new MflowError('SEED', 'A quoted value is never closed; nothing was loaded from the file', { ...base, line, hint: 'Close the quote, and double quotes inside quoted values ("say ""hi""").' });
  }
  const first = msg.split('\n').filter((l) => l.trim())[0] ?? msg;
  return new MflowError('SEED', `Cannot read the seed: ${first}`, { ...base, line, hint: 'Check the delimiter config and that the file is a CSV with a header line.' });
}
