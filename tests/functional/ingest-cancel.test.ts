import { describe, expect, test } from 'vitest';
import { DuckDBAdapter } from '../../src/adapters/duckdb/adapter.js';

// Ingestion loads two files at once, the second on a connection it opens itself; Ctrl-C and a
// step's timeout cancel through the adapter, which must reach that connection too (before, the
// second file's load ran on to its end after the run was cancelled).
describe('cancel reaches the connections ingestion opens for its parallel loads', () => {
  test('adapter.cancel() interrupts a query on a connectRaw() connection', async () => {
    const a = await DuckDBAdapter.create({ name: 't', type: 'duckdb', threads: 1, schema: 'main', path: ':memory:' });
    try {
      const c = await a.connectRaw();
      const t0 = Date.now();
      const long = c.run('select count(*) from range(100000000000) a');
      setTimeout(() => void a.cancel(), 300);
      await expect(long).rejects.toThrow(/Interrupt/i);
      expect(Date.now() - t0).toBeLessThan(10_000);
      c.closeSync();
      await a.cancel(); // a closed connection is skipped quietly
    } finally {
      await a.close();
    }
  });
});
