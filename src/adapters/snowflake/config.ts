import fs from 'node:fs';
import type { TargetConfig } from '../../contracts/adapter.js';
import { MflowError, closest } from '../../errors.js';
import type { LoginPolicy } from './connection.js';
import type { QuotingConfig } from './dialect.js';

/**
 * Target keys accepted for `type: snowflake` (dbt-snowflake's profile names). Secrets come only
 * from `env_var()` in the profile; this module never prints a value, only key names.
 */
export const TARGET_KEYS = [
  'name', 'type', 'threads', 'account', 'user', 'password', 'role', 'warehouse', 'database', 'schema',
  'authenticator', 'private_key', 'private_key_path', 'private_key_passphrase', 'token', 'token_file_path',
  'oauth_client_id', 'oauth_client_secret', 'query_tag', 'client_session_keep_alive', 'connect_timeout',
  'login_timeout', 'query_timeout', 'retry_timeout', 'retry_on_database_errors', 'connect_retries', 'host', 'port', 'protocol', 'access_url',
  'quoting', 'reuse_connections', 'passcode', 'insecure_mode', 'retry_all',
] as const;

const SECRET_KEYS = new Set(['password', 'private_key', 'private_key_passphrase', 'token', 'oauth_client_secret', 'passcode']);

const AUTHENTICATORS = ['snowflake', 'snowflake_jwt', 'oauth', 'externalbrowser', 'username_password_mfa', 'programmatic_access_token', 'oauth_authorization_code', 'oauth_client_credentials', 'workload_identity'];

export interface SnowflakeSettings {
  /** Options for `snowflake.createConnection`. Contains secrets: never log it; use `describeTarget`. */
  connection: Record<string, unknown>;
  quoting: QuotingConfig;
  queryTimeoutSeconds?: number;
  /** How many times a statement is retried after the connection was lost (outside transactions). */
  connectRetries: number;
  /** Login deadline per attempt, retries and the wait between them (see `SnowflakeConnection.connectWithin`). */
  login: Omit<LoginPolicy, 'progress'>;
}

function fail(message: string, hint: string, target: TargetConfig): never {
  throw new MflowError('CONFIG', `Snowflake target '${target.name}': ${message}`, { hint, file: typeof target.__file === 'string' ? target.__file : typeof target.source === 'string' ? target.source : undefined });
}

function str(target: TargetConfig, key: string): string | undefined {
  const v = target[key];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string' && typeof v !== 'number') fail(`'${key}' must be a string`, `Set ${key}: "{{ env_var('SNOWFLAKE_${key.toUpperCase()}') }}".`, target);
  return String(v);
}

function bool(target: TargetConfig, key: string): boolean | undefined {
  const v = target[key];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === 'false') return v === 'true';
  return fail(`'${key}' must be true or false`, `Write ${key}: true or ${key}: false.`, target);
}

function num(target: TargetConfig, key: string): number | undefined {
  const v = target[key];
  if (v === undefined || v === null || v === '') return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) fail(`'${key}' must be a non-negative number of seconds`, `Write ${key}: 60.`, target);
  return n;
}

export function resolveSnowflakeTarget(target: TargetConfig): SnowflakeSettings {
  for (const k of Object.keys(target)) {
    // secretKeys/source: the project loader's bookkeeping on the resolved target, not profile keys.
    if (k.startsWith('__') || k === 'secretKeys' || k === 'source' || (TARGET_KEYS as readonly string[]).includes(k)) continue;
    const near = closest(k, TARGET_KEYS);
    fail(`unknown key '${k}'`, near ? `Did you mean '${near}'?` : `Known keys: ${TARGET_KEYS.join(', ')}.`, target);
  }
  const account = str(target, 'account');
  if (!account) fail(`'account' is missing`, `Set account: "{{ env_var('SNOWFLAKE_ACCOUNT') }}" (e.g. xy12345.eu-west-1).`, target);
  const authenticator = (str(target, 'authenticator') ?? 'snowflake').toLowerCase();
  if (!AUTHENTICATORS.includes(authenticator) && !/^https:\/\/[^/]+\.okta\.com/.test(authenticator))
    fail(`unknown authenticator '${authenticator}'`, `Use one of ${AUTHENTICATORS.join(', ')} or an https://<org>.okta.com URL.`, target);
  const user = str(target, 'user');
  const conn: Record<string, unknown> = { account, authenticator: authenticator.startsWith('https://') ? authenticator : authenticator.toUpperCase() };
  if (user) conn.username = user;
  for (const [k, o] of [['role', 'role'], ['warehouse', 'warehouse'], ['database', 'database'], ['schema', 'schema'], ['query_tag', 'queryTag'], ['host', 'host'], ['protocol', 'protocol'], ['access_url', 'accessUrl'], ['passcode', 'passcode']] as const) {
    const v = str(target, k);
    if (v !== undefined) conn[o] = v;
  }
  const port = num(target, 'port');
  if (port !== undefined) conn.port = port;
  const keepAlive = bool(target, 'client_session_keep_alive');
  if (keepAlive !== undefined) conn.clientSessionKeepAlive = keepAlive;
  // login_timeout bounds each login attempt and connect_timeout is the wait between attempts, as in
  // dbt-snowflake; neither is the driver's per-request `timeout` (which also cuts long queries).
  const retry = num(target, 'retry_timeout');
  if (retry !== undefined) conn.retryTimeout = retry;

  const password = str(target, 'password');
  const token = str(target, 'token');
  const privateKey = str(target, 'private_key');
  const privateKeyPath = str(target, 'private_key_path');
  const passphrase = str(target, 'private_key_passphrase');
  const needsUser = !['oauth', 'externalbrowser', 'oauth_authorization_code', 'oauth_client_credentials', 'workload_identity'].includes(authenticator);
  if (needsUser && !user) fail(`'user' is missing`, `Set user: "{{ env_var('SNOWFLAKE_USER') }}".`, target);

  if (authenticator === 'snowflake' || authenticator === 'username_password_mfa') {
    if (privateKey || privateKeyPath) {
      conn.authenticator = 'SNOWFLAKE_JWT';
    } else if (!password) {
      fail(`no credentials`, `Set password: "{{ env_var('SNOWFLAKE_PASSWORD') }}", or private_key_path / private_key for key-pair auth.`, target);
    } else conn.password = password;
  }
  if (conn.authenticator === 'SNOWFLAKE_JWT') {
    if (privateKeyPath) {
      if (!fs.existsSync(privateKeyPath)) fail(`private_key_path does not exist`, `Point private_key_path at a PEM file (PKCS#8) readable by this process.`, target);
      conn.privateKeyPath = privateKeyPath;
    } else if (privateKey) conn.privateKey = privateKey.includes('-----BEGIN') ? privateKey : `-----BEGIN PRIVATE KEY-----\n${privateKey}\n-----END PRIVATE KEY-----`;
    else fail(`key-pair auth needs private_key_path or private_key`, `Set private_key_path: "{{ env_var('SNOWFLAKE_PRIVATE_KEY_PATH') }}".`, target);
    if (passphrase) conn.privateKeyPass = passphrase;
  }
  if (authenticator === 'oauth' || authenticator === 'programmatic_access_token') {
    const fromFile = str(target, 'token_file_path');
    if (!token && !fromFile) fail(`${authenticator} needs 'token'`, `Set token: "{{ env_var('SNOWFLAKE_TOKEN') }}" (or token_file_path).`, target);
    if (token) conn.token = token;
    if (fromFile) conn.tokenFilePath = fromFile;
  }
  if (authenticator === 'oauth_client_credentials' || authenticator === 'oauth_authorization_code') {
    const id = str(target, 'oauth_client_id');
    const secret = str(target, 'oauth_client_secret');
    if (!id || !secret) fail(`${authenticator} needs oauth_client_id and oauth_client_secret`, `Set both from env_var().`, target);
    conn.oauthClientId = id;
    conn.oauthClientSecret = secret;
  }
  // Seeds bind up to 16k values per statement; keep them inline rather than through a stage PUT.
  conn.arrayBindingThreshold = 1_000_000;
  const quoting = (target.quoting ?? {}) as QuotingConfig;
  if (typeof quoting !== 'object' || Array.isArray(quoting)) fail(`'quoting' must be a mapping`, `Write quoting: { identifier: false }.`, target);
  const connectRetries = num(target, 'connect_retries') ?? 1;
  const where = conn.accessUrl ? String(conn.accessUrl) : conn.host ? `${String(conn.protocol ?? 'https')}://${String(conn.host)}${conn.port ? `:${String(conn.port)}` : ''}` : `${account}.snowflakecomputing.com`;
  const login = { timeoutSeconds: num(target, 'login_timeout') ?? 60, retries: Math.floor(connectRetries), waitSeconds: num(target, 'connect_timeout') ?? 10, where: `account '${account}' (${where})` };
  return { connection: conn, quoting, queryTimeoutSeconds: num(target, 'query_timeout'), connectRetries, login };
}

/** The target with every secret replaced, safe for logs, `debug` output and artifacts. */
export function describeTarget(target: TargetConfig): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(target)) out[k] = SECRET_KEYS.has(k) && v ? '****' : v;
  return out;
}
