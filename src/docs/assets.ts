/**
 * The site's scripts and styles, assembled at generate time from our front-end sources and the
 * browser-ready files of npm packages: nothing is fetched from a CDN, so the site works offline,
 * from file:// and from any static file server.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { MflowError } from '../errors.js';

/** Order matters: later files use what earlier ones define on the shared `MF` object. */
const APP_FILES = ['core.js', 'select.js', 'search.js', 'overview.js', 'node-page.js', 'graph-layout.js', 'graph.js', 'main.js'];

function siteDir(): string {
  // From src/docs (tests) the sources sit beside us; from dist/docs they stay in src/docs/site.
  for (const rel of ['./site/', '../../src/docs/site/']) {
    const dir = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(`${dir}main.js`)) return dir;
  }
  throw new MflowError('INTERNAL', 'the docs site front-end (src/docs/site) is missing from this installation', {
    hint: 'reinstall mediflow; the package must ship src/docs/site',
  });
}

/** Wraps a CommonJS file so it runs as a plain browser script and hands back its exports. */
function wrapCommonJs(code: string): string {
  return `(function(){var module={exports:{}};var exports=module.exports;\n${code}\n;return module.exports;})()`;
}

export interface SiteAssets {
  html: string;
  appJs: string;
  css: string;
}

export async function loadSiteAssets(): Promise<SiteAssets> {
  const dir = siteDir();
  const require = createRequire(import.meta.url);
  const hljsCore = await readFile(require.resolve('highlight.js/lib/core'), 'utf8');
  const hljsSql = await readFile(require.resolve('highlight.js/lib/languages/sql'), 'utf8');
  const hljsCss = await readFile(require.resolve('highlight.js/styles/github.css'), 'utf8');
  const vendor = [
    '/* highlight.js (BSD-3-Clause), core + SQL, bundled from node_modules */',
    `var hljs = ${wrapCommonJs(hljsCore)};`,
    `hljs.registerLanguage('sql', ${wrapCommonJs(hljsSql)});`,
  ].join('\n');
  const parts = await Promise.all(APP_FILES.map((f) => readFile(`${dir}${f}`, 'utf8')));
  const appJs = `(function(){'use strict';\n${vendor}\n${parts.map((p, i) => `/* ${APP_FILES[i]} */\n${p}`).join('\n')}\n})();\n`;
  const css = `${hljsCss}\n${await readFile(`${dir}style.css`, 'utf8')}`;
  const html = await readFile(`${dir}index.html`, 'utf8');
  return { html, appJs, css };
}
