import { randomUUID } from 'node:crypto';
import chalk from 'chalk';
import { hasSecrets, redactDeep } from '../project/secrets.js';

/**
 * All output goes through one interface: a terminal console with dbt-like lines, a JSON-lines
 * console for CI (`--log-format json`), and a capturing console for tests.
 */
export type ConsoleEvent =
  | { type: 'info'; msg: string }
  | { type: 'debug'; msg: string }
  | { type: 'warn'; msg: string; file?: string; line?: number }
  | { type: 'error'; msg: string; file?: string; line?: number; code?: string; hint?: string }
  | { type: 'node_start'; index: number; total: number; description: string; uniqueId: string }
  | {
      type: 'node_result';
      index: number;
      total: number;
      status: 'OK' | 'PASS' | 'WARN' | 'ERROR' | 'FAIL' | 'SKIP' | 'RUN';
      description: string;
      uniqueId: string;
      seconds: number;
      detail?: string;
    }
  | { type: 'summary'; counts: Record<string, number>; seconds: number; ok: boolean; problems?: Problem[] }
  | { type: 'output'; text: string };

/** A failed or warning node, listed again at the end of a run (dbt's "Completed with N errors"). */
export interface Problem {
  status: 'ERROR' | 'FAIL' | 'WARN';
  uniqueId: string;
  /** `model c1 (models/c1.sql)`. */
  where: string;
  message: string;
}

export interface Console {
  emit(e: ConsoleEvent): void;
  /** The invocation id consoles stamp on their lines; the session uses it for the artifacts too. */
  readonly invocationId?: string;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : word.endsWith('s') ? 'es' : 's'}`;

/** dbt's end-of-run line: `Completed with 1 error, 0 partial successes, and 0 warnings:`. */
export function endOfRunLine(problems: Problem[]): string {
  const errors = problems.filter((p) => p.status !== 'WARN').length;
  const warnings = problems.length - errors;
  return `Completed with ${plural(errors, 'error')}, 0 partial successes, and ${plural(warnings, 'warning')}:`;
}

const dots = (left: string, right: string, width = 80) => {
  const n = Math.max(3, width - left.length - right.length - 2);
  return `${left} ${'.'.repeat(n)} ${right}`;
};

const now = () => new Date().toTimeString().slice(0, 8);

/** Secrets from env_var() never reach a terminal or a log, whatever message carries them. */
const masked = (e: ConsoleEvent): ConsoleEvent => (hasSecrets() ? redactDeep(e) : e);

export class TerminalConsole implements Console {
  constructor(private readonly out: NodeJS.WritableStream = process.stdout, private readonly err: NodeJS.WritableStream = process.stderr, private readonly verbose = false) {}

  emit(event: ConsoleEvent): void {
    const e = masked(event);
    switch (e.type) {
      case 'info':
        this.out.write(`${now()}  ${e.msg}\n`);
        break;
      case 'debug':
        if (this.verbose) this.out.write(chalk.gray(`${now()}  ${e.msg}\n`));
        break;
      case 'output':
        this.out.write(e.text.endsWith('\n') ? e.text : e.text + '\n');
        break;
      case 'warn':
        this.err.write(chalk.yellow(`${now()}  [WARNING]: ${e.file ? `${e.file}${e.line ? `:${e.line}` : ''}: ` : ''}${e.msg}\n`));
        break;
      case 'error':
        this.err.write(chalk.red(`${now()}  ${e.msg}\n`));
        break;
      case 'node_start':
        this.out.write(`${now()}  ${dots(`${e.index} of ${e.total} START ${e.description}`, '[RUN]')}\n`);
        break;
      case 'node_result': {
        const color = e.status === 'OK' || e.status === 'PASS' ? chalk.green : e.status === 'WARN' || e.status === 'SKIP' ? chalk.yellow : chalk.red;
        const tag = e.status === 'SKIP' ? '[SKIP]' : `[${color(e.status === 'OK' ? (e.detail ?? 'OK') : e.status)} in ${e.seconds.toFixed(2)}s]`;
        const verb = e.status === 'OK' ? `OK ${/^seed/.test(e.description) ? 'loaded' : /^snapshot/.test(e.description) ? 'snapshotted' : 'created'} ` : e.status === 'SKIP' ? 'SKIP relation ' : `${e.status} `;
        this.out.write(`${now()}  ${dots(`${e.index} of ${e.total} ${verb}${e.description}`, tag)}\n`);
        break;
      }
      case 'summary': {
        const c = e.counts;
        const parts = ['PASS', 'WARN', 'ERROR', 'SKIP', 'TOTAL'].map((k) => `${k}=${c[k] ?? 0}`).join(' ');
        this.out.write(`\n${now()}  Finished in ${e.seconds.toFixed(2)}s.\n`);
        const problems = e.problems ?? [];
        if (problems.length) {
          // Failures again at the end, as dbt lists them: what to fix without scrolling back.
          this.out.write((e.ok ? chalk.yellow : chalk.red)(`${now()}  ${endOfRunLine(problems)}\n`));
          for (const p of problems) {
            const tag = p.status === 'WARN' ? chalk.yellow('WARNING') : chalk.red('ERROR');
            this.out.write(`\n${now()}  [${tag}]: in ${p.where}\n${p.message.split('\n').map((l) => `${now()}    ${l}`).join('\n')}\n`);
          }
          this.out.write('\n');
        } else this.out.write((e.ok ? chalk.green : chalk.red)(`${now()}  ${e.ok ? 'Completed successfully' : 'Completed with errors'}\n`));
        this.out.write(`${now()}  Done. ${parts}\n`);
        break;
      }
    }
  }
}

/**
 * `--log-format json`: one JSON object per line in dbt's structured-logging shape,
 * `{"data": {...}, "info": {"name", "code", "msg", "level", "invocation_id", "ts", ...}}`, with
 * dbt's event names and codes (LogStartLine Q011, LogModelResult Q012, EndOfRunSummary Z030,
 * StatsLine Z023, ...), so log shippers and tools written for dbt's JSON logs read ours.
 */
export class JsonConsole implements Console {
  readonly invocationId: string;
  constructor(private readonly out: NodeJS.WritableStream = process.stdout, invocationId?: string) {
    this.invocationId = invocationId ?? randomUUID();
  }
  emit(e: ConsoleEvent): void {
    for (const line of toDbtEvents(masked(e), this.invocationId)) this.out.write(JSON.stringify(line) + '\n');
  }
}

type DbtLine = { data: Record<string, unknown>; info: Record<string, unknown> };

const RESULT_EVENT: Record<string, [string, string]> = { model: ['LogModelResult', 'Q012'], test: ['LogTestResult', 'Q007'], unit_test: ['LogTestResult', 'Q007'], seed: ['LogSeedResult', 'Q016'], snapshot: ['LogSnapshotResult', 'Q015'] };
const NODE_STATUS: Record<string, string> = { OK: 'success', PASS: 'pass', WARN: 'warn', ERROR: 'error', FAIL: 'fail', SKIP: 'skipped', RUN: 'started' };

/** One console event as dbt's JSON log lines (an end-of-run summary is several). */
export function toDbtEvents(e: ConsoleEvent, invocationId: string): DbtLine[] {
  const line = (name: string, code: string, level: string, msg: string, data: Record<string, unknown>): DbtLine => ({
    data,
    info: { category: '', code, extra: {}, invocation_id: invocationId, level, msg, name, pid: process.pid, thread: 'MainThread', ts: new Date().toISOString() },
  });
  const nodeInfo = (uniqueId: string, status: string) => ({ unique_id: uniqueId, resource_type: uniqueId.split('.')[0], node_name: uniqueId.split('.').slice(2).join('.'), node_status: status });
  switch (e.type) {
    case 'info':
      return [line('Note', 'Z050', 'info', e.msg, { msg: e.msg })];
    case 'debug':
      return [line('Note', 'Z050', 'debug', e.msg, { msg: e.msg })];
    case 'output':
      return [line('ShowNode', 'Q041', 'info', e.text, { preview: e.text })];
    case 'warn': {
      const msg = `${e.file ? `${e.file}${e.line ? `:${e.line}` : ''}: ` : ''}${e.msg}`;
      return [line('Note', 'Z050', 'warn', msg, { msg, file: e.file ?? null, line: e.line ?? null })];
    }
    case 'error':
      return [line('RunResultError', 'Z024', 'error', e.msg, { msg: e.msg, ...(e.file ? { file: e.file, line: e.line ?? null } : {}), ...(e.code ? { code: e.code } : {}) })];
    case 'node_start':
      return [line('LogStartLine', 'Q011', 'info', `${e.index} of ${e.total} START ${e.description}`, { description: e.description, index: e.index, total: e.total, node_info: nodeInfo(e.uniqueId, 'started') })];
    case 'node_result': {
      const status = NODE_STATUS[e.status] ?? e.status.toLowerCase();
      const data = { description: e.description, status, index: e.index, total: e.total, execution_time: e.seconds, node_info: nodeInfo(e.uniqueId, status) };
      if (e.status === 'SKIP') return [line('SkippingDetails', 'Q034', 'info', `${e.index} of ${e.total} SKIP relation ${e.description}`, { ...data, resource_type: e.uniqueId.split('.')[0], node_name: e.uniqueId.split('.').slice(2).join('.') })];
      const [name, code] = RESULT_EVENT[e.uniqueId.split('.')[0]] ?? ['LogNodeResult', 'Q008'];
      const level = e.status === 'ERROR' || e.status === 'FAIL' ? 'error' : e.status === 'WARN' ? 'warn' : 'info';
      return [line(name, code, level, `${e.index} of ${e.total} ${e.status} ${e.description} [${e.status} in ${e.seconds.toFixed(2)}s]`, data)];
    }
    case 'summary': {
      const c = e.counts;
      const problems = e.problems ?? [];
      const out: DbtLine[] = [];
      const errors = problems.filter((p) => p.status !== 'WARN').length;
      out.push(line('EndOfRunSummary', 'Z030', 'info', problems.length ? endOfRunLine(problems) : 'Completed successfully', { num_errors: errors, num_warnings: problems.length - errors, num_partial_success: 0, keyboard_interrupt: false }));
      for (const p of problems) {
        const [name, code, level] = p.status === 'WARN' ? ['RunResultWarning', 'Z021', 'warn'] : p.status === 'FAIL' ? ['RunResultFailure', 'Z022', 'error'] : ['RunResultError', 'Z024', 'error'];
        out.push(line(name, code, level, `${p.message}`, { msg: p.message, node_info: nodeInfo(p.uniqueId, p.status.toLowerCase()) }));
      }
      const stats = { pass: c.PASS ?? 0, warn: c.WARN ?? 0, error: c.ERROR ?? 0, skip: c.SKIP ?? 0, noop: 0, reused: 0, total: c.TOTAL ?? 0 };
      out.push(line('StatsLine', 'Z023', 'info', `Done. PASS=${stats.pass} WARN=${stats.warn} ERROR=${stats.error} SKIP=${stats.skip} NO-OP=0 REUSED=0 TOTAL=${stats.total}`, { stats }));
      return out;
    }
  }
}

export class CaptureConsole implements Console {
  readonly events: ConsoleEvent[] = [];
  emit(e: ConsoleEvent): void {
    this.events.push(masked(e));
  }
  get text(): string {
    return this.events
      .map((e) => ('msg' in e ? e.msg : e.type === 'output' ? e.text : e.type === 'node_result' ? `${e.status} ${e.description}` : ''))
      .join('\n');
  }
}
