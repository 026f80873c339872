import type { Connection as SfConnection, RowStatement } from 'snowflake-sdk';
import type { Connection, QueryResult, Statement } from '../../contracts/adapter.js';
import { sqlText } from '../../contracts/statements.js';
import { MflowError } from '../../errors.js';
import type { Sdk } from './driver.js';
import { splitSql } from './split.js';

/** A failed statement, with Snowflake's own code so users can look it up in Snowflake's docs. */
export class SnowflakeQueryError extends MflowError {
  /** Line (1-based) and position Snowflake reported, within the statement that failed. */
  statementLine?: number;
  statementColumn?: number;
  constructor(
    message: string,
    readonly snowflakeCode: string | undefined,
    readonly sqlState: string | undefined,
    readonly queryId: string | undefined,
    opts: { line?: number; column?: number; hint?: string; cause?: unknown } = {},
  ) {
    super('DATABASE', message, opts);
  }
}

interface DriverError extends Error {
  code?: string | number;
  sqlState?: string;
  data?: { queryId?: string };
}

/** How a session logs in: per-attempt deadline, retries of network failures, and where progress goes. */
export interface LoginPolicy {
  timeoutSeconds: number;
  retries: number;
  waitSeconds: number;
  /** `account 'x' (https://host)`, for messages; never contains a credential. */
  where: string;
  progress?: (message: string) => void;
}

const DEFAULT_LOGIN: LoginPolicy = { timeoutSeconds: 60, retries: 1, waitSeconds: 10, where: 'the account' };

/** Driver codes of failures that never reached Snowflake's login (timeouts, resets, refused connections). */
const NETWORK = /^(ECONN|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|ESOCKET|4010\d\d)/;

function describe(e: unknown): string {
  const err = e as DriverError | undefined;
  const cause = (err as { cause?: DriverError } | undefined)?.cause;
  const code = cause?.code ?? err?.code;
  const msg = (err?.message ?? String(e)).replace(/^Snowflake error [^:]*: /, '').split('\n')[0];
  return code && !msg.includes(String(code)) ? `${msg} [${code}]` : msg;
}

/** Codes after which the session is gone: reconnect and retry (when nothing transactional is lost). */
const RECONNECT_CODES = new Set(['390111', '390114', '390104', '401001', '401002', '405503', '407002']);

export function toQueryError(e: unknown, sql: string): SnowflakeQueryError {
  const err = e as DriverError;
  const code = err.code === undefined ? undefined : String(err.code);
  const message = err.message ?? String(e);
  // Snowflake reports positions as "error line 3 at position 7": map them to the compiled SQL.
  const pos = /line (\d+) at position (\d+)/.exec(message);
  const line = pos ? Number(pos[1]) : undefined;
  const sqlLine = line ? sql.split('\n')[line - 1]?.trim() : undefined;
  const text = `Snowflake error ${code ?? '?'}${err.sqlState ? ` (${err.sqlState})` : ''}: ${message.replace(/\s+/g, ' ').trim()}${sqlLine ? `\n  at line ${line} of the statement: ${sqlLine}` : ''}`;
  const hint =
    code === '002003' ? 'The object is missing or your role cannot see it: check the ref/source, the target database/schema and the role grants.'
    : code === '000904' ? 'A column name is wrong; unquoted names are upper-cased by Snowflake.'
    : code === '390100' ? 'Check the user and the password environment variables.'
    : undefined;
  const out = new SnowflakeQueryError(text, code, err.sqlState, err.data?.queryId, { hint, cause: e });
  // The line counts in the statement sent, not in a project file: the runner maps it to the compiled model.
  out.statementLine = line;
  out.statementColumn = pos ? Number(pos[2]) : undefined;
  return out;
}

/**
 * The SQL type of a result column (the driver reports `fixed`, `text`...): incremental models add
 * new columns with it, and `adapter.get_columns_in_relation` shows it as `describe` would.
 */
export function sqlTypeOf(c: { getType(): string; getPrecision(): number; getScale(): number }): string {
  const t = String(c.getType()).toLowerCase();
  switch (t) {
    case 'fixed': {
      const p = c.getPrecision();
      return `NUMBER(${p || 38},${c.getScale() || 0})`;
    }
    case 'real':
      return 'FLOAT';
    case 'text':
      return 'VARCHAR';
    default:
      return t.toUpperCase();
  }
}

/**
 * One Snowflake session. Transient HTTP failures (5xx, timeouts, resets) and session expiry are
 * retried by the driver; when the session itself is lost the statement is retried on a fresh
 * session, but only outside a transaction (where a retry could not silently drop earlier work).
 */
export class SnowflakeConnection implements Connection {
  private running = new Set<RowStatement>();
  private inTransaction = false;
  private cancelled = false;
  /** Statements sent through this connection (for the round-trip budget). */
  statements = 0;

  constructor(
    private readonly sdk: Sdk,
    private readonly options: Record<string, unknown>,
    private raw: SfConnection,
    private readonly retries: number,
    private readonly login: LoginPolicy = DEFAULT_LOGIN,
  ) {}

  static async open(sdk: Sdk, options: Record<string, unknown>, retries = 1, login: LoginPolicy = DEFAULT_LOGIN): Promise<SnowflakeConnection> {
    return new SnowflakeConnection(sdk, options, await SnowflakeConnection.connectWithin(sdk, options, login), retries, login);
  }

  /**
   * Login with a total deadline: each attempt gets `login_timeout` seconds, network failures are
   * retried `connect_retries` times `connect_timeout` seconds apart, and then the error says what
   * to check. The driver alone retries an unreachable host for minutes (its own login retry budget
   * is at least 300 s), printing nothing.
   */
  static async connectWithin(sdk: Sdk, options: Record<string, unknown>, login: LoginPolicy): Promise<SfConnection> {
    let last: unknown;
    const attempts = login.retries + 1;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (attempt > 1) {
        login.progress?.(`Snowflake: attempt ${attempt - 1} of ${attempts} failed (${describe(last)}); retrying in ${login.waitSeconds} s`);
        await new Promise((r) => setTimeout(r, login.waitSeconds * 1000));
      }
      try {
        return await SnowflakeConnection.attempt(sdk, options, login, attempt, attempts);
      } catch (e) {
        last = e;
        // A refused login (bad password, unknown user, locked role) does not get better by retrying.
        if (e instanceof SnowflakeQueryError && e.snowflakeCode && !NETWORK.test(String(e.snowflakeCode))) throw e;
      }
    }
    const total = attempts * login.timeoutSeconds + (attempts - 1) * login.waitSeconds;
    throw new MflowError('DATABASE', `Could not connect to Snowflake at ${login.where}: ${describe(last)} (${attempts} attempt${attempts > 1 ? 's' : ''}, gave up after about ${total} s)`, {
      hint: 'Check the target\'s account (e.g. xy12345.eu-west-1), host/port if set, that this machine reaches it (VPN, firewall, HTTPS_PROXY), and raise login_timeout or connect_retries for a slow network.',
      cause: last,
    });
  }

  private static attempt(sdk: Sdk, options: Record<string, unknown>, login: LoginPolicy, attempt: number, attempts: number): Promise<SfConnection> {
    const raw = sdk.createConnection(options as Parameters<Sdk['createConnection']>[0]);
    const browser = String(options.authenticator ?? '').toUpperCase() === 'EXTERNALBROWSER';
    return new Promise<SfConnection>((resolve, reject) => {
      let settled = false;
      // Say something when a login takes longer than a blink, so a stalled command is not silent.
      const slow = setTimeout(() => login.progress?.(`Snowflake: connecting to ${login.where} (attempt ${attempt} of ${attempts}, up to ${login.timeoutSeconds} s)...`), Math.min(2000, login.timeoutSeconds * 500));
      const deadline = setTimeout(() => {
        if (settled) return;
        settled = true;
        clearTimeout(slow);
        // The driver keeps retrying in the background; destroying the connection stops it.
        try {
          raw.destroy(() => undefined);
        } catch {
          /* not connected yet */
        }
        reject(new MflowError('DATABASE', `no answer within ${login.timeoutSeconds} s (login_timeout)`));
      }, login.timeoutSeconds * 1000);
      const cb = (err: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(slow);
        clearTimeout(deadline);
        if (err) reject(toQueryError(err, ''));
        else resolve(raw);
      };
      if (browser) void raw.connectAsync(cb);
      else raw.connect(cb);
    });
  }

  private static connectRaw(sdk: Sdk, options: Record<string, unknown>, login: LoginPolicy = DEFAULT_LOGIN): Promise<SfConnection> {
    return SnowflakeConnection.connectWithin(sdk, options, login);
  }

  /**
   * SQL text (a hook, a user's query): a script of several statements runs them in order, one
   * request each, and returns the last result; each part's kind is read from its first keyword.
   */
  async execute(sql: string): Promise<QueryResult> {
    let last: QueryResult = { columns: [], rows: [] };
    for (const part of splitSql(sql)) last = await this.send(sqlText(part), this.retries);
    return last;
  }

  /**
   * One planned statement, sent as one request with its binds. A hook is planned as one statement
   * but may hold several (`grant ...; grant ...`): Snowflake takes one per request, so its parts
   * are sent in order, as `execute` does.
   */
  async run(statement: Statement): Promise<QueryResult> {
    if (statement.binds) return this.send(statement, this.retries);
    const parts = splitSql(statement.sql);
    if (parts.length <= 1) return this.send(statement, this.retries);
    let last: QueryResult = { columns: [], rows: [] };
    for (const part of parts) last = await this.send(sqlText(part, statement.purpose), this.retries);
    return last;
  }

  /**
   * The driver has no transaction calls: `begin`/`commit`/`rollback` are statements of the
   * session, and their kind (not their text) tells this connection whether a transaction is open.
   */
  private async send(s: Statement, retriesLeft: number): Promise<QueryResult> {
    if (this.cancelled) throw new MflowError('DATABASE', 'The run was cancelled.');
    this.statements++;
    try {
      const result = await this.once(s.sql, s.binds);
      if (s.kind === 'begin') this.inTransaction = true;
      else if (s.kind === 'commit' || s.kind === 'rollback') this.inTransaction = false;
      return result;
    } catch (e) {
      const code = String((e as DriverError).code ?? '');
      if (!this.cancelled && retriesLeft > 0 && !this.inTransaction && RECONNECT_CODES.has(code)) {
        this.raw = await SnowflakeConnection.connectRaw(this.sdk, this.options, this.login);
        return this.send(s, retriesLeft - 1);
      }
      throw toQueryError(e, s.sql);
    }
  }

  private once(sqlText: string, binds?: unknown[]): Promise<QueryResult> {
    return new Promise((resolve, reject) => {
      const stmt = this.raw.execute({
        sqlText,
        binds: binds as never,
        complete: (err, s, rows) => {
          this.running.delete(stmt);
          if (err) return reject(err);
          const cols = s.getColumns() ?? [];
          const n = s.getNumUpdatedRows();
          resolve({
            columns: cols.map((c) => ({ name: c.getName(), dataType: sqlTypeOf(c) })),
            rows: (rows ?? []) as Record<string, unknown>[],
            rowsAffected: typeof n === 'number' && n >= 0 ? n : undefined,
          });
        },
      });
      this.running.add(stmt);
    });
  }

  /** Ctrl-C: ask Snowflake to abort every running statement of this session. */
  async cancel(): Promise<void> {
    this.cancelled = true;
    await Promise.all([...this.running].map((s) => new Promise<void>((resolve) => s.cancel(() => resolve()))));
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.raw.destroy(() => resolve()));
  }
}
