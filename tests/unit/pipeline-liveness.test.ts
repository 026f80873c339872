import { describe, expect, it } from 'vitest';
import { STALE_MS, deadOwner, pidAlive } from '../../src/pipeline/liveness.js';

const row = (o: Partial<{ pid: number; host: string; heartbeat_at: string }>) => ({ run_id: 'r1', pid: 4242, host: 'here', started_at: '2026-01-01T00:00:00Z', heartbeat_at: '2026-01-01T00:00:00Z', ...o });
const t0 = Date.parse('2026-01-01T00:00:00Z');

describe('pipeline run liveness', () => {
  it('same host: killed exactly when the pid is gone, whatever the heartbeat age', () => {
    expect(deadOwner(row({}), t0 + 10 * STALE_MS, 'here', () => true)).toBeNull();
    expect(deadOwner(row({}), t0, 'here', () => false)).toMatchObject({ runId: 'r1', status: 'killed' });
    expect(deadOwner(row({}), t0, 'here', () => false)!.error).toMatch(/pid 4242 on here/);
  });
  it('another host: abandoned once its heartbeat is older than STALE_MS', () => {
    expect(deadOwner(row({ host: 'there' }), t0 + STALE_MS, 'here', () => false)).toBeNull();
    expect(deadOwner(row({ host: 'there' }), t0 + STALE_MS + 1000, 'here', () => true)).toMatchObject({ status: 'abandoned' });
  });
  it('pidAlive tells a live process from a gone one', () => {
    expect(pidAlive(process.pid)).toBe(true);
    expect(pidAlive(2 ** 22 + 12345)).toBe(false);
  });
});
