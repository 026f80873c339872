/** Steps of the reader's walk through the MediFlow docs that hold for the fixture and the real build alike. */
import { expect } from 'vitest';
import type { Locator, Page } from 'playwright-core';

/** From the index: searches fact_admission, screenshots the hits to `searchShot`, opens it; returns its readmitted_30d row. */
export async function searchAndOpenFactAdmission(page: Page, searchShot: string): Promise<Locator> {
  await page.fill('#search', 'fact_admission');
  const first = page.locator('#results .result').first();
  await expect.poll(() => first.locator('.name').textContent()).toBe('fact_admission');
  await page.screenshot({ path: searchShot });
  await first.locator('.name').click();

  await page.waitForSelector('#columns');
  expect(await page.textContent('#node-title')).toBe('fact_admission');
  const row = page.locator('#columns tr[data-col="readmitted_30d"]');
  expect(await row.locator('td.type').textContent()).toBe('BOOLEAN');
  return row;
}

/** From fact_admission's page: opens its graph, picks the parent dim_patient on the canvas and opens its page. */
export async function openParentFromGraph(page: Page, o: { minVisible: number; graphShot: string; selectedShot?: string }): Promise<void> {
  await page.click('#open-graph');
  await page.waitForFunction(() => (window as any).MF?.graph?.rendered);
  expect(await page.evaluate(() => (window as any).MF.graph.visibleCount())).toBeGreaterThan(o.minVisible);
  await page.screenshot({ path: o.graphShot });
  const pos = await page.evaluate(() => (window as any).MF.graph.screenPos('model.mediflow.dim_patient'));
  expect(pos).not.toBeNull();
  await page.mouse.click(pos.x, pos.y);
  expect(await page.textContent('#g-sel-name')).toBe('dim_patient');
  if (o.selectedShot) await page.screenshot({ path: o.selectedShot });
  await page.click('#g-open');
  await page.waitForFunction(() => document.querySelector('#node-title')?.textContent === 'dim_patient');
}
