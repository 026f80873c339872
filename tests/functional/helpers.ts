import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { CaptureConsole } from '../../src/console/console.js';
import { MflowError, MflowErrors } from '../../src/errors.js';

/** An inline project in a temp folder, on a DuckDB file of its own: one call per test. */
export function makeProject(files: Record<string, string>, opts: { name?: string; targets?: string } = {}): { dir: string; db: string; console: CaptureConsole } {
  const dir = mkdtempSync(join(tmpdir(), 'mflow-fn-'));
  const db = join(dir, 'test.duckdb');
  const project =
    files['project.yml'] ??
    `name: ${opts.name ?? 'fn'}\nversion: 1.0.0\n${opts.targets ?? `targets:\n  default: dev\n  dev:\n    type: duckdb\n    path: test.duckdb\n    threads: 2\n`}`;
  const all = { ...files, 'project.yml': project };
  for (const [p, text] of Object.entries(all)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), text);
  }
  return { dir, db, console: new CaptureConsole() };
}

export async function query(db: string, sql: string): Promise<Record<string, unknown>[]> {
  const inst = await DuckDBInstance.create(db);
  const c = await inst.connect();
  try {
    const r = await c.runAndReadAll(sql);
    return r.getRowObjectsJS().map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])));
  } finally {
    c.closeSync();
    inst.closeSync();
  }
}

/** The located errors a call rejects with (one MflowError or the collected MflowErrors). */
export async function errorsOf(p: Promise<unknown>): Promise<MflowError[]> {
  try {
    await p;
  } catch (e) {
    if (e instanceof MflowErrors) return e.errors;
    if (e instanceof MflowError) return [e];
    throw e;
  }
  throw new Error('expected an error');
}
