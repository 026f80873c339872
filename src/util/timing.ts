/**
 * `MFLOW_TIMING=1` prints how long each phase of a command took to stderr, counted from process
 * start: the first thing to read when a compile is slower than the Performance section says.
 */
const enabled = Boolean(process.env.MFLOW_TIMING);
let last = 0;

export function phase(label: string): void {
  if (!enabled) return;
  const now = performance.now();
  process.stderr.write(`[timing] ${label.padEnd(28)} ${(now - last).toFixed(0).padStart(6)} ms  (at ${now.toFixed(0)} ms)\n`);
  last = now;
}
