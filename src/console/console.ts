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
  | { type: 'summary'; counts: Record<string, number>; seconds: number; ok: boolean }
  | { type: 'output'; text: string };

export interface Console {
  emit(e: ConsoleEvent): void;
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
        this.out.write((e.ok ? chalk.green : chalk.red)(`${now()}  ${e.ok ? 'Completed successfully' : 'Completed with errors'}\n`));
        this.out.write(`${now()}  Done. ${parts}\n`);
        break;
      }
    }
  }
}

export class JsonConsole implements Console {
  constructor(private readonly out: NodeJS.WritableStream = process.stdout) {}
  emit(e: ConsoleEvent): void {
    this.out.write(JSON.stringify({ ts: new Date().toISOString(), ...masked(e) }) + '\n');
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
