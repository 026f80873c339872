import { describe, it, expect } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { build } from '../../src/api.js';
import { docsGenerate } from '../../src/docs/api.js';
import { buildCatalog, catalogFromIntrospector } from '../../src/docs/catalog.js';
import { createAdapter } from '../../src/adapters/index.js';
import type { DuckDBConnectionWrapper } from '../../src/adapters/duckdb/adapter.js';
import type { Manifest } from '../../src/contracts/manifest.js';
import { makeProject } from '../functional/helpers.js';

const files = {
  'models/orders.sql': "{{ config(materialized='table') }} select 1 as order_id, 10.5 as amount, 'open' as status union all select 2, 3, 'closed'",
  'models/order_totals.sql': "select status, sum(amount) as total from {{ ref('orders') }} group by status",
  'models/schema.yml': 'version: 2\nmodels:\n  - name: orders\n    description: One row per order.\n    columns:\n      - name: order_id\n        data_tests: [unique]\n',
};

describe('docsGenerate', () => {
  it('compiles, writes catalog.json from the warehouse and a site with run results and lineage', async () => {
    const p = makeProject(files);
    expect((await build({ projectDir: p.dir, console: p.console })).ok).toBe(true);
    const r = await docsGenerate({ projectDir: p.dir, console: p.console });
    expect(r.outDir).toBe(path.join(p.dir, 'target', 'docs'));
    expect(r.hadRunResults).toBe(true);
    expect(r.catalogRelations).toBe(2);
    const catalog = JSON.parse(readFileSync(r.catalogPath, 'utf8'));
    const orders = Object.values(catalog.nodes).find((t: any) => t.metadata.name === 'orders') as any;
    expect(orders.columns.amount.type).toBe('DECIMAL(11,1)');
    expect(orders.stats.row_count.value).toBe(2);
    expect(existsSync(path.join(r.outDir, 'index.html'))).toBe(true);
    const sandbox: Record<string, any> = { window: {} };
    sandbox.window.MF_SHARD = (_k: number, d: Record<string, any>) => Object.assign((sandbox.details ??= {}), d);
    vm.runInNewContext(readFileSync(path.join(r.outDir, 'data/index.js'), 'utf8'), sandbox);
    vm.runInNewContext(readFileSync(path.join(r.outDir, 'data/nodes/0.js'), 'utf8'), sandbox);
    const totals = Object.entries(sandbox.details).find(([id]) => id.endsWith('.order_totals'))![1] as any;
    expect(totals.compiled).toContain('sum(amount)');
    const total = totals.columns.find((c: any) => c.name === 'total');
    expect(total.lineage.up).toEqual([[Object.keys(sandbox.details).find((id) => id.endsWith('.orders')), 'amount']]);
    const ordersDetail = Object.entries(sandbox.details).find(([id]) => id.endsWith('.orders'))![1] as any;
    expect(ordersDetail.tests[0]).toMatchObject({ kind: 'unique', status: 'pass' });
  });

  it('shows the last freshness check, and names a broken sources.json instead of writing a half-updated site', async () => {
    const p = makeProject({ ...files, 'README.md': '# Orders\n\nThe order book.' });
    expect((await build({ projectDir: p.dir, console: p.console })).ok).toBe(true);
    const sources = path.join(p.dir, 'target', 'sources.json');
    writeFileSync(sources, '{"results": [');
    await expect(docsGenerate({ projectDir: p.dir, console: p.console })).rejects.toThrow(/sources\.json is not valid JSON/);
    expect(existsSync(path.join(p.dir, 'target', 'docs'))).toBe(false);
    expect(existsSync(path.join(p.dir, 'target', 'catalog.json'))).toBe(false);
    writeFileSync(sources, JSON.stringify({ metadata: { generated_at: '2024-01-02T00:00:00Z' }, results: [{ unique_id: 'source.x.y.z', status: 'pass', max_loaded_at_time_ago_in_s: 60 }] }));
    const r = await docsGenerate({ projectDir: p.dir, console: p.console });
    const sandbox: Record<string, any> = { window: {} };
    sandbox.window.MF_OVERVIEW = (o: unknown) => (sandbox.overview = o);
    vm.runInNewContext(readFileSync(path.join(r.outDir, 'data/overview.js'), 'utf8'), sandbox);
    expect(sandbox.overview.freshness.results).toEqual([{ id: 'source.x.y.z', status: 'pass', maxLoadedAt: null, ageSeconds: 60, error: null }]);
    expect(sandbox.overview.about).toContain('The order book.');
    expect(sandbox.overview.lastRun.status).toBe('success');
  });

  it("builds the same catalog through an adapter's introspector (the Snowflake path) as from DuckDB's information_schema", async () => {
    const p = makeProject(files);
    expect((await build({ projectDir: p.dir, console: p.console })).ok).toBe(true);
    const manifest = JSON.parse(readFileSync(path.join(p.dir, 'target', 'manifest.json'), 'utf8')) as Manifest;
    const adapter = await createAdapter({ type: 'duckdb', path: p.db } as never);
    try {
      const viaIntro = await catalogFromIntrospector(adapter.introspector, manifest);
      const conn = (await adapter.acquire()) as DuckDBConnectionWrapper;
      const viaSql = await buildCatalog(conn.raw, manifest);
      adapter.release(conn);
      expect(Object.keys(viaIntro.nodes).sort()).toEqual(Object.keys(viaSql.nodes).sort());
      for (const id of Object.keys(viaSql.nodes)) {
        const cols = (c: typeof viaSql.nodes[string]) => Object.values(c.columns).map((x) => [x.name, x.type.toUpperCase(), x.index]);
        expect(cols(viaIntro.nodes[id])).toEqual(cols(viaSql.nodes[id]));
        expect(viaIntro.nodes[id].metadata.type).toBe(viaSql.nodes[id].metadata.type);
      }
    } finally {
      await adapter.close();
    }
  });
});
