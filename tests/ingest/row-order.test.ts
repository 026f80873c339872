import { mkdtempSync, createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ingestSources } from '../../src/ingest/index.js';
import { memoryDb, rows, sourceTable } from '../functional/ingest-helpers/source-table.js';

// _row_number comes from row_number() OVER () on DuckDB's parallel CSV scan; this checks on a file
// large enough to be split across threads (90 MB: several of DuckDB's CSV buffers) that it really
// is the line in the file, also after rejected and blank lines, and that ingestion's switching off
// preserve_insertion_order (see unorderedInserts) changes neither that nor the user's setting.
describe('line numbers on a multi-threaded read', () => {
  it('_row_number equals the physical line for 2M rows with gaps, with insertion order not preserved', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mflow-order-'));
    const path = join(dir, 'big.csv');
    const out = createWriteStream(path);
    out.write('"LINE","PAD","X"\n');
    const N = 2_000_000;
    for (let line = 2; line <= N + 1; line++) {
      if (line === 750_000) out.write('\n');
      else if (line === 1_500_000) out.write('bad,row\n');
      else out.write(`${line},${'abcdefghij'.repeat(3)},${line % 97}\n`);
    }
    await new Promise((r) => out.end(r));
    const db = await memoryDb();
    try {
      await db.conn.run('SET threads = 4');
      const report = await ingestSources(db.conn, [sourceTable('big', ['LINE', 'PAD', 'X'], { location: path })], { projectDir: dir, targetDir: join(dir, 'target') });
      expect(report.results[0]).toMatchObject({ status: 'success', rows_in_file: N - 1, rows_loaded: N - 2, rows_rejected: 1 });
      expect(await rows(db.conn, `SELECT count(*) AS wrong FROM raw.big WHERE CAST(LINE AS BIGINT) <> _row_number`)).toEqual([{ wrong: 0 }]);
      expect(await rows(db.conn, `SELECT line FROM raw._mflow_rejects`)).toEqual([{ line: 1_500_000 }]);
      expect(await rows(db.conn, `SELECT current_setting('preserve_insertion_order') AS p`)).toEqual([{ p: true }]);
    } finally {
      db.close();
    }
  });
});
