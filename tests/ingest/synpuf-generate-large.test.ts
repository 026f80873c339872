import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { generateSynpuf } from '../../src/synpuf/generate.js';
import { SYNPUF_FILES } from '../../src/synpuf/layouts.js';

const out = mkdtempSync(join(tmpdir(), 'synpuf-large-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

async function* lines(path: string): AsyncGenerator<string> {
  const rl = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  yield* rl;
}

describe('generateSynpuf at 20,000 beneficiaries', () => {
  it('matches the real per-person volumes and rare quirks, in flat memory', async () => {
    const n = 20_000;
    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;
    const summary = await generateSynpuf({
      beneficiaries: n, seed: 2024, outDir: out,
      onProgress: () => {
        rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
      },
    });
    // Memory does not follow N: the run keeps one beneficiary and one 1 MB buffer per file.
    expect(rssPeak - rssBefore).toBeLessThan(300 * 2 ** 20);

    const rows = Object.fromEntries(summary.files.map((f) => [f.path.split('/').pop()!, f.rows]));
    const name = (kind: string, extra?: number | string): string =>
      SYNPUF_FILES.find((f) => f.kind === kind && (extra === undefined || f.year === extra || f.part === extra))!.fileName(1);
    expect(rows[name('beneficiary', 2008)]).toBe(n);
    // Spec: 10,000 -> 9,856 -> 9,710 (about 1.45% deaths a year).
    const dead2008 = 1 - rows[name('beneficiary', 2009)]! / n;
    expect(dead2008).toBeGreaterThan(0.008);
    expect(dead2008).toBeLessThan(0.025);

    let seg1 = 0;
    let seg2 = 0;
    let dec2007 = 0;
    let junkDrg = 0;
    for await (const l of lines(join(out, name('inpatient')))) {
      const v = l.split(',');
      if (v[2] === '1') seg1++;
      if (v[2] === '2') seg2++;
      if (v[3]!.startsWith('2007')) dec2007++;
      if (v[19] === 'OTH' || v[19] === '000') junkDrg++;
    }
    // Spec: 5,775 inpatient rows per 10,000 beneficiaries, 7 SEGMENT 2, 23 starting in 2007.
    expect(seg1 / n).toBeGreaterThan(0.45);
    expect(seg1 / n).toBeLessThan(0.7);
    expect(seg2).toBeGreaterThan(0);
    expect(dec2007).toBeGreaterThan(10);
    expect(junkDrg).toBeGreaterThan(seg2);

    let widest = 0;
    let dxJunk = 0;
    for await (const l of lines(join(out, name('carrier', 'A')))) {
      const v = l.split(',');
      if (v[50] !== '' && v[0] !== '"DESYNPUF_ID"') widest++;
      if (v.slice(4, 12).some((c) => c === 'OTHER' || c === 'XX000' || c === '0422')) dxJunk++;
    }
    expect(widest).toBeGreaterThan(0);
    expect(dxJunk).toBeGreaterThan(0);
  });
});
