/**
 * A local HTTP server that speaks the protocol the real `snowflake-sdk` uses (login, query,
 * result fetch, chunks, session renewal, heartbeat, close, abort, LOCAL_FS PUT/GET), running SQL
 * in DuckDB through `Engine`. Test infrastructure: see README.md for what it understands.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { type Binding, type EmuSession, Engine, type StatementResult } from './engine.js';
import { SnowflakeError, cancelled } from './errors.js';

export type Fault =
  /** Answer the next `count` requests whose path contains `path` with this HTTP status (driver retries 5xx). */
  | { kind: 'http'; status: number; count?: number; path?: string }
  /** Destroy the socket of the next `count` matching requests without an answer (a dropped connection). */
  | { kind: 'drop'; count?: number; path?: string }
  /** The next `count` queries answer `390112` (session expired); the driver renews and retries. */
  | { kind: 'sessionExpired'; count?: number }
  /** Hold queries whose SQL matches for `ms` before running them (cancel with abort-request). */
  | { kind: 'slow'; ms: number; match?: string | RegExp; count?: number };

export interface EmulatorOptions {
  port?: number;
  faults?: Fault[];
  /** Rows per result chunk; results larger than this are served as inline rows + remote chunks. */
  chunkRows?: number;
  /** Directory holding the stages (default: a fresh temp directory removed on close). */
  stageRoot?: string;
  /** Accepted logins (default: any user with any non-empty password). */
  users?: Record<string, string>;
  /**
   * A statement still running after this many ms is answered "in progress" (code 333334 with a
   * getResultUrl) and each poll of that URL is held up to `pollHoldMs` before answering 333333
   * again, as Snowflake does after ~45 s. Default 2000 / 500.
   */
  inProgressAfterMs?: number;
  pollHoldMs?: number;
}

export interface EmulatorStats {
  /** Answers with code 333333/333334 (query in progress) and polls of their result URL. */
  inProgress: number;
  polls: number;
  /** Number of `query-request` calls (every `execute`, including retries after a fault). */
  queries: number;
  byPath: Record<string, number>;
  /** SQL text of every query, in arrival order. */
  sqlLog: string[];
  /** The session's query tag when each query of `sqlLog` ran. */
  queryTags: string[];
}

export interface SnowflakeEmulator {
  port: number;
  url: string;
  host: string;
  stats: EmulatorStats;
  /** Connection options for `snowflake.createConnection` pointing at this emulator. */
  connectionOptions(extra?: Record<string, unknown>): Record<string, unknown>;
  injectFault(f: Fault): void;
  resetStats(): void;
  /** Test setup only: DuckDB SQL on the emulator's catalog, bypassing the protocol (e.g. 10,000 views at once). */
  duckdb(sql: string): Promise<void>;
  close(): Promise<void>;
}

const PARAMETERS = [
  { name: 'TIMEZONE', value: 'UTC' },
  { name: 'DATE_OUTPUT_FORMAT', value: 'YYYY-MM-DD' },
  { name: 'TIME_OUTPUT_FORMAT', value: 'HH24:MI:SS' },
  { name: 'TIMESTAMP_OUTPUT_FORMAT', value: 'YYYY-MM-DD HH24:MI:SS.FF3 TZHTZM' },
  { name: 'TIMESTAMP_NTZ_OUTPUT_FORMAT', value: 'YYYY-MM-DD HH24:MI:SS.FF3' },
  { name: 'TIMESTAMP_LTZ_OUTPUT_FORMAT', value: '' },
  { name: 'TIMESTAMP_TZ_OUTPUT_FORMAT', value: '' },
  { name: 'BINARY_OUTPUT_FORMAT', value: 'HEX' },
  { name: 'CLIENT_STAGE_ARRAY_BINDING_THRESHOLD', value: 1000000 },
];

interface StoredResult {
  data: Record<string, unknown>;
  chunks: string[];
}

function send(res: http.ServerResponse, body: unknown, status = 200): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function ok(data: unknown): unknown {
  return { success: true, code: null, message: null, data };
}

function fail(code: string, message: string, data: Record<string, unknown> = {}): unknown {
  return { success: false, code, message, data: { errorCode: code, internalError: false, ...data } };
}

async function readBody(req: http.IncomingMessage): Promise<Record<string, unknown>> {
  const parts: Buffer[] = [];
  for await (const c of req) parts.push(c as Buffer);
  let buf = Buffer.concat(parts);
  if (buf.length === 0) return {};
  if (buf[0] === 0x1f && buf[1] === 0x8b) buf = gunzipSync(buf);
  return JSON.parse(buf.toString('utf8')) as Record<string, unknown>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startSnowflakeEmulator(opts: EmulatorOptions = {}): Promise<SnowflakeEmulator> {
  const instance = await DuckDBInstance.create(':memory:');
  const ownStageRoot = !opts.stageRoot;
  const stageRoot = opts.stageRoot ?? fs.mkdtempSync(path.join(os.tmpdir(), 'sf-emu-stage-'));
  const engine = new Engine(instance, stageRoot);
  const sessions = new Map<string, EmuSession>();
  const masters = new Map<string, EmuSession>();
  const results = new Map<string, StoredResult>();
  const running = new Map<string, { session: EmuSession; abort: () => void }>();
  const faults: (Fault & { left: number })[] = (opts.faults ?? []).map((f) => ({ ...f, left: f.count ?? 1 }));
  const chunkRows = opts.chunkRows ?? 10_000;
  const stats: EmulatorStats = { queries: 0, byPath: {}, sqlLog: [], queryTags: [], inProgress: 0, polls: 0 };
  /** Statements answered "in progress": the answer the poll gets once they finish. */
  const pendingAnswers = new Map<string, Promise<{ body: unknown }>>();
  let nextSession = 1;
  let baseUrl = '';

  const takeFault = <K extends Fault['kind']>(kind: K, pred: (f: Extract<Fault, { kind: K }>) => boolean): (Extract<Fault, { kind: K }> & { left: number }) | undefined => {
    const f = faults.find((x) => x.kind === kind && x.left > 0 && pred(x as Extract<Fault, { kind: K }>));
    if (f) f.left--;
    return f as (Extract<Fault, { kind: K }> & { left: number }) | undefined;
  };

  const sessionOf = (req: http.IncomingMessage): EmuSession | undefined => {
    const m = /Snowflake Token="([^"]+)"/.exec(req.headers.authorization ?? '');
    return m ? sessions.get(m[1]) : undefined;
  };

  const resultData = (s: EmuSession, queryId: string, r: StatementResult): StoredResult => {
    const total = r.rowset.length;
    const inline = total > chunkRows ? r.rowset.slice(0, chunkRows) : r.rowset;
    const chunks: string[] = [];
    const chunkMeta: Record<string, unknown>[] = [];
    for (let i = chunkRows; i < total; i += chunkRows) {
      const rows = r.rowset.slice(i, i + chunkRows);
      const text = rows.map((row) => JSON.stringify(row)).join(',');
      chunkMeta.push({ url: `${baseUrl}/chunks/${queryId}/${chunks.length}`, rowCount: rows.length, uncompressedSize: text.length, compressedSize: text.length });
      chunks.push(text);
    }
    const data: Record<string, unknown> = {
      queryId,
      rowtype: r.rowtype,
      rowset: inline,
      total,
      returned: total,
      queryResultFormat: 'json',
      statementTypeId: r.statementTypeId,
      version: 1,
      parameters: PARAMETERS,
      finalDatabaseName: s.database,
      finalSchemaName: s.schema,
      finalWarehouseName: s.warehouse,
      finalRoleName: s.role,
    };
    if (chunkMeta.length) data.chunks = chunkMeta;
    return { data, chunks };
  };

  async function onQuery(req: http.IncomingMessage, res: http.ServerResponse, s: EmuSession, url: URL): Promise<void> {
    const body = await readBody(req);
    const sql = String(body.sqlText ?? '');
    stats.queries++;
    stats.sqlLog.push(sql);
    const params = (body.parameters ?? {}) as Record<string, unknown>;
    stats.queryTags.push(typeof params.QUERY_TAG === 'string' ? params.QUERY_TAG : s.queryTag);
    if (takeFault('sessionExpired', () => true)) {
      send(res, fail('390112', 'Your session has expired. Please login again.'));
      return;
    }
    const queryId = randomUUID();
    const requestId = url.searchParams.get('requestId') ?? queryId;
    const slow = takeFault('slow', (f) => !f.match || (typeof f.match === 'string' ? sql.includes(f.match) : f.match.test(sql)));
    let aborted = false;
    running.set(requestId, { session: s, abort: () => (aborted = true) });
    running.set(queryId, running.get(requestId)!);
    const work = (async (): Promise<{ body: unknown }> => {
      try {
        if (slow) {
          const until = Date.now() + slow.ms;
          while (Date.now() < until && !aborted) await sleep(20);
          if (aborted) throw cancelled();
        }
        const r = await engine.execute(s, sql, body.bindings as Record<string, Binding> | undefined);
        if (aborted) throw cancelled();
        if (r.fileTransfer) return { body: ok({ ...r.fileTransfer, queryId, parameters: PARAMETERS }) };
        const stored = resultData(s, queryId, r);
        results.set(queryId, stored);
        return { body: ok(stored.data) };
      } catch (e) {
        const err = e instanceof SnowflakeError ? e : new SnowflakeError('000603', 'XX000', `SQL execution internal error: ${(e as Error).message}`);
        return { body: fail(err.code, err.message, { sqlState: err.sqlState, queryId, line: -1, pos: -1, type: 'COMPILATION' }) };
      } finally {
        running.delete(requestId);
        running.delete(queryId);
      }
    })();
    const first = await Promise.race([work, sleep(opts.inProgressAfterMs ?? 2000).then(() => null)]);
    if (first) return send(res, first.body);
    // Still running: "query in progress", and the driver polls getResultUrl until it is done.
    stats.inProgress++;
    pendingAnswers.set(queryId, work);
    void work.finally(() => setTimeout(() => pendingAnswers.delete(queryId), 60_000));
    send(res, { success: true, code: '333334', message: 'Asynchronous execution in progress. Use provided query id to perform query monitoring and management.', data: { queryId, getResultUrl: `/queries/${queryId}/result`, queryAbortsAfterSecs: 300, progressDesc: null } });
  }

  async function onLogin(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    const body = await readBody(req);
    const d = (body.data ?? {}) as Record<string, unknown>;
    const user = String(d.LOGIN_NAME ?? '');
    const password = String(d.PASSWORD ?? '');
    const authenticator = String(d.AUTHENTICATOR ?? 'SNOWFLAKE').toUpperCase();
    const accepted =
      authenticator === 'OAUTH' ? Boolean(d.TOKEN) : authenticator === 'SNOWFLAKE_JWT' ? Boolean(d.TOKEN) : opts.users ? opts.users[user] === password : password.length > 0;
    if (!user || !accepted) {
      send(res, fail('390100', 'Incorrect username or password was specified.'));
      return;
    }
    const sp = (d.SESSION_PARAMETERS ?? {}) as Record<string, unknown>;
    const session = await engine.openSession({
      id: nextSession++,
      token: `session-${randomUUID()}`,
      masterToken: `master-${randomUUID()}`,
      user: user.toUpperCase(),
      account: String(d.ACCOUNT_NAME ?? 'EMULATOR').toUpperCase(),
      database: (url.searchParams.get('databaseName') ?? 'EMULATOR_DB').toUpperCase(),
      schema: (url.searchParams.get('schemaName') ?? 'PUBLIC').toUpperCase(),
      warehouse: (url.searchParams.get('warehouse') ?? 'EMULATOR_WH').toUpperCase(),
      role: (url.searchParams.get('roleName') ?? 'SYSADMIN').toUpperCase(),
      queryTag: typeof sp.QUERY_TAG === 'string' ? sp.QUERY_TAG : '',
    });
    if (sp.CLIENT_SESSION_KEEP_ALIVE !== undefined) session.params.set('CLIENT_SESSION_KEEP_ALIVE', String(sp.CLIENT_SESSION_KEEP_ALIVE));
    sessions.set(session.token, session);
    masters.set(session.masterToken, session);
    send(
      res,
      ok({
        token: session.token,
        masterToken: session.masterToken,
        validityInSeconds: 3600,
        masterValidityInSeconds: 14400,
        sessionId: session.id,
        parameters: PARAMETERS,
        sessionInfo: { databaseName: session.database, schemaName: session.schema, warehouseName: session.warehouse, roleName: session.role },
      }),
    );
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', baseUrl);
    const p = url.pathname;
    stats.byPath[p.replace(/\/queries\/[^/]+\/(result|abort-request)/, '/queries/:id/$1').replace(/\/chunks\/.*/, '/chunks')] =
      (stats.byPath[p.replace(/\/queries\/[^/]+\/(result|abort-request)/, '/queries/:id/$1').replace(/\/chunks\/.*/, '/chunks')] ?? 0) + 1;
    if (takeFault('drop', (f) => !f.path || p.includes(f.path))) {
      req.socket.destroy();
      return;
    }
    const httpFault = takeFault('http', (f) => !f.path || p.includes(f.path));
    if (httpFault) {
      await readBody(req).catch(() => undefined);
      res.writeHead(httpFault.status, { 'Content-Type': 'text/plain' });
      res.end(`emulated HTTP ${httpFault.status}`);
      return;
    }
    if (p === '/session/v1/login-request') return onLogin(req, res, url);
    if (p.startsWith('/chunks/')) {
      const [, , id, n] = p.split('/');
      const text = results.get(id)?.chunks[Number(n)];
      res.writeHead(text === undefined ? 404 : 200, { 'Content-Type': 'text/plain' });
      res.end(text ?? '');
      return;
    }
    if (p === '/telemetry/send') {
      await readBody(req).catch(() => undefined);
      return send(res, ok(null));
    }
    if (p === '/session/token-request') {
      const m = /Snowflake Token="([^"]+)"/.exec(req.headers.authorization ?? '');
      const s = m ? masters.get(m[1]) : undefined;
      await readBody(req);
      if (!s) return send(res, fail('390114', 'Authentication token has expired.  The user must authenticate again.'));
      sessions.delete(s.token);
      s.token = `session-${randomUUID()}`;
      sessions.set(s.token, s);
      return send(res, ok({ sessionToken: s.token, validityInSecondsST: 3600, masterToken: s.masterToken, validityInSecondsMT: 14400 }));
    }
    const s = sessionOf(req);
    if (!s) {
      await readBody(req).catch(() => undefined);
      if (p === '/session' && url.searchParams.get('delete') === 'true') return send(res, fail('390111', 'Session no longer exists.  New login required to access the service.'));
      return send(res, fail('390104', 'Invalid session token.'));
    }
    if (p === '/queries/v1/query-request') return onQuery(req, res, s, url);
    if (p === '/session/heartbeat') {
      await readBody(req);
      return send(res, ok(null));
    }
    if (p === '/session' && url.searchParams.get('delete') === 'true') {
      await readBody(req);
      sessions.delete(s.token);
      masters.delete(s.masterToken);
      await engine.closeSession(s);
      return send(res, ok(null));
    }
    if (p === '/queries/v1/abort-request' || /\/queries\/[^/]+\/abort-request$/.test(p)) {
      const body = await readBody(req);
      const id = String(body.requestId ?? p.split('/')[2]);
      const r = running.get(id);
      if (r) {
        r.abort();
        await engine.interrupt(r.session);
      }
      return send(res, ok(null));
    }
    let m: RegExpExecArray | null;
    if ((m = /^\/queries\/([^/]+)\/result$/.exec(p))) {
      const pending = pendingAnswers.get(m[1]);
      if (pending) {
        stats.polls++;
        const done = await Promise.race([pending, sleep(opts.pollHoldMs ?? 500).then(() => null)]);
        if (!done) return send(res, { success: true, code: '333333', message: 'Query execution in progress.', data: { queryId: m[1], getResultUrl: `/queries/${m[1]}/result`, progressDesc: null } });
        return send(res, done.body);
      }
      const r = results.get(m[1]);
      return send(res, r ? ok(r.data) : fail('000709', `Statement ${m[1]} not found`, { sqlState: '02000' }));
    }
    if ((m = /^\/monitoring\/queries\/([^/]+)$/.exec(p))) {
      const r = results.get(m[1]);
      return send(res, ok({ queries: [{ id: m[1], status: r ? 'SUCCESS' : running.has(m[1]) ? 'RUNNING' : 'FAILED_WITH_ERROR' }] }));
    }
    await readBody(req).catch(() => undefined);
    send(res, fail('390400', `Emulator does not serve ${req.method} ${p}`));
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) send(res, fail('000603', `Emulator failure: ${(e as Error).message}`));
    });
  });
  // Keep idle sockets open: the driver reuses them, and a socket closed after Node's 5 s default
  // while a test pauses (an oracle running) is an ECONNRESET on the next request.
  server.keepAliveTimeout = 10 * 60_000;
  server.headersTimeout = 10 * 60_000 + 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  baseUrl = `http://127.0.0.1:${port}`;

  return {
    port,
    url: baseUrl,
    host: '127.0.0.1',
    stats,
    connectionOptions: (extra = {}) => ({ account: 'emulator', username: 'mflow', password: 'emulator', accessUrl: baseUrl, database: 'MFLOW', schema: 'PUBLIC', warehouse: 'WH', ...extra }),
    injectFault: (f) => faults.push({ ...f, left: f.count ?? 1 }),
    duckdb: async (sql) => {
      const c = await instance.connect();
      try {
        await c.run(sql);
      } finally {
        c.closeSync();
      }
    },
    resetStats: () => {
      stats.queries = 0;
      stats.byPath = {};
      stats.sqlLog.length = 0;
      stats.inProgress = 0;
      stats.polls = 0;
      stats.queryTags.length = 0;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      for (const s of sessions.values()) await engine.closeSession(s).catch(() => undefined);
      sessions.clear();
      instance.closeSync();
      if (ownStageRoot) fs.rmSync(stageRoot, { recursive: true, force: true });
    },
  };
}
