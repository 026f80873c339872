/**
 * The real thing: a small MediFlow sample generated, ingested and built in a scratch copy of the
 * project, `docsGenerate()` run on it, and the reader's walk done in Chromium on the real site.
 * Screenshots go to test-artifacts/docs-mediflow/ (the README's lineage picture comes from here).
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { build } from '../../src/api.js';
import { CaptureConsole } from '../../src/console/console.js';
import { docsGenerate, type DocsGenerateResult } from '../../src/docs/api.js';
import { serveDocs } from '../../src/docs/serve.js';
import { copyProject, generate, ingest } from '../mediflow/pipeline.js';
import { openPage, requireChromium } from './chromium.js';
import { openParentFromGraph, searchAndOpenFactAdmission } from './docs-walk.js';

const SHOTS = path.resolve('test-artifacts/docs-mediflow');

let browser: Browser;
let page: Page;
let server: { url: string; close(): Promise<void> };
let dir: string;
let site: DocsGenerateResult;
const errors: string[] = [];

beforeAll(async () => {
  await requireChromium();
  dir = copyProject();
  await generate(dir, 300, 7);
  const ing = await ingest(dir);
  expect(ing.success).toBe(true);
  const console = new CaptureConsole();
  await build({ projectDir: dir, console });
  site = await docsGenerate({ projectDir: dir, console });
  server = await serveDocs({ dir: site.outDir, port: 0, open: false });
  await mkdir(SHOTS, { recursive: true });
  ({ browser, page } = await openPage(errors));
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('docs site of the real MediFlow build', () => {
  it('catalog, run results and lineage come from the real build', () => {
    expect(site.hadRunResults).toBe(true);
    expect(site.catalogRelations).toBeGreaterThan(20);
    expect(site.outDir).toBe(path.join(dir, 'target', 'docs'));
  });

  it('walks index → search → fact_admission → graph → parent → column lineage of readmitted_30d', async () => {
    await page.goto(server.url);
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

    await page.goto(`${server.url}#/node/model.mediflow.fact_admission?col=readmitted_30d`);
    await page.waitForSelector('#trace-tree');
    const tree = (await page.textContent('#trace-tree'))!;
    await page.screenshot({ path: path.join(SHOTS, '4-column-lineage.png'), fullPage: true });
    expect(tree).toContain('fact_admission.readmitted_30d');
    // The flag is computed from admission and discharge dates, which come from the raw claims.
    // and the death date (a death in the stay excludes it from the index admissions).
    for (const hop of ['stg_admissions.discharge_date', 'raw.inpatient.NCH_BENE_DSCHRG_DT', 'stg_admissions.admit_date', 'raw.inpatient.CLM_ADMSN_DT', 'dim_patient.death_date', 'raw.beneficiary.BENE_DEATH_DT']) expect(tree).toContain(hop);

    await page.goto(`${server.url}#/graph?focus=model.mediflow.fact_admission&up=4&down=1&col=readmitted_30d`);
    await page.waitForSelector('#g-col-tree');
    await page.screenshot({ path: path.join(SHOTS, '5-graph-column-lineage.png') });

    await page.goto(`${server.url}#/graph`);
    await page.waitForFunction(() => (window as any).MF?.graph?.rendered);
    await page.screenshot({ path: path.join(SHOTS, '6-graph-whole.png') });
    expect(errors).toEqual([]);
  });
});
