import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/**
 * What ingestion learns from one pass over a file's bytes: the content hash that identifies it
 * (so re-loading the same data under another name is still a no-op), the header line, and how
 * many data rows it holds, counted independently of DuckDB so the row-count audit can catch a
 * reader that skipped rows without saying so.
 */
export interface FileScan {
  sha256: string;
  bytes: number;
  /** First line without its line ending; '' for an empty file. */
  headerLine: string;
  /** Physical lines (a last line without a newline counts). */
  lines: number;
  /**
   * CSV records: lines whose line break is outside a quoted value (a valid CSV may hold a line
   * break inside quotes, which is one record over two lines). Equal to `lines` without those.
   */
  records: number;
  /** Record numbers (1-based) of empty records, which CSV readers skip. */
  blankLines: number[];
}

/** Incremental scanner so the ZIP extractor can feed it while it writes the CSV out. */
export class Scanner {
  private hash = createHash('sha256');
  private bytes = 0;
  private lines = 0;
  private blank: number[] = [];
  private lineLen = 0; // bytes seen so far on the current line
  private lastByte = -1; // last byte seen on the current line
  private header: Buffer[] = [];
  private headerDone = false;
  private records = 0;
  private inQuote = false;
  private recordLen = 0; // bytes of the current record (over several lines when quoted)

  /** `quote`: the byte that opens and closes quoted values; doubled, it toggles twice. */
  constructor(private readonly quote = 34) {}

  push(buf: Uint8Array): void {
    this.hash.update(buf);
    this.bytes += buf.length;
    const b = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.length);
    let start = 0;
    // The next quote byte at or after `start`, found once per quote so unquoted data stays one
    // native search per chunk.
    let nq = b.indexOf(this.quote, 0);
    for (;;) {
      const nl = b.indexOf(10, start);
      const end = nl < 0 ? b.length : nl;
      const segLen = end - start;
      if (!this.headerDone && segLen > 0) this.header.push(Buffer.from(b.subarray(start, end)));
      if (segLen > 0) this.lastByte = b[end - 1];
      while (nq >= 0 && nq < end) {
        this.inQuote = !this.inQuote;
        nq = b.indexOf(this.quote, nq + 1);
      }
      this.lineLen += segLen;
      this.recordLen += segLen;
      if (nl < 0) break;
      this.lines++;
      if (!this.inQuote) {
        this.records++;
        if (this.recordLen === 0 || (this.recordLen === 1 && this.lastByte === 13)) this.blank.push(this.records);
        this.recordLen = 0;
      } else this.recordLen++;
      this.headerDone = true;
      this.lineLen = 0;
      this.lastByte = -1;
      start = nl + 1;
    }
  }

  finish(): FileScan {
    if (this.lineLen > 0) {
      this.lines++;
      this.headerDone = true;
    }
    if (this.recordLen > 0) this.records++;
    const headerLine = Buffer.concat(this.header).toString('utf8').replace(/\r$/, '').replace(/^\uFEFF/, '');
    return { sha256: this.hash.digest('hex'), bytes: this.bytes, headerLine, lines: this.lines, records: this.records, blankLines: this.blank };
  }
}

export async function scanFile(path: string, quote = '"'): Promise<FileScan> {
  const s = new Scanner(quote ? quote.charCodeAt(0) : -1);
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) s.push(chunk as Buffer);
  return s.finish();
}
