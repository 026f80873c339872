/**
 * The generated docs site in headless Chromium (Debian's, installed by .ci/run): the walk a
 * reader does on MediFlow, with screenshots under test-artifacts/docs/. Set MFLOW_DOCS_TARGET to
 * a real `target/` folder to run it against the real MediFlow build instead of the fixture.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { generateDocsSite } from '../../src/docs/generate.js';
import { serveDocs } from '../../src/docs/serve.js';
import { openPage, requireChromium } from './chromium.js';
import { openParentFromGraph, searchAndOpenFactAdmission } from './docs-walk.js';
import { loadArtifacts } from './mediflow-fixture.js';

const SHOTS = path.resolve('test-artifacts/docs');

let browser: Browser;
let page: Page;
let server: { url: string; close(): Promise<void> };
let tmp: string;
const errors: string[] = [];
const outside: string[] = [];

beforeAll(async () => {
  await requireChromium();
  const art = await loadArtifacts();
  tmp = await mkdtemp(path.join(os.tmpdir(), 'mflow-docs-'));
  const site = await generateDocsSite({ targetDir: tmp, manifest: art.manifest, catalog: art.catalog, runResults: art.runResults });
  server = await serveDocs({ dir: site.outDir, port: 0, open: false });
  await mkdir(SHOTS, { recursive: true });
  ({ browser, page } = await openPage(errors));
  page.on('request', (r) => !r.url().startsWith(server.url) && !r.url().startsWith('data:') && outside.push(r.url()));
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('docs site in Chromium', () => {
  it('walks index → search → node → graph → parent → column lineage', async () => {
    await page.goto(`${server.url}#/search`);
    await page.waitForSelector('#results .result');
    expect(await page.locator('#results .result').count()).toBeGreaterThan(10);
    await page.screenshot({ path: path.join(SHOTS, '1-index.png') });

    const row = await searchAndOpenFactAdmission(page, path.join(SHOTS, '2-search.png'));
    expect(await row.textContent()).toContain('admitted again within 30 days');
    expect(await row.textContent()).toContain('accepted_values');
    expect(await row.locator('.status').textContent()).toBe('fail');
    expect(await page.locator('#tests tbody tr').count()).toBe(4);
    expect(await page.textContent('.desc')).toContain('Thirty-day readmission');
    expect(await page.locator('pre[data-sql="compiled"] .hljs-keyword').count()).toBeGreaterThan(3);
    expect(await page.textContent('#parents')).toContain('dim_patient');
    expect(await page.textContent('.row-count')).toBe('5');
    await page.screenshot({ path: path.join(SHOTS, '3-fact_admission.png'), fullPage: true });

    await openParentFromGraph(page, { minVisible: 5, graphShot: path.join(SHOTS, '4-graph-fact_admission.png'), selectedShot: path.join(SHOTS, '5-graph-selected-parent.png') });
    expect(await page.locator('#columns tr[data-col="age_2010"] td.type').textContent()).toBe('BIGINT');

    await page.goto(`${server.url}#/node/model.mediflow.fact_admission?col=readmitted_30d`);
    await page.waitForSelector('#trace-tree');
    const tree = await page.textContent('#trace-tree');
    for (const hop of ['fact_admission.readmitted_30d', 'int_admission_windows.next_admit_date', 'stg_admissions.admit_date', 'raw.inpatient_claims.clm_admsn_dt', 'raw.inpatient_claims.nch_bene_dschrg_dt']) expect(tree).toContain(hop);
    await page.screenshot({ path: path.join(SHOTS, '6-column-lineage.png'), fullPage: true });

    await page.goto(`${server.url}#/graph?focus=model.mediflow.fact_admission&up=5&down=1&col=readmitted_30d`);
    await page.waitForSelector('#g-col-tree');
    expect(await page.textContent('#g-col-tree')).toContain('stg_admissions.discharge_date');
    await page.screenshot({ path: path.join(SHOTS, '7-graph-column-lineage.png') });

    await page.goto(`${server.url}#/node/model.mediflow.mart_legacy_reconciliation`);
    await page.waitForSelector('#columns');
    expect(await page.textContent('#columns')).toContain('cannot be traced');

    await page.goto(`${server.url}#/graph`);
    await page.waitForFunction(() => (window as any).MF?.graph?.rendered);
    await page.screenshot({ path: path.join(SHOTS, '8-graph-whole.png') });

    expect(errors).toEqual([]);
    expect(outside).toEqual([]);
  });

  it('selects by tag in the graph, and every request stays on the site', async () => {
    await page.goto('about:blank');
    await page.goto(`${server.url}#/graph?select=tag:marts`);
    await page.waitForFunction(() => (window as any).MF?.graph?.rendered);
    expect(((await page.evaluate(() => (window as any).MF.graph.visibleNames())) as string[]).sort()).toEqual(['mart_legacy_reconciliation', 'mart_readmission_rates']);
    await page.goto('about:blank');
    await page.goto(`${server.url}#/graph?select=${encodeURIComponent('+mart_readmission_rates,tag:core')}`);
    await page.waitForFunction(() => (window as any).MF?.graph?.rendered);
    expect(((await page.evaluate(() => (window as any).MF.graph.visibleNames())) as string[]).sort()).toEqual(['dim_patient', 'dim_provider', 'fact_admission', 'int_admission_windows']);
    expect(errors).toEqual([]);
    expect(outside).toEqual([]);
  });
});
