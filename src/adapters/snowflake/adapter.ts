import type { Adapter, Connection, LocalTable, RawTable, TargetConfig } from '../../contracts/adapter.js';
import { resolveSnowflakeTarget, type SnowflakeSettings } from './config.js';
import { SnowflakeConnection, type LoginPolicy } from './connection.js';
import { SnowflakeDialect } from './dialect.js';
import { loadSdk, type Sdk } from './driver.js';
import { SnowflakeIntrospector } from './introspector.js';

/**
 * Snowflake behind the adapter seam. Sessions are opened on demand up to `threads` and reused;
 * the introspector borrows one like any worker.
 */
export class SnowflakeAdapter implements Adapter {
  readonly type = 'snowflake';
  readonly dialect: SnowflakeDialect;
  readonly introspector: SnowflakeIntrospector;
  private idle: SnowflakeConnection[] = [];
  private all: SnowflakeConnection[] = [];
  private waiters: ((c: SnowflakeConnection) => void)[] = [];
  private opening = 0;
  private pooled = 0;

  constructor(
    readonly target: TargetConfig,
    private readonly sdk: Sdk,
    private readonly settings: SnowflakeSettings,
    private readonly progress?: (message: string) => void,
  ) {
    this.dialect = new SnowflakeDialect(settings.quoting);
    this.introspector = new SnowflakeIntrospector(this.dialect, (f) => this.withMeta(f));
  }

  private get loginPolicy(): LoginPolicy {
    return { ...this.settings.login, progress: this.progress };
  }

  /** Statements sent by every session of this adapter (the round-trip budget is measured on it). */
  get statementCount(): number {
    return this.all.reduce((n, c) => n + c.statements, 0);
  }

  async acquire(): Promise<SnowflakeConnection> {
    const c = this.idle.pop();
    if (c) return c;
    if (this.pooled + this.opening < Math.max(1, this.target.threads || 1)) {
      this.opening++;
      try {
        const n = await SnowflakeConnection.open(this.sdk, this.settings.connection, this.settings.connectRetries, this.loginPolicy);
        this.all.push(n);
        this.pooled++;
        return n;
      } finally {
        this.opening--;
      }
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  release(conn: Connection): void {
    const w = this.waiters.shift();
    if (w) w(conn as SnowflakeConnection);
    else this.idle.push(conn as SnowflakeConnection);
  }

  async with<T>(f: (c: SnowflakeConnection) => Promise<T>): Promise<T> {
    const c = await this.acquire();
    try {
      return await f(c);
    } finally {
      this.release(c);
    }
  }

  private meta: Promise<SnowflakeConnection> | undefined;

  /**
   * Metadata queries use an idle session, or a dedicated one when every worker holds its session,
   * so a worker that asks for columns in the middle of a model never waits on itself.
   */
  private async withMeta<T>(f: (c: SnowflakeConnection) => Promise<T>): Promise<T> {
    const c = this.idle.pop();
    if (c) {
      try {
        return await f(c);
      } finally {
        this.release(c);
      }
    }
    this.meta ??= SnowflakeConnection.open(this.sdk, this.settings.connection, this.settings.connectRetries, this.loginPolicy).then((m) => {
      this.all.push(m);
      return m;
    });
    return f(await this.meta);
  }

  /** RAW ingested and audited locally, then copied with PUT + COPY INTO. */
  async shipRaw(local: LocalTable, tables: RawTable[], opts: { database: string | null }): Promise<{ table: string; rows: number }[]> {
    const { shipRawToSnowflake } = await import('./ship-raw.js');
    return shipRawToSnowflake(local, this, tables, opts);
  }

  /** Ctrl-C: abort what every session is running. */
  async cancel(): Promise<void> {
    await Promise.all(this.all.map((c) => c.cancel()));
  }

  async close(): Promise<void> {
    const all = this.all;
    this.all = [];
    this.idle = [];
    this.meta = undefined;
    this.pooled = 0;
    await Promise.all(all.map((c) => c.close()));
  }
}

export async function createSnowflakeAdapter(target: TargetConfig, opts: { progress?: (message: string) => void } = {}): Promise<SnowflakeAdapter> {
  const settings = resolveSnowflakeTarget(target);
  return new SnowflakeAdapter(target, await loadSdk(), settings, opts.progress);
}
