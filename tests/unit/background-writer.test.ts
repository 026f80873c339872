import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BackgroundWriter } from '../../src/artifacts/background-writer.js';

// Compiled files are written on a worker thread, or on the calling thread when only a few are left
// at close() (a partial compile): both record the same sha256 and stamp (src/artifacts/background-writer.ts).
const root = mkdtempSync(join(tmpdir(), 'mflow-writer-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function writeAll(n: number, dir: string): Promise<BackgroundWriter> {
  const w = new BackgroundWriter(10);
  for (let i = 0; i < n; i++) w.write(join(root, dir, `f${i % 3}`, `m${i}.sql`), `select ${i}\n`, `id${i}`);
  await w.close();
  return w;
}

describe('writing compiled files', () => {
  for (const [n, how] of [[3, 'on the calling thread'], [40, 'on a worker thread']] as const) {
    it(`${n} files ${how}: text on disk, sha256 and stamp recorded`, async () => {
      const w = await writeAll(n, `d${n}`);
      expect(w.written.size).toBe(n);
      for (let i = 0; i < n; i++) {
        const [sha, stamp, path] = w.written.get(`id${i}`)!;
        expect(readFileSync(path, 'utf8')).toBe(`select ${i}\n`);
        expect(sha).toBe(createHash('sha256').update(`select ${i}\n`).digest('hex'));
        const s = statSync(path);
        expect(stamp).toEqual([s.size, s.mtimeMs, s.ctimeMs, s.ino]);
      }
    });
  }

  it('a file that cannot be written is an error naming it', async () => {
    const w = new BackgroundWriter();
    w.write(join(root, 'd3', 'f0', 'm0.sql', 'under-a-file.sql'), 'x', 'k');
    await expect(w.close()).rejects.toThrow(/writing compiled files failed: .*under-a-file/);
  });
});
