/** Headless Chromium for the docs tests: found by chromium-path.mjs (CHROMIUM_PATH, Debian's, or the npm build). */
import { chromium, type Browser, type Page } from 'playwright-core';
import { chromiumPath } from './chromium-path.mjs';

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
let found: Promise<string> | undefined;

/** Called first in a set-up, so a missing browser fails before minutes are spent building the site. */
export async function requireChromium(): Promise<string> {
  found ??= chromiumPath();
  return found;
}

/** A browser with one 1400x900 page whose uncaught errors (and console errors, unless turned off) go to `errors`. */
export async function openPage(errors: string[], { consoleErrors = true } = {}): Promise<{ browser: Browser; page: Page }> {
  const browser = await chromium.launch({ executablePath: await requireChromium(), args: CHROMIUM_ARGS });
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
