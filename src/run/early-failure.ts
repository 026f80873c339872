import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYamlText } from 'yaml';
import { writeRunResults } from '../artifacts/write.js';
import type { RunResults } from '../contracts/results.js';
import { MflowError, MflowErrors } from '../errors.js';
import { MFLOW_VERSION } from '../version.js';
import type { CommonOptions } from './session.js';

/**
 * A run that stops before any node ran (a config error at parse) still leaves a
 * `run_results.json`, with no results and the located errors, so CI that reads the artifact
 * sees why rather than the previous run's results. A warehouse another process holds is the
 * exception: the run that holds it owns target/.
 */
export function recordEarlyFailure(opts: CommonOptions, which: string, e: unknown, t0: number): void {
  const errs = e instanceof MflowErrors ? e.errors : e instanceof MflowError ? [e] : [];
  if (errs.length === 0 || errs.some((x) => x.code === 'DATABASE_LOCKED' || x.code === 'PROJECT_NOT_FOUND')) return;
  const root = resolve(opts.projectDir ?? '.');
  const rr: RunResults & { errors: unknown[]; success: boolean } = {
    metadata: { mflow_schema_version: 'https://mediflow.dev/schemas/mflow/run-results/v1.json', mflow_version: MFLOW_VERSION, generated_at: new Date().toISOString(), invocation_id: randomUUID() },
    results: [],
    elapsed_time: (Date.now() - t0) / 1000,
    args: { which, select: opts.select ?? [], exclude: opts.exclude ?? [], full_refresh: Boolean(opts.fullRefresh), target: opts.target ?? null },
    success: false,
    errors: errs.map((x) => ({ code: x.code, message: x.message, file: x.file ?? null, line: x.line ?? null, node: x.node ?? null, hint: x.hint ?? null })),
  };
  try {
    writeRunResults(resolve(root, opts.targetPath ?? targetPathOf(root)), rr);
  } catch {
    // The error being reported matters more than the artifact.
  }
}

function targetPathOf(root: string): string {
  for (const f of ['project.yml', 'dbt_project.yml']) {
    const p = resolve(root, f);
    if (!existsSync(p)) continue;
    try {
      const raw = parseYamlText(readFileSync(p, 'utf8')) as Record<string, unknown> | null;
      const t = raw?.['target-path'];
      if (typeof t === 'string' && !t.includes('{')) return t;
    } catch {
      // An unreadable project file is the error being reported; target/ is the default.
    }
    break;
  }
  return 'target';
}
