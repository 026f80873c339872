/**
 * The real thing: a small MediFlow sample generated, ingested, built and checked for freshness in
 * a scratch copy of the project, `docsGenerate()` run on it, and an analyst's use of the site
 * done in Chromium: overview, search, graph selectors, column-level lineage, the URL as the view,
 * a 390 px phone with touch, dark mode, and axe-core on every page.
 * Screenshots go to test-artifacts/docs-mediflow/ (the README's pictures come from here).
 */
import { describe, it, expect, beforeAll, beforeEach, afterAll } from 'vitest';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { build, ls } from '../../src/api.js';
import { CaptureConsole } from '../../src/console/console.js';
import { docsGenerate, type DocsGenerateResult } from '../../src/docs/api.js';
import { serveDocs } from '../../src/docs/serve.js';
import { sourceFreshness } from '../../src/freshness/api.js';
import { copyProject, generate, ingest } from '../mediflow/pipeline.js';
import { openPage, requireChromium } from './chromium.js';
import { openParentFromGraph, searchAndOpenFactAdmission } from './docs-walk.js';
import { seriousViolations } from './axe.js';
import { withSemanticLayer } from './semantic-fixture.js';
import { generateDocsSite } from '../../src/docs/generate.js';
import { copyFileSync, readFileSync } from 'node:fs';
import type { Manifest } from '../../src/contracts/manifest.js';
import { graphState, openGraph, openHash, openNode } from './docs-nav.js';

const SHOTS = path.resolve('test-artifacts/docs-mediflow');

let browser: Browser;
let page: Page;
let server: { url: string; close(): Promise<void> };
let dir: string;
let site: DocsGenerateResult;
const errors: string[] = [];
const GRAPH_TYPES = ['model', 'seed', 'snapshot', 'source', 'analysis'] as const;

beforeAll(async () => {
  await requireChromium();
  dir = copyProject();
  // The overview shows the project's README, as it would for the real repository.
  copyFileSync('README.md', path.join(dir, 'README.md'));
  await generate(dir, 300, 7);
  const ing = await ingest(dir);
  expect(ing.success).toBe(true);
  const console = new CaptureConsole();
  await build({ projectDir: dir, console });
  await sourceFreshness({ projectDir: dir, console });
  site = await docsGenerate({ projectDir: dir, console });
  server = await serveDocs({ dir: site.outDir, port: 0, open: false });
  await mkdir(SHOTS, { recursive: true });
  ({ browser, page } = await openPage(errors));
}, 300_000);

// Each test answers for the page errors of its own steps.
beforeEach(() => {
  errors.length = 0;
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** What `mflow ls -s <selector>` picks among the nodes the graph draws. */
async function lsNames(selector: string): Promise<string[]> {
  const items = await ls({ projectDir: dir, select: [selector], resourceTypes: [...GRAPH_TYPES], console: new CaptureConsole(), writeArtifacts: false });
  return items.map((i) => i.name).sort();
}

describe('docs site of the real MediFlow build', () => {
  it('catalog, run results and lineage come from the real build', () => {
    expect(site.hadRunResults).toBe(true);
    expect(site.catalogRelations).toBeGreaterThan(20);
    expect(site.outDir).toBe(path.join(dir, 'target', 'docs'));
  });

  it('walks index → search → fact_admission → graph → parent → column lineage of readmitted_30d', async () => {
    await openHash(page, server.url, '#/search');
    await page.waitForSelector('#results .result');
    const row = await searchAndOpenFactAdmission(page, path.join(SHOTS, '1-search.png'));
    expect(await row.textContent()).toContain('not_null');
    // Test results come from the build's run_results.json.
    expect(await row.locator('.status').first().textContent()).toBe('pass');
    expect(await page.locator('#tests tbody tr').count()).toBeGreaterThan(10);
    expect(await page.textContent('#parents')).toContain('stg_admissions');
    expect(Number((await page.textContent('.row-count'))!.replace(/,/g, ''))).toBeGreaterThan(0);
    await page.screenshot({ path: path.join(SHOTS, '2-fact_admission.png'), fullPage: true });

    await openParentFromGraph(page, { minVisible: 4, graphShot: path.join(SHOTS, '3-graph-fact_admission.png') });
    expect(await page.locator('#columns tbody tr').count()).toBeGreaterThan(3);

    await openNode(page, server.url, 'model.mediflow.fact_admission', '?col=readmitted_30d');
    await page.waitForSelector('#trace-tree');
    const tree = (await page.textContent('#trace-tree'))!;
    expect(tree).toContain('fact_admission.readmitted_30d');
    // The flag is computed from admission and discharge dates, which come from the raw claims,
    // and the death date (a death in the stay excludes it from the index admissions).
    for (const hop of ['stg_admissions.discharge_date', 'raw.inpatient.NCH_BENE_DSCHRG_DT', 'stg_admissions.admit_date', 'raw.inpatient.CLM_ADMSN_DT', 'dim_patient.death_date', 'raw.beneficiary.BENE_DEATH_DT']) expect(tree).toContain(hop);
    expect(errors).toEqual([]);
  });

  it('opens on an overview: the project README, counts by layer, the last run and freshness', async () => {
    await openHash(page, server.url, '#/');
    await page.waitForSelector('#layers');
    expect(await page.locator('h1').count()).toBe(1);
    expect(await page.textContent('h1')).toBe('mediflow');
    const layers = (await page.textContent('#layers'))!;
    for (const l of ['staging', 'core', 'marts', 'sources', 'seeds', 'tests']) expect(layers).toContain(l);
    expect(await page.locator('#layers tr', { hasText: 'marts' }).locator('td.num').textContent()).toBe('3');
    // As many models as the project has (read from its own manifest, not a number written here).
    const models = Object.values(JSON.parse(readFileSync(path.join(dir, 'target', 'manifest.json'), 'utf8')).nodes as Record<string, { resource_type: string }>).filter((n) => n.resource_type === 'model').length;
    expect(await page.textContent('#type-counts')).toContain(`${models} models`);
    const run = (await page.textContent('#last-run'))!;
    expect(run).toMatch(/^success · mflow build · finished \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ/);
    expect(await page.locator('#freshness tbody tr').count()).toBeGreaterThanOrEqual(5);
    expect(await page.textContent('#freshness')).toContain('raw.inpatient');
    expect(await page.textContent('#about')).toContain('MediFlow');
    // A layer opens the index on its folder, subfolders included (models/core/dims, models/core/facts).
    await page.click('#layers a:text-is("core")');
    await page.waitForSelector('#results .result');
    expect((await page.locator('#results .result[data-id^="model."] .name').allTextContents()).sort()).toEqual(['dim_patient', 'dim_provider', 'fact_admission', 'fact_claim']);
    expect(await page.getAttribute('#index-side [data-group="models/core"]', 'aria-pressed')).toBe('true');
    await openHash(page, server.url, '#/');
    await page.waitForSelector('#layers');
    await page.screenshot({ path: path.join(SHOTS, 'overview.png') });
    expect(errors).toEqual([]);
  });

  it('searches column names, tolerates typos, ranks models above tests and keeps underscores', async () => {
    await openHash(page, server.url, '#/search?q=readmitted_30d');
    await page.waitForFunction(() => (window as any).MF.descLoaded);
    await expect.poll(() => page.locator('#results .result .name').first().textContent()).toBe('fact_admission');
    const first = page.locator('#results .result').first();
    expect(await first.locator('.cols-hit').textContent()).toContain('readmitted_30d');
    const types = await page.locator('#results .result[data-id]').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.id!.split('.')[0]));
    expect(types.indexOf('test')).toBeGreaterThan(types.lastIndexOf('model'));

    await page.fill('#search', 'readmision');
    await expect.poll(() => page.locator('#results .result .name').first().textContent()).toBe('mart_readmission');
    await page.fill('#search', 'mart_readmission');
    await expect.poll(() => page.locator('#results .result .name').first().textContent()).toBe('mart_readmission');
    // The description of mart_readmission names fact_admission.index_year: underscores kept.
    expect(await page.locator('#results .result').first().textContent()).toContain('fact_admission.index_year');
    expect(errors).toEqual([]);
  });

  it('selects in the graph with dbt syntax, as `mflow ls` does', async () => {
    for (const sel of ['+fact_admission+', '2+mart_readmission', 'tag:marts', '@stg_claims', 'path:models/marts', 'source:raw.inpatient+1', 'stg_admissions+,fact_claim+']) {
      await openGraph(page, server.url, `?select=${encodeURIComponent(sel)}`);
      const shown = ((await page.evaluate(() => (window as any).MF.graph.visibleNames())) as string[]).sort();
      expect(shown, sel).toEqual(await lsNames(sel));
    }
    await openGraph(page, server.url, `?select=${encodeURIComponent('2+mart_readmission')}&exclude=${encodeURIComponent('resource_type:seed')}`);
    expect(await page.evaluate(() => (window as any).MF.graph.visibleNames())).not.toContain('race_codes');
    // Typed into the form: Apply puts it in the URL.
    await openGraph(page, server.url, '');
    await page.fill('#g-select', '+dim_patient');
    await page.click('#g-apply');
    await page.waitForFunction(() => (window as any).MF.graph.visibleCount() < 10);
    expect(page.url()).toContain('select=%2Bdim_patient');
    await page.fill('#g-select', 'bogus:thing');
    await page.click('#g-apply');
    await expect.poll(() => page.textContent('#g-select-error')).toContain('Unknown selection method "bogus"');
    expect(errors).toEqual([]);
  });

  it('finds a node, zooms with buttons, moves with the minimap and the keyboard', async () => {
    await openGraph(page, server.url, '');
    await page.fill('#g-find', 'dim_pat');
    await page.press('#g-find', 'Enter');
    await expect.poll(() => page.textContent('#g-sel-name')).toBe('dim_patient');
    expect(page.url()).toContain('sel=model.mediflow.dim_patient');
    const s0 = (await graphState(page)).s;
    await page.click('#g-zoom-in');
    expect((await graphState(page)).s).toBeCloseTo(s0 * 1.4, 5);
    await page.click('#g-zoom-out');
    await page.click('#g-zoom-out');
    expect((await graphState(page)).s).toBeCloseTo(s0 / 1.4, 5);
    const before = await graphState(page);
    const mini = (await page.locator('#g-minimap').boundingBox())!;
    await page.mouse.click(mini.x + mini.width * 0.9, mini.y + mini.height * 0.5);
    expect((await graphState(page)).tx).not.toBeCloseTo(before.tx, 0);
    // Keyboard: the canvas takes focus, N walks to a node, Enter opens it.
    await page.focus('#graph-canvas');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('n');
    const name = (await page.textContent('#g-sel-name'))!;
    expect(await page.textContent('#live')).toContain(name);
    await page.keyboard.press('Enter');
    await page.waitForFunction((n) => document.querySelector('#node-title')?.textContent === n, name);
    // The text alternative lists the nodes with links.
    await openGraph(page, server.url, '?select=%2Bfact_admission');
    await page.click('#g-list summary');
    await expect.poll(() => page.locator('#g-list li a').allTextContents()).toContain('fact_admission');
    expect(errors).toEqual([]);
  });

  it('draws columns as columns: column-to-column edges labelled with the transformation', async () => {
    await openGraph(page, server.url, '?focus=model.mediflow.fact_admission&up=2&down=1&col=readmitted_30d');
    await page.waitForSelector('#g-col-tree');
    expect(await page.evaluate(() => (window as any).MF.graph.columnsShown)).toBe(true);
    const edges = (await page.evaluate(() => (window as any).MF.graph.columnEdges())) as { from: string; to: string; tr: string; traced: boolean }[];
    const kinds = new Set(edges.map((e) => e.tr));
    for (const k of ['identity', 'rename', 'expression', 'aggregate', 'filter']) expect(kinds, k).toContain(k);
    expect(edges.filter((e) => e.traced).map((e) => e.to)).toContain('fact_admission.readmitted_30d');
    expect(edges.filter((e) => e.from === 'fact_admission.readmitted_30d').map((e) => e.to.split('.')[0])).toContain('mart_readmission');
    expect(await page.textContent('#g-col-tree')).toContain('stg_admissions.discharge_date');
    await page.screenshot({ path: path.join(SHOTS, 'column-graph.png') });
    // Clicking a column row traces that column instead, and the URL says so.
    const pos = await page.evaluate(() => (window as any).MF.graph.columnPos('model.mediflow.fact_admission', 'patient_id'));
    await page.mouse.click(pos.x, pos.y);
    await expect.poll(() => page.textContent('#g-col-tree')).toContain('fact_admission.patient_id');
    expect(page.url()).toContain('col=patient_id');
    // The README's picture: a mart's rate traced through its aggregate, with filter edges.
    await openGraph(page, server.url, '?focus=model.mediflow.mart_readmission&up=1&down=0&col=readmission_rate');
    await page.waitForSelector('#g-col-tree');
    const mart = (await page.evaluate(() => (window as any).MF.graph.columnEdges())) as { from: string; to: string; tr: string; traced: boolean }[];
    expect(mart).toContainEqual({ from: 'fact_admission.readmitted_30d', to: 'mart_readmission.readmission_rate', tr: 'aggregate', traced: true });
    expect(mart.some((e) => e.tr === 'filter' && e.to === 'mart_readmission')).toBe(true);
    await page.screenshot({ path: path.join(SHOTS, 'column-graph-mart.png') });
    expect(errors).toEqual([]);
  });

  it('keeps the view in the URL: search, filters, selection, SQL tab and zoom survive a reload', async () => {
    await openHash(page, server.url, '#/search');
    await page.fill('#search', 'claims');
    await page.click('#type-chips [data-type="model"]');
    const hash = new URL(page.url()).hash;
    expect(hash).toContain('q=claims');
    expect(hash).toContain('type=model');
    await page.reload();
    await page.waitForSelector('#results .result');
    expect(await page.inputValue('#search')).toBe('claims');
    expect(await page.getAttribute('#type-chips [data-type="model"]', 'aria-pressed')).toBe('true');
    expect(await page.locator('#results .result[data-id^="test."]').count()).toBe(0);

    await openNode(page, server.url, 'model.mediflow.stg_claims', '');
    await page.click('#sql-tabs [data-sql="raw"]');
    expect(page.url()).toContain('sql=raw');
    await page.reload();
    await page.waitForSelector('#sql-raw');
    expect(await page.isVisible('#sql-raw')).toBe(true);
    expect(await page.isVisible('#sql-compiled')).toBe(false);

    await openGraph(page, server.url, '?select=%2Bfact_claim&hide=seed');
    await page.evaluate(() => (window as any).MF.graph.select('model.mediflow.stg_claims'));
    await page.click('#g-zoom-in');
    await page.waitForFunction(() => location.hash.includes('z='));
    const view = await graphState(page);
    await page.reload();
    await page.waitForFunction(() => (window as any).MF?.graph?.rendered);
    expect(await page.textContent('#g-sel-name')).toBe('stg_claims');
    const after = await graphState(page);
    expect(after.s).toBeCloseTo(view.s, 2);
    expect(after.tx).toBeCloseTo(view.tx, -1);
    expect(await page.isChecked('#graph-side input[data-type="seed"]')).toBe(false);
    expect(await page.inputValue('#g-select')).toBe('+fact_claim');
    expect(errors).toEqual([]);
  });

  it('keeps the header on screen, shows rows and test status on graph nodes, and follows dark mode', async () => {
    await openNode(page, server.url, 'model.mediflow.fact_admission', '');
    await page.mouse.wheel(0, 3000);
    await page.waitForFunction(() => window.scrollY > 2000);
    expect((await page.locator('header.top').boundingBox())!.y).toBe(0);

    const fact = await page.evaluate(() => { const n = (window as any).MF.byId.get('model.mediflow.fact_admission'); return { rows: n.rows, ts: n.ts }; });
    expect(fact.rows).toBeGreaterThan(0);
    expect(fact.ts).toBe(1);
    await openGraph(page, server.url, '?sel=model.mediflow.fact_admission');
    expect(await page.textContent('#g-sel')).toMatch(/[\d,]+ rows · tests pass/);

    const dark = await browser.newPage({ viewport: { width: 1400, height: 900 }, colorScheme: 'dark' });
    await dark.goto(`${server.url}#/graph?focus=model.mediflow.fact_admission&up=2&down=1`);
    await dark.waitForFunction(() => (window as any).MF?.graph?.rendered);
    const bg = await dark.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(bg).toBe('rgb(15, 20, 27)');
    // The canvas is painted with the dark panel colour too.
    const px = await dark.evaluate(() => Array.from((document.querySelector('#graph-canvas') as HTMLCanvasElement).getContext('2d')!.getImageData(3, 3, 1, 1).data));
    expect(px.slice(0, 3)).toEqual([22, 29, 39]);
    await dark.screenshot({ path: path.join(SHOTS, 'dark-graph.png') });
    expect(await seriousViolations(dark)).toEqual([]);
    await dark.close();
    expect(errors).toEqual([]);
  });

  it('works on a 390 px phone: no sideways scroll, a usable graph, touch pan and pinch', async () => {
    const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true, deviceScaleFactor: 2 });
    const phone = await ctx.newPage();
    const phoneErrors: string[] = [];
    phone.on('pageerror', (e) => phoneErrors.push(String(e)));
    try {
      for (const hash of ['#/', '#/search?q=fact', '#/node/model.mediflow.fact_admission', '#/node/source.mediflow.raw.inpatient', '#/graph']) {
        await phone.goto(`${server.url}${hash}`);
        await phone.waitForSelector(hash === '#/' ? '#layers' : hash.startsWith('#/search') ? '#results .result' : hash.startsWith('#/node') ? '#columns' : '#graph-canvas');
        await phone.waitForTimeout(100);
        expect(await phone.evaluate(() => document.documentElement.scrollWidth), hash).toBeLessThanOrEqual(390);
        expect(await seriousViolations(phone)).toEqual([]);
      }
      await phone.goto(`${server.url}#/graph?focus=model.mediflow.fact_admission&up=2&down=1`);
      await phone.waitForFunction(() => (window as any).MF?.graph?.rendered);
      const box = (await phone.locator('#graph-canvas').boundingBox())!;
      expect(box.width).toBeGreaterThan(340);
      expect(box.height).toBeGreaterThan(400);
      await phone.screenshot({ path: path.join(SHOTS, 'phone-graph.png') });
      const cdp = await ctx.newCDPSession(phone);
      const touch = (type: string, points: [number, number][]) => cdp.send('Input.dispatchTouchEvent', { type, touchPoints: points.map(([x, y], id) => ({ x, y, id })) });
      const cx = box.x + box.width / 2, cy = box.y + box.height / 2;
      const v0 = await graphState(phone);
      await touch('touchStart', [[cx, cy]]);
      for (let k = 1; k <= 5; k++) await touch('touchMove', [[cx - 12 * k, cy + 6 * k]]);
      await touch('touchEnd', []);
      const v1 = await graphState(phone);
      expect(v1.tx - v0.tx).toBeCloseTo(-60, 0);
      expect(v1.ty - v0.ty).toBeCloseTo(30, 0);
      await touch('touchStart', [[cx - 30, cy], [cx + 30, cy]]);
      for (let k = 1; k <= 5; k++) await touch('touchMove', [[cx - 30 - 12 * k, cy], [cx + 30 + 12 * k, cy]]);
      await touch('touchEnd', []);
      const v2 = await graphState(phone);
      expect(v2.s / v1.s).toBeCloseTo(180 / 60, 1);
      expect(phoneErrors).toEqual([]);
    } finally {
      await ctx.close();
    }
  });

  it('passes axe-core on every kind of page: no serious or critical violations', async () => {
    const hashes = ['#/', '#/search', '#/search?q=readmision', '#/graph', '#/graph?focus=model.mediflow.fact_admission&up=1&down=1&col=readmitted_30d',
      '#/node/model.mediflow.fact_admission', '#/node/source.mediflow.raw.inpatient', '#/node/seed.mediflow.race_codes'];
    const ids = await page.evaluate(() => { const M = (window as any).MF; return ['test', 'unit_test', 'macro'].map((t) => M.nodes.find((n: any) => n.t === t)?.id).filter(Boolean); });
    for (const id of ids) hashes.push(`#/node/${encodeURIComponent(id)}`);
    const found: string[] = [];
    for (const hash of hashes) {
      await openHash(page, server.url, hash);
      await page.waitForTimeout(300);
      found.push(...(await seriousViolations(page)));
    }
    expect(found).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('gives exposures, semantic models, metrics and saved queries a page and a place in the graph', async () => {
    const target = path.join(dir, 'target');
    const manifest = withSemanticLayer(JSON.parse(readFileSync(path.join(target, 'manifest.json'), 'utf8')) as Manifest);
    const out = path.join(dir, 'target', 'docs-semantic');
    await generateDocsSite({ targetDir: target, outDir: out, manifest, catalog: JSON.parse(readFileSync(path.join(target, 'catalog.json'), 'utf8')) });
    const srv = await serveDocs({ dir: out, port: 0, open: false });
    try {
      await openNode(page, srv.url, 'exposure.mediflow.readmission_dashboard', '');
      expect(await page.textContent('.node-head')).toContain('Quality team');
      expect(await page.textContent('.node-head')).toContain('dashboard');
      expect(await page.textContent('#parents')).toContain('mart_readmission');
      expect(await seriousViolations(page)).toEqual([]);
      await openNode(page, srv.url, 'semantic_model.mediflow.admissions', '');
      expect(await page.locator('#measures tbody tr').count()).toBe(2);
      expect(await page.textContent('#entities')).toContain('admission_id');
      expect(await page.textContent('#children')).toContain('readmission_rate');
      expect(await seriousViolations(page)).toEqual([]);
      await openNode(page, srv.url, 'metric.mediflow.readmission_rate', '');
      expect(await page.textContent('#metric-definition')).toContain('readmissions');
      await openNode(page, srv.url, 'saved_query.mediflow.readmission_by_year', '');
      expect(await page.textContent('#saved-query')).toContain('readmission_rate');
      await openNode(page, srv.url, 'model.mediflow.mart_readmission', '');
      expect(await page.textContent('#children')).toContain('readmission_dashboard');
      await openGraph(page, srv.url, '?select=' + encodeURIComponent('fact_admission+'));
      expect(await page.evaluate(() => (window as any).MF.graph.visibleNames())).toEqual(expect.arrayContaining(['admissions', 'readmission_rate', 'readmission_by_year', 'readmission_dashboard']));
      await openGraph(page, srv.url, '?select=' + encodeURIComponent('+exposure:readmission_dashboard'));
      expect(await page.evaluate(() => (window as any).MF.graph.visibleNames())).toContain('fact_admission');
      await openHash(page, srv.url, '#/');
      await page.waitForSelector('#layers');
      expect(await page.textContent('#type-counts')).toContain('1 exposure');
      expect(await page.textContent('#type-counts')).toContain('1 semantic model');
      expect(errors).toEqual([]);
    } finally {
      await srv.close();
    }
  });
});
