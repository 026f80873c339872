import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = join(ROOT, 'bin/mflow');

/**
 * The run's seed: FAULT_SEED=<n> replays a failing run exactly (kill points, cases, data);
 * without it a fresh seed is drawn and printed, so every failure message carries it.
 */
export const SEED = process.env.FAULT_SEED ? Number(process.env.FAULT_SEED) : Math.floor(Math.random() * 2 ** 31);

/** mulberry32: small, fast and deterministic per seed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function ensureBuilt(): void {
  // The CLI runs the built JavaScript.
  if (!existsSync(join(ROOT, 'dist/cli/main.js'))) spawnSync('npx', ['tsc', '-p', ROOT], { stdio: 'inherit' });
}

export function scratch(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `mflow-fault-${prefix}-`));
}

export function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), text);
  }
}

export function copyProject(from: string, prefix: string): string {
  const to = scratch(prefix);
  cpSync(from, to, { recursive: true });
  return to;
}

export interface CliResult {
  code: number | null;
  out: string;
  err: string;
}

export function mflow(dir: string, args: string[], env: NodeJS.ProcessEnv = {}): CliResult {
  const r = spawnSync('node', [BIN, ...args, '--project-dir', dir], { encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0', ...env }, maxBuffer: 64 << 20 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Starts the CLI and SIGKILLs it after `ms`; resolves whether it was still running when killed. */
export function mflowKilledAfter(dir: string, args: string[], ms: number, env: NodeJS.ProcessEnv = {}): Promise<{ killed: boolean; code: number | null }> {
  return new Promise((resolve) => {
    const child: ChildProcess = spawn('node', [BIN, ...args, '--project-dir', dir], { env: { ...process.env, FORCE_COLOR: '0', ...env }, stdio: 'ignore' });
    let exited = false;
    const timer = setTimeout(() => {
      if (!exited) child.kill('SIGKILL');
    }, ms);
    child.on('exit', (code, signal) => {
      exited = true;
      clearTimeout(timer);
      resolve({ killed: signal === 'SIGKILL', code });
    });
  });
}

/** Runs queries on a DuckDB file and closes it again, so the next CLI run can take the lock. */
export async function withDb<T>(path: string, f: (q: (sql: string) => Promise<Record<string, unknown>[]>) => Promise<T>): Promise<T> {
  const inst = await DuckDBInstance.create(path);
  const c = await inst.connect();
  try {
    return await f(async (sql) => (await c.runAndReadAll(sql)).getRowObjectsJS().map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v]))));
  } finally {
    c.closeSync();
    inst.closeSync();
  }
}

export function sha256File(path: string): string | null {
  return existsSync(path) ? createHash('sha256').update(readFileSync(path)).digest('hex') : null;
}

/** Every file under a folder (recursively), for checksums and secret greps. */
export function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

export function cleanup(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
