/**
 * One output file. Rows are encoded straight into 1 MB buffers that are handed to a write
 * stream when full; the generator waits for 'drain' whenever the stream reports it is
 * saturated, so memory stays flat however many rows go through and no large strings are built.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { MflowError } from '../errors.js';

const CHUNK = 1024 * 1024;

export class CsvSink {
  rows = 0;
  bytes = 0;
  /** True when the stream asked us to wait; the caller then awaits `drain()`. */
  saturated = false;
  private chunk = Buffer.allocUnsafe(CHUNK);
  private pos = 0;
  private readonly stream: WriteStream;
  private failure: Error | undefined;

  constructor(readonly path: string, header: string) {
    this.stream = createWriteStream(path);
    this.stream.on('error', (e) => {
      this.failure = e;
    });
    this.add(header);
    this.rows = 0;
  }

  /** Adds one data row; `line` is ASCII and carries its own CRLF. */
  add(line: string): void {
    this.put(line);
    this.rows++;
  }

  /** Adds `count` rows already joined (each with its CRLF), to skip per-row calls. */
  addBlock(text: string, count: number): void {
    if (count === 0) return;
    this.put(text);
    this.rows += count;
  }

  private put(text: string): void {
    const len = text.length; // ASCII only: one byte per char
    if (this.pos + len > this.chunk.length) {
      this.handOff();
      if (len > this.chunk.length) this.chunk = Buffer.allocUnsafe(len);
    }
    this.pos += this.chunk.write(text, this.pos, 'latin1');
    this.bytes += len;
  }

  /** Gives the filled part of the buffer to the stream, which keeps it, so start a new one. */
  private handOff(): void {
    if (this.pos === 0) return;
    if (!this.stream.write(this.chunk.subarray(0, this.pos))) this.saturated = true;
    this.chunk = Buffer.allocUnsafe(CHUNK);
    this.pos = 0;
  }

  /** Waits until the stream has written what it holds; throws if writing failed. */
  async drain(): Promise<void> {
    this.check();
    // The 'drain' may already have fired while we waited on another file: ask the stream.
    if (this.saturated && this.stream.writableNeedDrain) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          this.stream.off('drain', done);
          this.stream.off('error', done);
          resolve();
        };
        this.stream.on('drain', done);
        this.stream.on('error', done);
      });
      this.saturated = false;
    }
    this.check();
  }

  async close(): Promise<void> {
    this.handOff();
    this.check();
    this.stream.end();
    // once() rejects on 'error'; the error handler above has recorded it for check().
    if (!this.failure) await once(this.stream, 'close').catch(() => undefined);
    this.check();
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
