// A long load is never silent: while DuckDB reads a file, ingestion reports its progress every few
// seconds (MFLOW_PROGRESS_SECONDS), on a terminal or not.
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { ingestSources, type IngestEvent } from '../../src/ingest/index.js';
import { ingestScratch, sourceTable } from './ingest-helpers/source-table.js';

const scratch = ingestScratch();
const saved = process.env.MFLOW_PROGRESS_SECONDS;
afterEach(() => {
  if (saved === undefined) delete process.env.MFLOW_PROGRESS_SECONDS;
  else process.env.MFLOW_PROGRESS_SECONDS = saved;
});

async function bigCsv(path: string, lines: number): Promise<void> {
  const out = createWriteStream(path);
  out.write('ID|NAME|AMOUNT|NOTE\n');
  const chunk: string[] = [];
  for (let i = 1; i <= lines; i++) {
    chunk.push(`${i}|name ${i}|${(i % 997) * 1.25}|some free text to make the line longer ${i}`);
    if (chunk.length === 10_000) {
      if (!out.write(chunk.join('\n') + '\n')) await once(out, 'drain');
      chunk.length = 0;
    }
  }
  out.end(chunk.length ? chunk.join('\n') + '\n' : '');
  await once(out, 'finish');
}

describe('ingest progress', () => {
  it('reports the percent read while a large file loads, and the rows still reconcile', async () => {
    const file = join(scratch.project, 'data', 'big.csv');
    await bigCsv(file, 1_500_000);
    process.env.MFLOW_PROGRESS_SECONDS = '0.05';
    const events: IngestEvent[] = [];
    const report = await ingestSources(scratch.db.conn, [sourceTable('big', ['ID', 'NAME', 'AMOUNT', 'NOTE'], { location: file, delimiter: '|' })], scratch.opts({ onEvent: (e: IngestEvent) => events.push(e) }));
    expect(report.success).toBe(true);
    expect(report.results[0]).toMatchObject({ rows_in_file: 1_500_000, rows_loaded: 1_500_000 });
    const progress = events.filter((e): e is Extract<IngestEvent, { type: 'progress' }> => e.type === 'progress');
    expect(progress.length).toBeGreaterThan(0);
    for (const p of progress) {
      expect(p.file).toBe('data/big.csv');
      expect(p.percent).toBeGreaterThanOrEqual(0);
      expect(p.percent).toBeLessThanOrEqual(100);
      expect(p.bytes).toBeGreaterThan(50_000_000);
    }
    // Reported before the file's result, never after.
    const done = events.findIndex((e) => e.type === 'file_done');
    expect(events.findIndex((e) => e.type === 'progress')).toBeLessThan(done);
  });
});
