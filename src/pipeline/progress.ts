import { TerminalConsole, type Console, type ConsoleEvent } from '../console/console.js';

/** One step's state, as the runner reports it. */
export interface StepProgress {
  index: number;
  total: number;
  step: string;
  status: 'running' | 'success' | 'warn' | 'failed' | 'cancelled' | 'retrying';
  attempt: number;
  maxAttempts: number;
  seconds?: number;
  rows?: number | null;
}

const MARK: Record<string, string> = { pending: '·', running: '▶', retrying: '↻', success: '✓', warn: '!', failed: '✗', cancelled: '■' };

/**
 * The live view of `mflow pipeline` on a terminal: the steps as a block at the bottom of the
 * screen, redrawn in place with the running step's elapsed time, while the nodes' own lines
 * scroll above it. Not a terminal (CI, a log file): the runner's plain lines are all there is.
 */
export class LiveView implements Console {
  private readonly inner: TerminalConsole;
  private steps: Array<{ name: string; status: string; attempt: string; since: number; seconds: number | null; rows: number | null }> = [];
  private drawn = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly out: NodeJS.WritableStream & { columns?: number }, stepNames: string[]) {
    // Everything on one stream, so the cursor moves stay in step with what was written.
    this.inner = new TerminalConsole(out, out);
    this.steps = stepNames.map((name) => ({ name, status: 'pending', attempt: '', since: 0, seconds: null, rows: null }));
  }

  emit(e: ConsoleEvent): void {
    this.erase();
    this.inner.emit(e);
    this.draw();
  }

  update(p: StepProgress): void {
    const s = this.steps.find((x) => x.name === p.step);
    if (!s) return;
    if (p.status === 'running' && s.status !== 'running') s.since = Date.now();
    s.status = p.status;
    s.attempt = p.maxAttempts > 1 ? `attempt ${p.attempt}/${p.maxAttempts}` : '';
    s.seconds = p.seconds ?? null;
    s.rows = p.rows ?? null;
    if (!this.timer) {
      this.timer = setInterval(() => {
        this.erase();
        this.draw();
      }, 500);
      this.timer.unref();
    }
    this.erase();
    this.draw();
  }

  /** The final block stays on screen. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.erase();
    this.draw();
    this.drawn = 0;
  }

  private erase(): void {
    if (this.drawn) this.out.write(`\x1b[${this.drawn}A\x1b[0J`);
    this.drawn = 0;
  }

  private draw(): void {
    if (!this.steps.some((s) => s.status !== 'pending')) return;
    const width = Math.max(...this.steps.map((s) => s.name.length));
    const lines = this.steps.map((s) => {
      const secs = s.status === 'running' ? (Date.now() - s.since) / 1000 : s.seconds;
      const parts = [` ${MARK[s.status] ?? '?'} ${s.name.padEnd(width)}`, s.status === 'pending' ? '' : s.status.padEnd(9), secs === null || s.status === 'pending' ? '' : `${secs.toFixed(1)}s`, s.rows !== null && s.rows !== undefined ? `${s.rows} rows` : '', s.attempt];
      return parts.filter(Boolean).join('  ').trimEnd().slice(0, (this.out.columns || 100) - 1);
    });
    this.out.write(lines.join('\n') + '\n');
    this.drawn = lines.length;
  }
}
