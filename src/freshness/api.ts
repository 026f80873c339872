import { randomUUID } from 'node:crypto';
import { join, resolve } from 'node:path';
import type { Adapter } from '../contracts/adapter.js';
import type { FreshnessRule, SourceTable } from '../contracts/manifest.js';
import { writeAtomic } from '../artifacts/write.js';
import { MflowError } from '../errors.js';
import { readExternal } from '../ingest/external.js';
import { selectFor } from '../run/invoke.js';
import { Session, type CommonOptions } from '../run/session.js';
import { MFLOW_VERSION } from '../version.js';

export type FreshnessStatus = 'pass' | 'warn' | 'error' | 'runtime error';

/** One entry of `target/sources.json`, in dbt's shape (sources v3) so dbt tooling reads it. */
export interface FreshnessResult {
  unique_id: string;
  status: FreshnessStatus;
  max_loaded_at?: string;
  snapshotted_at?: string;
  max_loaded_at_time_ago_in_s?: number;
  criteria: FreshnessRule;
  /** Runtime errors only. */
  error?: string;
  adapter_response: Record<string, unknown>;
  timing: { name: 'execute'; started_at: string; completed_at: string }[];
  thread_id: string;
  execution_time: number;
}

export interface FreshnessOutput {
  results: FreshnessResult[];
  /** False when a source is past error_after or could not be checked: the CLI exits 1. */
  ok: boolean;
  elapsed: number;
  path: string;
}

export interface FreshnessOptions extends CommonOptions {
  /** Where sources.json goes (default: target/sources.json). */
  output?: string;
}

const SECONDS = { minute: 60, hour: 3600, day: 86400 } as const;

function limitSeconds(t: FreshnessRule['warn_after'], src: SourceTable, which: string): number | null {
  if (!t || t.count === undefined || t.count === null) return null;
  const per = SECONDS[String(t.period) as keyof typeof SECONDS];
  if (!per || !Number.isFinite(Number(t.count))) {
    throw new MflowError('CONFIG', `Source '${src.source_name}.${src.name}' has ${which} {count: ${t.count}, period: ${t.period}}`, { file: src.original_file_path, line: src.declared_at?.line, hint: 'Use a number for count and minute, hour or day for period.' });
  }
  return Number(t.count) * per;
}

/** error_after wins over warn_after, as in dbt. */
export function freshnessStatus(ageSeconds: number, rule: FreshnessRule, src: SourceTable): 'pass' | 'warn' | 'error' {
  const err = limitSeconds(rule.error_after, src, 'error_after');
  const warn = limitSeconds(rule.warn_after, src, 'warn_after');
  if (err !== null && ageSeconds > err) return 'error';
  if (warn !== null && ageSeconds > warn) return 'warn';
  return 'pass';
}

/** Naive timestamps are UTC, as dbt assumes. */
function toDate(v: unknown): Date | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v;
  const s = String(v);
  const d = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(s) ? s : `${s.replace(' ', 'T')}Z`);
  return Number.isNaN(d.getTime()) ? null : d;
}

export function freshnessSql(src: SourceTable): string {
  const filter = src.freshness?.filter ? `\nwhere ${src.freshness.filter}` : '';
  return `select max(${src.loaded_at_field}) as max_loaded_at, current_timestamp as snapshotted_at\nfrom ${src.relation_name}${filter}`;
}

/**
 * `mflow source freshness`: for every selected source table with a freshness rule, the age of its
 * newest row (max of loaded_at_field, optionally filtered) against warn_after / error_after.
 */
export async function sourceFreshness(opts: FreshnessOptions = {}): Promise<FreshnessOutput> {
  const t0 = Date.now();
  const s = await Session.open(opts);
  try {
    const ids = selectFor(s, opts, ['source']).filter((id) => s.manifest.sources[id]);
    const sources = ids.map((id) => s.manifest.sources[id]).filter((x) => x.freshness && (x.freshness.warn_after || x.freshness.error_after));
    for (const src of sources) {
      if (!src.loaded_at_field) s.console.emit({ type: 'warn', msg: `Source '${src.source_name}.${src.name}' has a freshness rule but no loaded_at_field; it is not checked`, file: src.original_file_path, line: src.declared_at?.line });
    }
    const todo = sources.filter((x) => x.loaded_at_field).sort((a, b) => a.unique_id.localeCompare(b.unique_id));
    s.console.emit({ type: 'info', msg: `Running with mflow=${MFLOW_VERSION}, target ${s.target.name} (${s.target.type})` });
    s.console.emit({ type: 'info', msg: `Found ${todo.length} source${todo.length === 1 ? '' : 's'} with a freshness rule` });
    const adapter = todo.length ? await s.connect() : null;
    const results: FreshnessResult[] = new Array(todo.length);
    let next = 0;
    let started = 0;
    const worker = async (thread: number) => {
      for (let i = next++; i < todo.length; i = next++) results[i] = await checkOne(s, adapter!, todo[i], ++started, todo.length, `Thread-${thread}`);
    };
    await Promise.all(Array.from({ length: Math.min(s.threads, Math.max(1, todo.length)) }, (_, k) => worker(k + 1)));
    const elapsed = (Date.now() - t0) / 1000;
    const path = opts.output ? resolve(opts.output) : join(s.targetDir, 'sources.json');
    writeAtomic(
      path,
      JSON.stringify(
        {
          metadata: { dbt_schema_version: 'https://schemas.getdbt.com/dbt/sources/v3.json', mflow_version: MFLOW_VERSION, generated_at: new Date().toISOString(), invocation_id: s.manifest.metadata.invocation_id ?? randomUUID(), env: {} },
          results,
          elapsed_time: elapsed,
        },
        null,
        1,
      ),
    );
    const count = (st: FreshnessStatus) => results.filter((r) => r.status === st).length;
    const ok = count('error') === 0 && count('runtime error') === 0;
    s.console.emit({ type: 'summary', counts: { PASS: count('pass'), WARN: count('warn'), ERROR: count('error') + count('runtime error'), SKIP: 0, TOTAL: results.length }, seconds: elapsed, ok });
    return { results, ok, elapsed, path };
  } finally {
    await s.close();
  }
}

async function checkOne(s: Session, adapter: Adapter, src: SourceTable, index: number, total: number, thread: string): Promise<FreshnessResult> {
  const name = `${src.source_name}.${src.name}`;
  const criteria: FreshnessRule = { warn_after: src.freshness?.warn_after ?? null, error_after: src.freshness?.error_after ?? null, filter: src.freshness?.filter ?? null };
  s.console.emit({ type: 'node_start', index, total, description: `freshness of ${name}`, uniqueId: src.unique_id });
  const startedAt = new Date();
  const base = { unique_id: src.unique_id, criteria, adapter_response: {}, thread_id: thread };
  const done = (r: Omit<FreshnessResult, keyof typeof base | 'timing' | 'execution_time'>): FreshnessResult => {
    const end = new Date();
    const secs = (end.getTime() - startedAt.getTime()) / 1000;
    const label = r.status === 'pass' ? 'PASS' : r.status === 'warn' ? 'WARN' : 'ERROR';
    s.console.emit({ type: 'node_result', index, total, status: label, description: `${r.status === 'error' ? 'STALE ' : ''}freshness of ${name}`, uniqueId: src.unique_id, seconds: secs });
    if (r.status === 'runtime error') s.console.emit({ type: 'error', msg: `  ${r.error}` });
    else if (r.status === 'warn' && r.error) s.console.emit({ type: 'warn', msg: `  ${r.error}` });
    else if (r.status !== 'pass') s.console.emit({ type: r.status === 'warn' ? 'warn' : 'error', msg: `  ${name}: newest row is ${describeAge(r.max_loaded_at_time_ago_in_s!)} old (${r.status === 'error' ? `error_after ${fmt(criteria.error_after)}` : `warn_after ${fmt(criteria.warn_after)}`})` });
    return { ...base, ...r, timing: [{ name: 'execute', started_at: startedAt.toISOString(), completed_at: end.toISOString() }], execution_time: secs };
  };
  const c = await adapter.acquire();
  try {
    // Column names as the warehouse returns them: Snowflake folds the unquoted aliases to upper case.
    const row = lowerKeys((await c.execute(freshnessSql(src))).rows[0] ?? {});
    const max = toDate(row.max_loaded_at);
    const at = toDate(row.snapshotted_at) ?? new Date();
    // An optional source that was not delivered has no rows: reported, not an error.
    if (!max && src.external && readExternal(src).optional) return done({ status: 'warn', error: `${name} (${src.original_file_path}): optional source with no rows (not delivered); freshness not judged` });
    if (!max) return done({ status: 'runtime error', error: `${name} (${src.original_file_path}): no rows${criteria.filter ? ` match the filter ${criteria.filter}` : ''}, so max(${src.loaded_at_field}) is null and freshness cannot be judged` });
    const age = (at.getTime() - max.getTime()) / 1000;
    return done({ status: freshnessStatus(age, criteria, src), max_loaded_at: max.toISOString(), snapshotted_at: at.toISOString(), max_loaded_at_time_ago_in_s: age });
  } catch (e) {
    if (e instanceof MflowError && e.code === 'CONFIG') throw e;
    const msg = (e as Error).message.split('\n')[0];
    return done({ status: 'runtime error', error: `Database error checking freshness of ${name} (${src.original_file_path}): ${msg}` });
  } finally {
    adapter.release(c);
  }
}

const fmt = (t: FreshnessRule['warn_after']) => (t ? `${t.count} ${t.period}${t.count === 1 ? '' : 's'}` : 'none');

function describeAge(secs: number): string {
  if (secs < 120) return `${Math.round(secs)} seconds`;
  if (secs < 7200) return `${Math.round(secs / 60)} minutes`;
  if (secs < 172800) return `${(secs / 3600).toFixed(1)} hours`;
  return `${(secs / 86400).toFixed(1)} days`;
}

const lowerKeys = (r: Record<string, unknown>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k.toLowerCase(), v]));
