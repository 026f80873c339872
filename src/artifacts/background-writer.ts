import { createHash } from 'node:crypto';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Worker } from 'node:worker_threads';
import { redact } from '../project/secrets.js';

/**
 * Writes files on a worker thread. Creating 10,000 compiled SQL files costs more system time than
 * rendering them; on a second core it overlaps with rendering instead of adding to it.
 */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { mkdirSync, writeFileSync, statSync } = require('node:fs');
const { createHash } = require('node:crypto');
const { dirname } = require('node:path');
const made = new Set();
let done = [];
parentPort.on('message', (batch) => {
  if (batch === 'flush') { parentPort.postMessage({ flushed: done }); done = []; return; }
  try {
    for (const [path, text, key] of batch) {
      const d = dirname(path);
      if (!made.has(d)) { mkdirSync(d, { recursive: true }); made.add(d); }
      writeFileSync(path, text);
      if (key !== undefined) {
        const s = statSync(path);
        done.push([key, createHash('sha256').update(text).digest('hex'), [s.size, s.mtimeMs, s.ctimeMs, s.ino], path]);
      }
    }
  } catch (e) { parentPort.postMessage({ error: String(e && e.message || e) }); }
});
`;

/** Up to this many files left at close() with no thread started are written on the calling thread. */
const FEW = 32;

export class BackgroundWriter {
  private started: Worker[] | null = null;
  private batch: [string, string, string?][] = [];
  /** Per key given to write(): the text's sha256 and the file's stamp once written (for partial parsing). */
  readonly written = new Map<string, [sha: string, stamp: [number, number, number, number], path: string]>();
  private error: string | null = null;
  private turn = 0;

  /**
   * One worker by default: it keeps up with rendering, and writers in the same folders contend for
   * the folder's lock in the kernel (perf showed them spinning there), taking CPU from the
   * main thread's garbage collector. Measured: 1 writer 1.55 s, 3 writers 1.87 s (10,000 models).
   */
  constructor(
    private readonly batchSize = 250,
    private readonly count = 1,
  ) {}

  /** Started on the first batch: a compile that writes nothing (partial parsing) starts no thread. */
  private get workers(): Worker[] {
    if (!this.started) {
      this.started = Array.from({ length: this.count }, () => {
        const w = new Worker(WORKER_SOURCE, { eval: true });
        w.on('message', (m: unknown) => {
          if (m && typeof m === 'object' && 'error' in m) this.error = String((m as { error: string }).error);
        });
        return w;
      });
    }
    return this.started;
  }

  write(path: string, text: string, key?: string): void {
    this.batch.push(key === undefined ? [path, redact(text)] : [path, redact(text), key]);
    if (this.batch.length >= this.batchSize) this.send();
  }

  private send(): void {
    if (this.batch.length) this.workers[this.turn++ % this.workers.length].postMessage(this.batch);
    this.batch = [];
  }

  /** Waits until every file is on disk, then stops the workers. */
  async close(): Promise<void> {
    // A few files (a partial compile rewrites only what changed): written here, since starting a
    // thread costs more than writing them.
    if (!this.started && this.batch.length <= FEW) {
      const made = new Set<string>();
      const batch = this.batch;
      this.batch = [];
      for (const [path, text, key] of batch) {
        try {
          const d = dirname(path);
          if (!made.has(d)) {
            mkdirSync(d, { recursive: true });
            made.add(d);
          }
          writeFileSync(path, text);
        } catch (e) {
          throw new Error(`writing compiled files failed: ${path}: ${(e as Error).message}`);
        }
        if (key !== undefined) {
          const st = statSync(path);
          this.written.set(key, [createHash('sha256').update(text).digest('hex'), [st.size, st.mtimeMs, st.ctimeMs, st.ino], path]);
        }
      }
      return;
    }
    this.send();
    if (!this.started) return;
    await Promise.all(
      this.workers.map(
        (w) =>
          new Promise<void>((resolve) => {
            const on = (m: unknown) => {
              if (m && typeof m === 'object' && 'flushed' in m) {
                for (const [key, sha, stamp, path] of (m as { flushed: [string, string, [number, number, number, number], string][] }).flushed) this.written.set(key, [sha, stamp, path]);
                w.off('message', on);
                resolve();
              }
            };
            w.on('message', on);
            w.postMessage('flush');
          }),
      ),
    );
    await Promise.all(this.workers.map((w) => w.terminate()));
    if (this.error) throw new Error(`writing compiled files failed: ${this.error}`);
  }
}
