import type { Adapter, Dialect, Statement } from '../contracts/adapter.js';
import { runEach } from '../contracts/statements.js';

/**
 * Run history in the warehouse, next to the data it describes: `pipeline_runs` (one row per run),
 * `pipeline_steps` (one row per attempt of a step) and `pipeline_audits` (RAW row counts and
 * columns of each run, which the next run's audit compares against), and `pipeline_heartbeats`
 * (the process that runs a run: pid, host, last heartbeat; see liveness.ts). Each write is one
 * short statement on its own connection, so a crash leaves the rows written so far.
 */
/** killed: its process is gone (same host, pid not alive); abandoned: another host stopped sending heartbeats. */
export type RunStatus = 'running' | 'success' | 'failed' | 'cancelled' | 'killed' | 'abandoned';
export type StepStatus = 'running' | 'success' | 'warn' | 'failed' | 'cancelled' | 'skipped' | 'killed' | 'abandoned';

export interface RunRow {
  run_id: string;
  status: RunStatus;
  started_at: string;
  finished_at: string | null;
  trigger: string;
  error: string | null;
}

export interface StepRow {
  run_id: string;
  step: string;
  attempt: number;
  max_attempts: number;
  status: StepStatus;
  started_at: string;
  finished_at: string | null;
  rows: number | null;
  node: string | null;
  error: string | null;
}

export interface HeartbeatRow {
  run_id: string;
  pid: number;
  host: string;
  started_at: string;
  heartbeat_at: string;
}

export interface AuditRow {
  run_id: string;
  source: string;
  relation: string;
  row_count: number;
  columns: string;
}

export class History {
  constructor(
    private readonly adapter: Adapter,
    private readonly schema: string,
    private readonly database: string | null,
  ) {}

  private get d(): Dialect {
    return this.adapter.dialect;
  }

  private rel(name: string): string {
    return this.d.relation({ database: this.database, schema: this.d.normalize?.(this.schema, 'schema') ?? this.schema, identifier: this.d.normalize?.(name, 'identifier') ?? name });
  }

  private async exec(sql: string | Statement[]): Promise<Record<string, unknown>[]> {
    const c = await this.adapter.acquire();
    try {
      return (await (typeof sql === 'string' ? c.execute(sql) : runEach(c, sql))).rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k.toLowerCase(), typeof v === 'bigint' ? Number(v) : v])));
    } finally {
      this.adapter.release(c);
    }
  }

  async ensure(): Promise<void> {
    const t = (k: Parameters<Dialect['typeName']>[0]) => this.d.typeName(k);
    await this.exec(this.d.createSchema(this.database, this.d.normalize?.(this.schema, 'schema') ?? this.schema));
    await this.exec(`create table if not exists ${this.rel('pipeline_runs')} (run_id ${t('string')}, status ${t('string')}, started_at ${t('string')}, finished_at ${t('string')}, trigger ${t('string')}, error ${t('string')})`);
    await this.exec(`create table if not exists ${this.rel('pipeline_steps')} (run_id ${t('string')}, step ${t('string')}, attempt ${t('integer')}, max_attempts ${t('integer')}, status ${t('string')}, started_at ${t('string')}, finished_at ${t('string')}, rows ${t('bigint')}, node ${t('string')}, error ${t('string')})`);
    await this.exec(`create table if not exists ${this.rel('pipeline_audits')} (run_id ${t('string')}, source ${t('string')}, relation ${t('string')}, row_count ${t('bigint')}, columns ${t('string')})`);
    await this.exec(`create table if not exists ${this.rel('pipeline_heartbeats')} (run_id ${t('string')}, pid ${t('integer')}, host ${t('string')}, started_at ${t('string')}, heartbeat_at ${t('string')})`);
  }

  /** This process runs `runId` from now on (replaces an earlier owner's row, e.g. an Airflow retry's). */
  async claim(h: HeartbeatRow): Promise<void> {
    const l = (v: unknown) => this.d.literal(v);
    await this.exec(`delete from ${this.rel('pipeline_heartbeats')} where run_id = ${l(h.run_id)}`);
    await this.exec(`insert into ${this.rel('pipeline_heartbeats')} (run_id, pid, host, started_at, heartbeat_at) values (${[h.run_id, h.pid, h.host, h.started_at, h.heartbeat_at].map(l).join(', ')})`);
  }

  async beat(runId: string, pid: number, host: string, at: string): Promise<void> {
    const l = (v: unknown) => this.d.literal(v);
    await this.exec(`update ${this.rel('pipeline_heartbeats')} set heartbeat_at = ${l(at)} where run_id = ${l(runId)} and pid = ${l(pid)} and host = ${l(host)}`);
  }

  /** The process is done with the run (finished, or an orchestrator's task ended): no owner to watch. */
  async release(runId: string, pid: number, host: string): Promise<void> {
    const l = (v: unknown) => this.d.literal(v);
    await this.exec(`delete from ${this.rel('pipeline_heartbeats')} where run_id = ${l(runId)} and pid = ${l(pid)} and host = ${l(host)}`);
  }

  /** The owners of the runs recorded as running. */
  async runningOwners(): Promise<HeartbeatRow[]> {
    return (await this.exec(
      `select h.* from ${this.rel('pipeline_heartbeats')} h inner join ${this.rel('pipeline_runs')} r on r.run_id = h.run_id where r.status = 'running'`,
    )) as unknown as HeartbeatRow[];
  }

  /** Marks a run whose process is gone, and its steps still recorded as running, as killed or abandoned. */
  async markDead(runId: string, status: 'killed' | 'abandoned', error: string, at: string): Promise<void> {
    const l = (v: unknown) => this.d.literal(v);
    await this.exec(`update ${this.rel('pipeline_steps')} set status = ${l(status)}, finished_at = ${l(at)}, error = ${l(error)} where run_id = ${l(runId)} and status = 'running'`);
    await this.exec(`update ${this.rel('pipeline_runs')} set status = ${l(status)}, finished_at = ${l(at)}, error = ${l(error)} where run_id = ${l(runId)} and status = 'running'`);
    await this.exec(`delete from ${this.rel('pipeline_heartbeats')} where run_id = ${l(runId)}`);
  }

  async startRun(r: RunRow): Promise<void> {
    const l = (v: unknown) => this.d.literal(v);
    await this.exec(`insert into ${this.rel('pipeline_runs')} (run_id, status, started_at, finished_at, trigger, error) values (${l(r.run_id)}, ${l(r.status)}, ${l(r.started_at)}, ${l(r.finished_at)}, ${l(r.trigger)}, ${l(r.error)})`);
  }

  async finishRun(runId: string, status: RunStatus, error: string | null): Promise<void> {
    const l = (v: unknown) => this.d.literal(v);
    await this.exec(`update ${this.rel('pipeline_runs')} set status = ${l(status)}, finished_at = ${l(new Date().toISOString())}, error = ${l(error)} where run_id = ${l(runId)}`);
  }

  async setStatus(runId: string, status: RunStatus): Promise<void> {
    await this.exec(`update ${this.rel('pipeline_runs')} set status = ${this.d.literal(status)}, finished_at = null, error = null where run_id = ${this.d.literal(runId)}`);
  }

  async getRun(runId: string): Promise<RunRow | null> {
    const rows = await this.exec(`select * from ${this.rel('pipeline_runs')} where run_id = ${this.d.literal(runId)}`);
    return (rows[0] as unknown as RunRow) ?? null;
  }

  async recordStep(s: StepRow): Promise<void> {
    const l = (v: unknown) => this.d.literal(v);
    await this.exec(`delete from ${this.rel('pipeline_steps')} where run_id = ${l(s.run_id)} and step = ${l(s.step)} and attempt = ${l(s.attempt)}`);
    await this.exec(`insert into ${this.rel('pipeline_steps')} (run_id, step, attempt, max_attempts, status, started_at, finished_at, rows, node, error) values (${[s.run_id, s.step, s.attempt, s.max_attempts, s.status, s.started_at, s.finished_at, s.rows, s.node, s.error].map(l).join(', ')})`);
  }

  async steps(runId: string): Promise<StepRow[]> {
    return (await this.exec(`select * from ${this.rel('pipeline_steps')} where run_id = ${this.d.literal(runId)} order by started_at, attempt`)) as unknown as StepRow[];
  }

  async lastRuns(n: number): Promise<RunRow[]> {
    return (await this.exec(`select * from ${this.rel('pipeline_runs')} order by started_at desc limit ${Math.max(1, Math.floor(n))}`)) as unknown as RunRow[];
  }

  async recordAudit(rows: AuditRow[]): Promise<void> {
    const l = (v: unknown) => this.d.literal(v);
    for (const r of rows) await this.exec(`insert into ${this.rel('pipeline_audits')} (run_id, source, relation, row_count, columns) values (${[r.run_id, r.source, r.relation, r.row_count, r.columns].map(l).join(', ')})`);
  }

  async clearAudit(runId: string): Promise<void> {
    await this.exec(`delete from ${this.rel('pipeline_audits')} where run_id = ${this.d.literal(runId)}`);
  }

  /** The audit rows of the latest successful run (the baseline of the next audit). */
  async lastSuccessfulAudit(exceptRun: string): Promise<Map<string, AuditRow>> {
    const runs = this.rel('pipeline_runs');
    const audits = this.rel('pipeline_audits');
    const rows = (await this.exec(
      `select a.* from ${audits} a inner join (select run_id from ${runs} where status = 'success' and run_id <> ${this.d.literal(exceptRun)} order by finished_at desc limit 1) r on r.run_id = a.run_id`,
    )) as unknown as AuditRow[];
    return new Map(rows.map((r) => [r.source, r]));
  }
}
