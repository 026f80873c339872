import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MflowError, closest } from '../errors.js';
import { parseYaml, type YamlFile } from '../util/yaml.js';
import { renderYamlValues } from '../project/yaml-jinja.js';

/**
 * The `pipeline:` section of project.yml: the steps of the scheduled workflow and their policy.
 * Without one, the defaults below reproduce MediFlow's workflow (check sources, load RAW, audit,
 * seed, staging, core, marts into a staging schema, tests, publish). Every value is checked here,
 * so a typo fails before anything runs, with the line of project.yml it is on.
 */
export type StepCommand = 'check_sources' | 'ingest' | 'audit' | 'seed' | 'run' | 'test' | 'build' | 'freshness' | 'publish';
export const STEP_COMMANDS: readonly StepCommand[] = ['check_sources', 'ingest', 'audit', 'seed', 'run', 'test', 'build', 'freshness', 'publish'];
export type AlertEvent = 'failure' | 'retry' | 'success' | 'audit_warning';
const ALERT_EVENTS: readonly AlertEvent[] = ['failure', 'retry', 'success', 'audit_warning'];

export interface Backoff {
  type: 'fixed' | 'exponential';
  /** Seconds before the first retry. */
  delay: number;
  /** Upper bound of one pause, seconds. */
  maxDelay: number;
  /** Randomise each pause between half and all of it, so retries of many runs do not align. */
  jitter: boolean;
}

export interface StepConfig {
  name: string;
  command: StepCommand;
  select: string[];
  exclude: string[];
  /** Retries after the first attempt. */
  retries: number;
  backoff: Backoff;
  /** Seconds; the step's queries are cancelled when it is exceeded. */
  timeout: number;
  fullRefresh: boolean;
  /** test step: also check source freshness. */
  freshness: boolean;
}

export interface SlackChannel {
  webhookUrl: string;
}

export interface EmailChannel {
  host: string;
  port: number;
  /** Implicit TLS (port 465). */
  secure: boolean;
  /** Require STARTTLS on a plain connection. */
  starttls: boolean;
  user: string | null;
  password: string | null;
  from: string;
  to: string[];
  /** Accept a self-signed server certificate (a test or an internal relay). */
  tlsInsecure: boolean;
}

export interface AlertsConfig {
  events: AlertEvent[];
  slack: SlackChannel | null;
  email: EmailChannel | null;
  /** Base of the docs site, for the link to the failed node. */
  docsUrl: string | null;
}

export interface PipelineConfig {
  /** Cron expression or preset (@daily) for Airflow's schedule. */
  schedule: string | null;
  dagId: string;
  historySchema: string;
  audit: { rowCountDropPct: number; schemaChange: 'warn' | 'fail' };
  publish: { schemas: string[]; stagingSuffix: string; grants: Record<string, string[]> };
  alerts: AlertsConfig;
  /** OpenLineage events of the nodes the steps run (path relative to the project). */
  lineage: { transport: 'file' | 'http' | 'none'; path: string; url: string | null; namespace: string };
  steps: StepConfig[];
  /** project.yml, for messages. */
  file: string;
  lineOf(path: (string | number)[]): number;
}

const DEFAULT_BACKOFF: Backoff = { type: 'exponential', delay: 10, maxDelay: 300, jitter: true };

/** MediFlow's workflow as the seed ran it on Airflow. */
export const DEFAULT_STEPS: Array<Partial<StepConfig> & { name: string; command: StepCommand }> = [
  { name: 'check_sources', command: 'check_sources', retries: 2 },
  { name: 'load_raw', command: 'ingest' },
  { name: 'audit', command: 'audit', retries: 0 },
  { name: 'seed', command: 'seed' },
  { name: 'staging', command: 'run', select: ['path:models/staging'] },
  { name: 'core', command: 'run', select: ['path:models/core'] },
  { name: 'marts', command: 'run', select: ['path:models/marts'] },
  { name: 'test', command: 'test', freshness: true, retries: 0 },
  { name: 'publish', command: 'publish' },
];

const TOP_KEYS = ['schedule', 'dag_id', 'history_schema', 'defaults', 'audit', 'publish', 'alerts', 'steps', 'lineage'];
const STEP_KEYS = ['name', 'command', 'select', 'exclude', 'retries', 'backoff', 'timeout', 'full_refresh', 'freshness'];
const BACKOFF_KEYS = ['type', 'delay', 'max_delay', 'jitter'];

export interface LoadPipelineOptions {
  env?: NodeJS.ProcessEnv;
  /** Render env_var() in alerts; off for commands that send nothing (export, status). */
  renderSecrets?: boolean;
}

/** Reads and validates `pipeline:` from the project's project.yml (defaults when absent). */
export function loadPipelineConfig(root: string, projectName: string, opts: LoadPipelineOptions = {}): PipelineConfig {
  const file = 'project.yml';
  const path = join(root, file);
  const yf: YamlFile<Record<string, unknown>> = existsSync(path) ? parseYaml(readFileSync(path, 'utf8'), file) : { file, data: {}, lineOf: () => 1 };
  return validatePipeline((yf.data ?? {}).pipeline, projectName, yf, opts);
}

export function validatePipeline(raw: unknown, projectName: string, yf: YamlFile<unknown>, opts: LoadPipelineOptions = {}): PipelineConfig {
  const file = yf.file;
  const fail = (path: (string | number)[], msg: string, hint?: string): never => {
    throw new MflowError('CONFIG', `pipeline.${path.join('.')}: ${msg}`, { file, line: yf.lineOf(['pipeline', ...path]), hint });
  };
  const p = (raw ?? {}) as Record<string, unknown>;
  if (typeof p !== 'object' || Array.isArray(p)) fail([], 'must be a mapping', 'Write pipeline: { steps: [...] } or remove it for the defaults.');
  unknownKeys(p, TOP_KEYS, [], fail);

  const defaults = (p.defaults ?? {}) as Record<string, unknown>;
  unknownKeys(defaults, ['retries', 'backoff', 'timeout'], ['defaults'], fail);
  const dRetries = int(defaults.retries, 1, ['defaults', 'retries'], fail);
  const dBackoff = backoff(defaults.backoff, DEFAULT_BACKOFF, ['defaults', 'backoff'], fail);
  const dTimeout = duration(defaults.timeout, 3600, ['defaults', 'timeout'], fail);

  const audit = (p.audit ?? {}) as Record<string, unknown>;
  unknownKeys(audit, ['row_count_drop_pct', 'schema_change'], ['audit'], fail);
  const drop = audit.row_count_drop_pct === undefined ? 20 : Number(audit.row_count_drop_pct);
  if (!Number.isFinite(drop) || drop < 0 || drop > 100) fail(['audit', 'row_count_drop_pct'], `must be a percentage 0-100, got ${JSON.stringify(audit.row_count_drop_pct)}`);
  const schemaChange = (audit.schema_change ?? 'fail') as string;
  if (schemaChange !== 'warn' && schemaChange !== 'fail') fail(['audit', 'schema_change'], `must be warn or fail, got '${schemaChange}'`);

  const pub = (p.publish ?? {}) as Record<string, unknown>;
  unknownKeys(pub, ['schemas', 'staging_suffix', 'grants'], ['publish'], fail);
  const schemas = strList(pub.schemas ?? ['marts'], ['publish', 'schemas'], fail);
  const suffix = String(pub.staging_suffix ?? '__staging');
  if (!/^\w+$/.test(suffix)) fail(['publish', 'staging_suffix'], `'${suffix}' is not a valid name part`, 'Use letters, digits and underscores.');
  const grants: Record<string, string[]> = {};
  if (pub.grants !== undefined) {
    if (!pub.grants || typeof pub.grants !== 'object' || Array.isArray(pub.grants)) fail(['publish', 'grants'], 'must map a privilege to grantees', 'Write grants: { select: [reporter] }.');
    for (const [k, v] of Object.entries(pub.grants as Record<string, unknown>)) grants[k] = strList(v, ['publish', 'grants', k], fail);
  }

  const stepsRaw = p.steps === undefined ? null : p.steps;
  if (stepsRaw !== null && (!Array.isArray(stepsRaw) || stepsRaw.length === 0)) fail(['steps'], 'must be a non-empty list of steps');
  const list = (stepsRaw ?? DEFAULT_STEPS) as Array<Record<string, unknown>>;
  const names = new Set<string>();
  const steps: StepConfig[] = list.map((s, i) => {
    const at = ['steps', i];
    if (!s || typeof s !== 'object' || Array.isArray(s)) fail(at, 'must be a mapping with name and command');
    // The defaults are written in camelCase already; a project's steps in snake_case.
    const src = stepsRaw ? s : { ...s, full_refresh: s.fullRefresh };
    if (stepsRaw) unknownKeys(s, STEP_KEYS, at, fail);
    const name = String(src.name ?? '');
    if (!/^[A-Za-z][\w-]*$/.test(name)) fail([...at, 'name'], `step name '${name}' must start with a letter and hold letters, digits, _ or -`);
    if (names.has(name)) fail([...at, 'name'], `step name '${name}' is used twice`);
    names.add(name);
    const command = String(src.command ?? '') as StepCommand;
    if (!STEP_COMMANDS.includes(command)) {
      const s2 = closest(command, STEP_COMMANDS);
      fail([...at, 'command'], `unknown command '${command}'${s2 ? ` (did you mean '${s2}'?)` : ''}`, `Use one of ${STEP_COMMANDS.join(', ')}.`);
    }
    return {
      name,
      command,
      select: src.select === undefined ? [] : strList(src.select, [...at, 'select'], fail),
      exclude: src.exclude === undefined ? [] : strList(src.exclude, [...at, 'exclude'], fail),
      retries: int(src.retries, dRetries, [...at, 'retries'], fail),
      backoff: backoff(src.backoff, dBackoff, [...at, 'backoff'], fail),
      timeout: duration(src.timeout, dTimeout, [...at, 'timeout'], fail),
      fullRefresh: bool(src.full_refresh, false, [...at, 'full_refresh'], fail),
      freshness: bool(src.freshness, false, [...at, 'freshness'], fail),
    };
  });

  const alerts = alertsConfig(p.alerts, yf, opts, fail);
  const schedule = p.schedule === undefined || p.schedule === null ? null : String(p.schedule);
  if (schedule && !/^@\w+$/.test(schedule) && schedule.trim().split(/\s+/).length !== 5) fail(['schedule'], `'${schedule}' is neither a 5-field cron expression nor a preset such as @daily`);
  const dagId = String(p.dag_id ?? projectName);
  if (!/^[\w.-]+$/.test(dagId)) fail(['dag_id'], `'${dagId}' may hold only letters, digits, _ . and -`);
  const historySchema = String(p.history_schema ?? 'mflow_pipeline');
  if (!/^\w+$/.test(historySchema)) fail(['history_schema'], `'${historySchema}' is not a plain schema name`);
  const lin = (p.lineage ?? {}) as Record<string, unknown>;
  unknownKeys(lin, ['transport', 'path', 'url', 'namespace'], ['lineage'], fail);
  const transport = String(lin.transport ?? (lin.url ? 'http' : 'file'));
  if (!['file', 'http', 'none'].includes(transport)) fail(['lineage', 'transport'], `must be file, http or none, got '${transport}'`);
  const lineageUrl = lin.url === undefined || lin.url === null ? null : opts.renderSecrets === false ? String(lin.url) : String(renderYamlValues(lin.url, { file: yf.file, vars: {}, env: opts.env ?? process.env }, (q) => yf.lineOf(['pipeline', ...q]), ['lineage', 'url']));
  if (transport === 'http' && !lineageUrl) fail(['lineage', 'url'], 'is required with transport: http', 'Write url: http://marquez:5000/api/v1/lineage.');
  const lineage = { transport: transport as 'file' | 'http' | 'none', path: String(lin.path ?? 'target/openlineage.jsonl'), url: lineageUrl, namespace: String(lin.namespace ?? projectName) };
  return { schedule, dagId, historySchema, lineage, audit: { rowCountDropPct: drop, schemaChange: schemaChange as 'warn' | 'fail' }, publish: { schemas, stagingSuffix: suffix, grants }, alerts, steps, file, lineOf: (path) => yf.lineOf(['pipeline', ...path]) };
}

type Fail = (path: (string | number)[], msg: string, hint?: string) => never;

function alertsConfig(raw: unknown, yf: YamlFile<unknown>, opts: LoadPipelineOptions, fail: Fail): AlertsConfig {
  const a = (raw ?? {}) as Record<string, unknown>;
  if (typeof a !== 'object' || Array.isArray(a)) fail(['alerts'], 'must be a mapping');
  unknownKeys(a, ['events', 'slack', 'email', 'docs_url'], ['alerts'], fail);
  const events = strList(a.events ?? ['failure', 'retry', 'audit_warning'], ['alerts', 'events'], fail) as AlertEvent[];
  for (const [i, e] of events.entries()) if (!ALERT_EVENTS.includes(e)) fail(['alerts', 'events', i], `unknown event '${e}'`, `Use ${ALERT_EVENTS.join(', ')}.`);
  // Secrets come from the environment only: a literal webhook URL or password in the file is refused.
  const secret = (path: (string | number)[], v: unknown, required: boolean): string | null => {
    if (v === undefined || v === null || v === '') {
      if (required) fail(path, 'is required');
      return null;
    }
    if (typeof v !== 'string' || !/env_var\(/.test(v)) fail(path, 'is a secret and must come from the environment', `Write "{{ env_var('${path[path.length - 1] === 'webhook_url' ? 'SLACK_WEBHOOK_URL' : 'SMTP_PASSWORD'}') }}".`);
    if (opts.renderSecrets === false) return '';
    return String(renderYamlValues(v as string, { file: yf.file, vars: {}, env: opts.env ?? process.env }, (p) => yf.lineOf(['pipeline', ...p]), path));
  };
  const plain = (path: (string | number)[], v: unknown): string | null => (v === undefined || v === null ? null : opts.renderSecrets === false ? String(v) : String(renderYamlValues(v, { file: yf.file, vars: {}, env: opts.env ?? process.env }, (p) => yf.lineOf(['pipeline', ...p]), path)));
  let slack: SlackChannel | null = null;
  if (a.slack !== undefined && a.slack !== null) {
    const s = a.slack as Record<string, unknown>;
    unknownKeys(s, ['webhook_url'], ['alerts', 'slack'], fail);
    slack = { webhookUrl: secret(['alerts', 'slack', 'webhook_url'], s.webhook_url, true)! };
  }
  let email: EmailChannel | null = null;
  if (a.email !== undefined && a.email !== null) {
    const e = a.email as Record<string, unknown>;
    const at = ['alerts', 'email'];
    unknownKeys(e, ['host', 'port', 'secure', 'starttls', 'user', 'password', 'from', 'to', 'tls_insecure'], at, fail);
    if (!e.host) fail([...at, 'host'], 'is required', 'Write host: smtp.example.org.');
    if (!e.from) fail([...at, 'from'], 'is required', 'Write from: mediflow@example.org.');
    const to = strList(e.to, [...at, 'to'], fail);
    if (to.length === 0) fail([...at, 'to'], 'needs at least one recipient');
    const portText = plain([...at, 'port'], e.port);
    // Unrendered (status, export): an env_var() port is not known and not needed.
    const port = portText === null ? (bool(e.secure, false, [...at, 'secure'], fail) ? 465 : 587) : opts.renderSecrets === false && portText.includes('{{') ? 587 : Number(portText);
    if (!Number.isInteger(port) || port <= 0 || port > 65535) fail([...at, 'port'], `'${e.port}' is not a port number`);
    email = {
      host: plain([...at, 'host'], e.host)!,
      port,
      secure: bool(e.secure, port === 465, [...at, 'secure'], fail),
      starttls: bool(e.starttls, false, [...at, 'starttls'], fail),
      user: plain([...at, 'user'], e.user),
      password: secret([...at, 'password'], e.password, false),
      from: plain([...at, 'from'], e.from)!,
      to: to.map((x, i) => plain([...at, 'to', i], x)!),
      tlsInsecure: bool(e.tls_insecure, false, [...at, 'tls_insecure'], fail),
    };
    if (email.user && e.password === undefined) fail([...at, 'password'], 'is required when user is set');
  }
  return { events, slack, email, docsUrl: plain(['alerts', 'docs_url'], a.docs_url) };
}

function unknownKeys(o: Record<string, unknown>, known: string[], at: (string | number)[], fail: Fail): void {
  if (!o || typeof o !== 'object' || Array.isArray(o)) fail(at, 'must be a mapping');
  for (const k of Object.keys(o)) {
    if (!known.includes(k)) {
      const s = closest(k, known);
      fail([...at, k], `unknown key '${k}'${s ? ` (did you mean '${s}'?)` : ''}`, `Known keys: ${known.join(', ')}.`);
    }
  }
}

function int(v: unknown, dflt: number, at: (string | number)[], fail: Fail): number {
  if (v === undefined || v === null) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 100) fail(at, `must be a whole number 0-100, got ${JSON.stringify(v)}`);
  return n;
}

function bool(v: unknown, dflt: boolean, at: (string | number)[], fail: Fail): boolean {
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'boolean') fail(at, `must be true or false, got ${JSON.stringify(v)}`);
  return v as boolean;
}

function strList(v: unknown, at: (string | number)[], fail: Fail): string[] {
  if (v === undefined || v === null) return [];
  const xs = Array.isArray(v) ? v : [v];
  for (const x of xs) if (typeof x !== 'string' || !x.trim()) fail(at, `must be a text or a list of texts, got ${JSON.stringify(v)}`);
  return (xs as string[]).flatMap((x) => x.split(/\s+/)).filter(Boolean);
}

/** `30`, `30s`, `5m`, `1h`: seconds. */
export function duration(v: unknown, dflt: number, at: (string | number)[], fail: Fail): number {
  if (v === undefined || v === null) return dflt;
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/.exec(String(v).trim());
  if (!m) fail(at, `'${v}' is not a duration`, 'Write seconds (30) or 30s, 5m, 1h.');
  const n = Number(m![1]);
  const unit = m![2] ?? 's';
  return unit === 'ms' ? n / 1000 : unit === 's' ? n : unit === 'm' ? n * 60 : n * 3600;
}

function backoff(v: unknown, dflt: Backoff, at: (string | number)[], fail: Fail): Backoff {
  if (v === undefined || v === null) return dflt;
  if (typeof v === 'string') {
    if (v !== 'fixed' && v !== 'exponential') fail([...at], `must be fixed or exponential, got '${v}'`);
    return { ...dflt, type: v as Backoff['type'] };
  }
  const b = v as Record<string, unknown>;
  unknownKeys(b, BACKOFF_KEYS, at, fail);
  const type = (b.type ?? dflt.type) as string;
  if (type !== 'fixed' && type !== 'exponential') fail([...at, 'type'], `must be fixed or exponential, got '${type}'`);
  return { type: type as Backoff['type'], delay: duration(b.delay, dflt.delay, [...at, 'delay'], fail), maxDelay: duration(b.max_delay, dflt.maxDelay, [...at, 'max_delay'], fail), jitter: bool(b.jitter, dflt.jitter, [...at, 'jitter'], fail) };
}

/** Pause before retry number `retry` (1 = the first retry), seconds. */
export function backoffDelay(b: Backoff, retry: number, random: () => number = Math.random): number {
  const base = b.type === 'fixed' ? b.delay : b.delay * 2 ** (retry - 1);
  const capped = Math.min(base, b.maxDelay);
  return b.jitter ? capped * (0.5 + random() * 0.5) : capped;
}
