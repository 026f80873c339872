import type { DownloadProgress } from './download.js';

/**
 * A one-line progress bar for downloads on a terminal; on a pipe (CI logs) it prints a line per
 * 10% instead, so logs stay readable.
 */
export function progressBar(stream: NodeJS.WriteStream = process.stderr): (p: DownloadProgress) => void {
  let lastDecile = -1;
  let lastDraw = 0;
  return (p) => {
    const name = p.file.split(/[\\/]/).pop() ?? p.file;
    const pct = p.total ? p.received / p.total : null;
    if (stream.isTTY) {
      const now = Date.now();
      if (now - lastDraw < 100 && p.received !== p.total) return;
      lastDraw = now;
      const width = 30;
      const bar = pct === null ? '' : '[' + '#'.repeat(Math.round(pct * width)).padEnd(width, '.') + '] ';
      const text = `${bar}${pct === null ? '' : (pct * 100).toFixed(0) + '% '}${mb(p.received)}${p.total ? ' / ' + mb(p.total) : ''} ${name}`;
      stream.write(`\r${text.padEnd(80)}`);
      if (p.total && p.received >= p.total) stream.write('\n');
    } else if (pct !== null) {
      const d = Math.floor(pct * 10);
      if (d !== lastDecile) {
        lastDecile = d;
        stream.write(`${name}: ${d * 10}% of ${mb(p.total ?? 0)}\n`);
      }
    }
  };
}

function mb(n: number): string {
  return `${(n / 1e6).toFixed(1)} MB`;
}
