/** Headless Chromium for the docs tests: Debian's (installed by .ci/run) unless CHROMIUM_PATH names another. */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** Called first in a set-up, so a missing browser fails before minutes are spent building the site. */
export function requireChromium(): void {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: install it with apt-get install chromium (as .ci/run does) or set CHROMIUM_PATH`);
}

/** A browser with one 1400x900 page whose uncaught errors (and console errors, unless turned off) go to `errors`. */
export async function openPage(errors: string[], { consoleErrors = true } = {}): Promise<{ browser: Browser; page: Page }> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('pageerror', (e) => errors.push(String(e)));
    if (consoleErrors) page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    return { browser, page };
  } catch (e) {
    // The caller never gets the browser to close in its afterAll.
    await browser.close();
    throw e;
  }
}
