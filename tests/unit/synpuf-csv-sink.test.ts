import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CsvSink, quotedHeader } from '../../src/synpuf/csv-sink.js';
import { MflowError } from '../../src/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'csv-sink-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('CsvSink', () => {
  it('does not hang when a second file drained while the first was awaited', async () => {
    const a = new CsvSink(join(dir, 'a.csv'), quotedHeader(['X']));
    const b = new CsvSink(join(dir, 'b.csv'), quotedHeader(['X']));
    const row = 'y'.repeat(98) + '\r\n';
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 12_000; i++) {
        a.add(row);
        b.add(row);
      }
      expect(a.saturated || b.saturated).toBe(true);
      await a.drain();
      // b's 'drain' has usually fired by now; waiting for another one would hang forever.
      await Promise.race([
        b.drain(),
        new Promise((_, reject) => setTimeout(() => reject(new Error('drain hung')), 2000)),
      ]);
    }
    await a.close();
    await b.close();
    const text = readFileSync(join(dir, 'b.csv'), 'latin1');
    expect(text.length).toBe(b.bytes);
    expect(b.rows).toBe(240_000);
    expect(text.startsWith('"X"\r\nyyy')).toBe(true);
  });

  it('reports a write failure as an MflowError naming the file', async () => {
    const s = new CsvSink(join(dir, 'missing-folder', 'x.csv'), quotedHeader(['X']));
    await expect(s.close()).rejects.toThrow(MflowError);
    await expect(s.close()).rejects.toThrow(/missing-folder/);
  });
});
