/** Moving around the docs site in tests: every hop is a fresh load, as a shared link or a reload is. */
import type { Page } from 'playwright-core';

export async function openHash(page: Page, base: string, hash: string): Promise<void> {
  await page.goto('about:blank');
  await page.goto(`${base}${hash}`);
  await page.waitForFunction(() => Boolean((window as any).MF?.nodes));
}

/** The graph route with `query` ('?select=...'), once drawn (column mode waits for its details). */
export async function openGraph(page: Page, base: string, query: string): Promise<void> {
  await openHash(page, base, `#/graph${query}`);
  await page.waitForFunction(() => (window as any).MF?.graph?.rendered);
}

export async function openNode(page: Page, base: string, id: string, query: string): Promise<void> {
  await openHash(page, base, `#/node/${encodeURIComponent(id)}${query}`);
  await page.waitForSelector('#node-title');
}

export async function graphState(page: Page): Promise<{ s: number; tx: number; ty: number }> {
  return page.evaluate(() => ({ ...(window as any).MF.graph.view }));
}
