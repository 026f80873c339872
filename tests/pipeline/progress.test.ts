/** The live view of `mflow pipeline` on a terminal: a step block redrawn in place under the scrolling lines. */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { LiveView } from '../../src/pipeline/progress.js';

class Screen extends Writable {
  text = '';
  columns = 120;
  isTTY = true;
  _write(chunk: Buffer, _enc: string, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
}

describe('pipeline live view', () => {
  it('redraws the step block below each new line, with status, timing, rows and attempts', () => {
    const screen = new Screen();
    const v = new LiveView(screen, ['load_raw', 'core', 'publish']);
    v.update({ index: 1, total: 3, step: 'load_raw', status: 'running', attempt: 1, maxAttempts: 2 });
    v.update({ index: 1, total: 3, step: 'load_raw', status: 'success', attempt: 1, maxAttempts: 2, seconds: 1.25, rows: 13687 });
    v.update({ index: 2, total: 3, step: 'core', status: 'retrying', attempt: 1, maxAttempts: 2, seconds: 0.5, rows: null });
    v.emit({ type: 'info', msg: 'core failed (attempt 1 of 2); retrying in 1.0s' });
    v.stop();
    // Each redraw first moves up over the three lines of the block and clears them.
    expect(screen.text.split('\x1b[3A\x1b[0J').length - 1).toBe(4);
    const last = screen.text.slice(screen.text.lastIndexOf('\x1b[3A\x1b[0J') + 8);
    expect(last).toMatch(/^ ✓ load_raw  success    1\.3s  13687 rows  attempt 1\/2\n ↻ core      retrying   0\.5s  attempt 1\/2\n · publish\n$/);
    // The new line is written where the block was, and the block drawn again below it.
    expect(screen.text).toMatch(/\x1b\[3A\x1b\[0J\d\d:\d\d:\d\d  core failed \(attempt 1 of 2\); retrying in 1\.0s\n ✓ load_raw /);
  });
});
