/**
 * The Python test environment of the oracles no one here wrote: dbt-core + dbt-duckdb (and
 * dbt-snowflake), fakesnow, sqlglot and Apache Airflow, pinned in tests/oracles/requirements.txt.
 *
 * `npm test` must be the whole set-up on a fresh machine, so the first test that needs an oracle
 * builds the virtual environment (python3 -m venv, then pip install --no-deps of the complete
 * lock, about a minute) and later runs reuse it. It lives outside the clone, keyed by the lock's
 * hash, so a new lock gets a new environment and CI's fresh clones on one machine share one.
 * MFLOW_PYENV names an existing environment instead (a developer's own).
 *
 * Several test files may ask at once (vitest runs the fast project in parallel): one builds under
 * a lock folder, the others wait for its completion marker. A build killed half-way leaves no
 * marker, and the next caller removes it and builds again.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const HERE = dirname(fileURLToPath(import.meta.url));
export const REQUIREMENTS = join(HERE, 'requirements.txt');
const MARKER = '.mediflow-complete';
/** What a test hook waiting for the first build should allow (pip on a busy 2-core machine). */
export const PYENV_TIMEOUT_MS = 15 * 60_000;

export interface PythonEnv {
  /** The environment's folder. */
  dir: string;
  /** Its python executable. */
  python: string;
  /** The path of a console script installed in it (`dbt`, `airflow`, `fakesnow`). */
  bin(name: string): string;
  /** process.env plus what keeps the oracles quiet and offline (no usage tracking, no update checks). */
  env(extra?: Record<string, string>): NodeJS.ProcessEnv;
}

function cacheBase(): string {
  return process.env.MFLOW_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'mediflow');
}

function envAt(dir: string): PythonEnv {
  return {
    dir,
    python: join(dir, 'bin', 'python'),
    bin: (name) => join(dir, 'bin', name),
    env: (extra = {}) => ({
      ...process.env,
      DO_NOT_TRACK: '1',
      DBT_SEND_ANONYMOUS_USAGE_STATS: 'false',
      DBT_VERSION_CHECK: 'false',
      PIP_DISABLE_PIP_VERSION_CHECK: '1',
      PYTHONDONTWRITEBYTECODE: '1',
      ...extra,
    }),
  };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let pending: Promise<PythonEnv> | undefined;

/** The oracle environment, built on first use (once per lock file and machine). */
export function pythonEnv(): Promise<PythonEnv> {
  pending ??= ensure();
  return pending;
}

async function ensure(): Promise<PythonEnv> {
  if (process.env.MFLOW_PYENV) return envAt(process.env.MFLOW_PYENV);
  const hash = createHash('sha256').update(readFileSync(REQUIREMENTS)).digest('hex').slice(0, 12);
  const dir = join(cacheBase(), `pyenv-${hash}`);
  const lock = `${dir}.lock`;
  mkdirSync(cacheBase(), { recursive: true });
  for (;;) {
    if (existsSync(join(dir, MARKER))) return envAt(dir);
    try {
      mkdirSync(lock);
    } catch {
      // Someone else builds: wait for them, or take over from a builder that died.
      const holder = Number(readFileSafe(join(lock, 'pid')));
      if (holder && !alive(holder)) rmSync(lock, { recursive: true, force: true });
      else await sleep(1000);
      continue;
    }
    try {
      writeFileSync(join(lock, 'pid'), String(process.pid));
      await build(dir);
      return envAt(dir);
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
}

function readFileSafe(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

async function build(dir: string): Promise<void> {
  rmSync(dir, { recursive: true, force: true });
  const python = process.env.MFLOW_PYTHON ?? 'python3';
  const opts = { maxBuffer: 64 * 1024 * 1024, env: envAt(dir).env() };
  try {
    await run(python, ['-m', 'venv', dir], opts);
    // --no-deps: the lock is complete (uv pip compile, see README.md here). It leaves out
    // dbt-core-experimental-parser, an optional binary whose sdist downloads from GitHub at build
    // time, which fails without internet; dbt-core runs without it.
    await run(join(dir, 'bin', 'python'), ['-m', 'pip', 'install', '--quiet', '--no-input', '--no-deps', '-r', REQUIREMENTS], opts);
    await run(join(dir, 'bin', 'python'), ['-c', 'import dbt.cli.main, dbt.adapters.duckdb, fakesnow, sqlglot, airflow'], opts);
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`Could not build the Python oracle environment in ${dir} from ${REQUIREMENTS}: ${(err.stderr || err.message).slice(-2000)}\n` +
      `It needs python3 (3.11) with venv and the Python package registry; MFLOW_PYENV can name a ready environment instead.`);
  }
  writeFileSync(join(dir, MARKER), new Date().toISOString());
}
