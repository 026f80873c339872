import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compiledOnDisk, stampDirs, stampOf, type FileStamp } from '../../src/parse/partial/files.js';

// The no-change compile checks the folders of the compiled files, not each file (src/parse/partial/files.ts).
const root = mkdtempSync(join(tmpdir(), 'mflow-partial-dirs-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function files(n: number): Record<string, [string, FileStamp, string]> {
  const out: Record<string, [string, FileStamp, string]> = {};
  for (let i = 0; i < n; i++) {
    const d = join(root, `d${i % 2}`);
    mkdirSync(d, { recursive: true });
    const p = join(d, `f${i}.sql`);
    writeFileSync(p, `select ${i}\n`);
    out[`n${i}`] = ['sha', stampOf(p)!, p];
  }
  return out;
}

describe('compiled files by folder stamps', () => {
  it('trusts a folder whose stamp is unchanged and was old when recorded; a deletion moves it', async () => {
    const rec = files(6);
    const ids = Object.keys(rec);
    const fresh = stampDirs(Object.values(rec).map((f) => f[2]));
    const onDisk = (r: typeof rec, ids: string[] | null, dirs: ReturnType<typeof stampDirs> | null) => compiledOnDisk(() => r, () => ids, dirs);
    expect(Object.keys(fresh.stamps)).toHaveLength(2);
    // Recorded within the clock tick of the writes: each file is checked on its own.
    writeFileSync(rec.n0[2], 'select 0 -- changed in place, other size\n');
    expect(onDisk(rec, ids, fresh)).toBe(false);
    rec.n0[1] = stampOf(rec.n0[2])!;
    await sleep(120);
    const old = stampDirs(Object.values(rec).map((f) => f[2]));
    expect(onDisk(rec, ids, old)).toBe(true);
    // Without folder stamps (an older cache): every file is stat'ed.
    expect(onDisk(rec, ids, null)).toBe(true);
    // Every folder unmoved: the records are not read at all.
    const never = () => {
      throw new Error('read');
    };
    expect(compiledOnDisk(never, never, old)).toBe(true);
    expect(onDisk(rec, [...ids, 'missing'], null)).toBe(false);
    expect(onDisk(rec, null, null)).toBe(false);
    rmSync(rec.n3[2]);
    expect(onDisk(rec, ids, old)).toBe(false);
    expect(onDisk(rec, ids.filter((id) => id !== 'n3'), old)).toBe(true);
  });
});
