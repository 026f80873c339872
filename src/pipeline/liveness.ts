import { hostname } from 'node:os';
import type { Console } from '../console/console.js';
import type { History, HeartbeatRow } from './history.js';

/**
 * A run killed with SIGKILL (or by the OOM killer, or a lost machine) cannot record its own end.
 * So the process running a run records its pid and host in `pipeline_heartbeats` and refreshes a
 * heartbeat every HEARTBEAT_MS; the next `mflow pipeline` or `mflow pipeline status` marks a run
 * still recorded as `running` whose owner is gone: `killed` when it ran on this host and its pid
 * no longer exists, `abandoned` when it ran on another host whose heartbeat is older than
 * STALE_MS (clocks of the two hosts are compared). `--resume` continues either. A run between
 * two orchestrator tasks has no owner row (each task releases it) and is left alone.
 */
export const HEARTBEAT_MS = 15_000;
export const STALE_MS = 120_000;

export const HOST = hostname();

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists, owned by someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface DeadRun {
  runId: string;
  status: 'killed' | 'abandoned';
  error: string;
}

/** Why an owner row no longer stands for a live process, or null while it does. */
export function deadOwner(h: HeartbeatRow, now = Date.now(), host = HOST, alive = pidAlive): DeadRun | null {
  const pid = Number(h.pid);
  if (h.host === host) {
    if (pid === process.pid || alive(pid)) return null;
    return { runId: h.run_id, status: 'killed', error: `its process (pid ${pid} on ${h.host}) ended without recording the run's end (killed?); last heartbeat ${h.heartbeat_at}` };
  }
  const age = now - Date.parse(h.heartbeat_at);
  if (!(age > STALE_MS)) return null;
  return { runId: h.run_id, status: 'abandoned', error: `no heartbeat from pid ${pid} on ${h.host} for ${Math.round(age / 1000)}s (last ${h.heartbeat_at})` };
}

/** Marks the runs whose process is gone; returns them. */
export async function reapDeadRuns(h: History, cons?: Console): Promise<DeadRun[]> {
  const dead: DeadRun[] = [];
  for (const owner of await h.runningOwners()) {
    const d = deadOwner(owner);
    if (!d) continue;
    await h.markDead(d.runId, d.status, d.error, new Date().toISOString());
    cons?.emit({ type: 'warn', msg: `Run ${d.runId} was recorded as running, but ${d.error}: marked ${d.status} (mflow pipeline --resume ${d.runId} continues it)` });
    dead.push(d);
  }
  return dead;
}
