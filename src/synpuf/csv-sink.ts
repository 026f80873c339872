/**
 * One output file: buffers lines and hands them to a write stream in large chunks, waiting for
 * 'drain' when the OS is slower than the generator, so memory stays flat however many rows go
 * through it.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { MflowError } from '../errors.js';

const CHUNK = 256 * 1024;

export class CsvSink {
  rows = 0;
  bytes = 0;
  private buf = '';
  private readonly stream: WriteStream;
  private failure: Error | undefined;

  constructor(readonly path: string, header: string) {
    this.stream = createWriteStream(path);
    this.stream.on('error', (e) => {
      this.failure = e;
    });
    this.buf = header;
    this.bytes = header.length;
  }

  /** Adds one data row; `line` carries its own CRLF. */
  add(line: string): void {
    this.buf += line;
    this.bytes += line.length;
    this.rows++;
  }

  /** Adds `count` rows already joined (each with its CRLF), to skip per-row calls. */
  addBlock(text: string, count: number): void {
    if (count === 0) return;
    this.buf += text;
    this.bytes += text.length;
    this.rows += count;
  }

  /** Writes the buffer once it is large; resolves after 'drain' when the stream is full. */
  async maybeFlush(): Promise<void> {
    if (this.buf.length < CHUNK) return;
    await this.flush();
  }

  private async flush(): Promise<void> {
    this.check();
    const chunk = this.buf;
    this.buf = '';
    if (!this.stream.write(chunk)) await this.drained();
    this.check();
  }

  async close(): Promise<void> {
    await this.flush();
    this.stream.end();
    if (!this.failure) await once(this.stream, 'close');
    this.check();
  }

  /** Resolves on 'drain' or on a stream error (reported by check()), leaving no listeners behind. */
  private drained(): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        this.stream.off('drain', done);
        this.stream.off('error', done);
        resolve();
      };
      this.stream.on('drain', done);
      this.stream.on('error', done);
    });
  }

  private check(): void {
    if (this.failure) {
      throw new MflowError('GENERATE', `cannot write ${this.path}: ${this.failure.message}`, {
        file: this.path,
        hint: 'check that the output folder is writable and the disk has space',
        cause: this.failure,
      });
    }
  }
}

/** A quoted CSV header with CRLF, as in the CMS originals. */
export function quotedHeader(columns: readonly string[]): string {
  return columns.map((c) => `"${c}"`).join(',') + '\r\n';
}
