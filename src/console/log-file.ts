import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Console, ConsoleEvent } from './console.js';
import { redact } from '../project/secrets.js';

/**
 * Every command also appends its events to `logs/mflow.log` (log-path in the project), as dbt
 * keeps `logs/dbt.log`: after a CI job, or when the terminal scrolled away, the whole run is
 * still there, with the invocation id that ties it to its artifacts.
 */
export class LogFileConsole implements Console {
  private opened = false;
  constructor(
    private readonly inner: Console,
    private readonly file: string,
    readonly invocationId?: string,
  ) {}

  emit(e: ConsoleEvent): void {
    this.inner.emit(e);
    try {
      if (!this.opened) {
        mkdirSync(dirname(this.file), { recursive: true });
        appendFileSync(this.file, `\n============================== ${new Date().toISOString()} | ${this.invocationId ?? ''} ==============================\n`);
        this.opened = true;
      }
      // The file is an output like any other: secrets masked by provenance (project/secrets.ts).
      appendFileSync(this.file, redact(`${new Date().toISOString()} ${logText(e)}\n`));
    } catch {
      // A read-only project folder must not stop the command; the terminal still has everything.
    }
  }
}

function logText(e: ConsoleEvent): string {
  switch (e.type) {
    case 'info':
    case 'debug':
      return `[${e.type}] ${e.msg}`;
    case 'output':
      return `[output] ${e.text}`;
    case 'warn':
      return `[warn] ${e.file ? `${e.file}${e.line ? `:${e.line}` : ''}: ` : ''}${e.msg}`;
    case 'error':
      return `[error] ${e.msg}`;
    case 'node_start':
      return `[info] ${e.index} of ${e.total} START ${e.description} (${e.uniqueId})`;
    case 'node_result':
      return `[${e.status === 'ERROR' || e.status === 'FAIL' ? 'error' : e.status === 'WARN' ? 'warn' : 'info'}] ${e.index} of ${e.total} ${e.status} ${e.description} in ${e.seconds.toFixed(2)}s (${e.uniqueId})${e.detail ? ` ${e.detail}` : ''}`;
    case 'summary': {
      const lines = [`[info] Done in ${e.seconds.toFixed(2)}s. ${Object.entries(e.counts).map(([k, v]) => `${k}=${v}`).join(' ')}`];
      for (const p of e.problems ?? []) lines.push(`[${p.status === 'WARN' ? 'warn' : 'error'}] ${p.status} in ${p.where}: ${p.message}`);
      return lines.join('\n');
    }
  }
}
