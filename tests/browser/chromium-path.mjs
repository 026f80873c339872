// Where the browser tests and bench/docs-render.mjs find Chromium: CHROMIUM_PATH, else Debian's
// /usr/bin/chromium, else the build that the npm package @sparticuz/chromium ships (a devDependency),
// so `npm test` needs no browser installed by hand. That package unpacks into os.tmpdir(); we point
// it at a cache folder of its own (not the root of /tmp) and unpack into a scratch folder that is
// renamed into place, so a killed unpack never leaves a half-written browser behind.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

const SYSTEM = '/usr/bin/chromium';

/** The cache folder for the unpacked npm build, one per package version. */
function cacheDir() {
  // The package exports no package.json: read it beside its entry point (build/ -> package root).
  const entry = createRequire(import.meta.url).resolve('@sparticuz/chromium');
  const { version } = JSON.parse(readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8'));
  const base = process.env.MFLOW_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'mediflow');
  return join(base, `chromium-${version}`);
}

/** The path of a Chromium executable, unpacking the npm build on first use. */
export async function chromiumPath() {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  if (existsSync(SYSTEM)) return SYSTEM;
  const dir = cacheDir();
  const exe = join(dir, 'chromium');
  if (existsSync(exe)) return exe;
  const scratch = `${dir}.part-${process.pid}`;
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = scratch; // @sparticuz/chromium unpacks into os.tmpdir()
  try {
    const { default: Chromium } = await import('@sparticuz/chromium');
    await Chromium.executablePath();
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
  }
  try {
    renameSync(scratch, dir);
  } catch (e) {
    // Another process unpacked it first: use theirs.
    rmSync(scratch, { recursive: true, force: true });
    if (!existsSync(exe)) throw e;
  }
  return exe;
}
