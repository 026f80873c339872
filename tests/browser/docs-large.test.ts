/**
 * A 10,000-model synthetic project in Chromium: the whole DAG on the canvas, zoom and pan, the
 * cut lists of the index ("show more"), search and lazy details. Timing is bench/docs-render.mjs's job.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { generateDocsSite } from '../../src/docs/generate.js';
import { serveDocs } from '../../src/docs/serve.js';
import { syntheticManifest } from '../../src/docs/synthetic.js';
import { openPage, requireChromium } from './chromium.js';

let browser: Browser;
let page: Page;
let server: { url: string; close(): Promise<void> };
let tmp: string;
const errors: string[] = [];

beforeAll(async () => {
  await requireChromium();
  tmp = await mkdtemp(path.join(os.tmpdir(), 'mflow-docs-large-'));
  const site = await generateDocsSite({ targetDir: tmp, manifest: syntheticManifest(10_000) });
  server = await serveDocs({ dir: site.outDir, port: 0, open: false });
  ({ browser, page } = await openPage(errors, { consoleErrors: false }));
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('docs site of a 10,000-model project', () => {
  it('draws the whole DAG, zooms and pans, and opens a node from the canvas', async () => {
    await page.goto(`${server.url}#/graph`);
    await page.waitForFunction(() => (window as any).MF?.graph?.rendered);
    expect(await page.evaluate(() => (window as any).MF.graph.visibleCount())).toBe(10_750);
    // Too tall to fit whole and stay readable: the first view is readable (boxes 20 px tall,
    // names drawn) from the top-left; "whole" shows everything, cut into side-by-side bands
    // so that it fills the canvas instead of being a one-pixel sliver.
    const first = await page.evaluate(() => (window as any).MF.graph.view.s);
    expect(first * 28).toBeGreaterThanOrEqual(20);
    await page.click('#g-fit-all');
    const whole = await page.evaluate(() => (window as any).MF.graph.view.s);
    expect(whole).toBeLessThan(first / 4);
    const bands = await page.evaluate(() => (window as any).MF.graph.bands());
    expect(bands.count).toBeGreaterThanOrEqual(6);
    const canvasBox = (await page.locator('#graph-canvas').boundingBox())!;
    // The drawing spans most of the canvas width, not a sliver.
    expect(bands.count * bands.step * whole).toBeGreaterThan(canvasBox.width * 0.7);
    await page.screenshot({ path: 'test-artifacts/docs-large-whole.png' });
    const before = await page.evaluate(() => ({ ...(window as any).MF.graph.view }));
    const box = (await page.locator('#graph-canvas').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.wheel(0, -2000);
    await expect.poll(() => page.evaluate(() => (window as any).MF.graph.view.s)).toBeGreaterThan(before.s * 5);
    const zoomed = await page.evaluate(() => ({ ...(window as any).MF.graph.view }));
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 + 150, box.y + box.height / 2 + 40, { steps: 5 });
    await page.mouse.up();
    const panned = await page.evaluate(() => ({ ...(window as any).MF.graph.view }));
    expect(panned.tx - zoomed.tx).toBeCloseTo(150, 0);
    expect(panned.ty - zoomed.ty).toBeCloseTo(40, 0);
    // Centre one node in the view, double-click it: its page loads its detail shard.
    const id = 'model.synthetic.fact_d060_3';
    await page.evaluate(([i]) => {
      const G = (window as any).MF.graph;
      const p = G.screenPos(i);
      const r = document.querySelector('#graph-canvas')!.getBoundingClientRect();
      G.view.tx += r.left + r.width / 2 - p.x;
      G.view.ty += r.top + r.height / 2 - p.y;
    }, [id]);
    const c = await page.evaluate((i) => (window as any).MF.graph.screenPos(i), id);
    await page.mouse.dblclick(c.x, c.y);
    await page.waitForFunction(() => document.querySelector('#node-title')?.textContent === 'fact_d060_3');
    expect(await page.textContent('#parents')).toMatch(/dim_d060_\d+/);
  });

  it('cuts the index lists and shows more on demand; search finds a model among 10,000', async () => {
    await page.goto(`${server.url}#/search`);
    await page.waitForSelector('#results .result');
    expect(await page.locator('#results .result[data-id]').count()).toBe(50);
    await page.click('#more-results');
    expect(await page.locator('#results .result[data-id]').count()).toBe(250);
    expect(await page.locator('#index-side .grp[data-real]').count()).toBe(60);
    await page.click('#index-side [data-more="groups"]');
    expect(await page.locator('#index-side .grp[data-real]').count()).toBeGreaterThan(500);
    await page.fill('#search', 'mart_d099_7');
    await expect.poll(() => page.locator('#results .result .name').first().textContent()).toBe('mart_d099_7');
    // Descriptions arrive after the first render and are searchable.
    await page.fill('#search', 'intermediate layer of domain d042');
    await expect.poll(() => page.locator('#results .result[data-id]').count()).toBe(24);
    expect(errors).toEqual([]);
  });
});
