import { SECRET_KEY_PATTERN } from './config-keys.js';

/**
 * Secrets masked by provenance. A value is secret when it came from `env_var()` of a
 * secret-looking name (SNOWFLAKE_PASSWORD, AWS_SECRET_ACCESS_KEY, ...) or was placed under a
 * secret-looking key (`password:`, `settings: { s3_secret_access_key: ... }`) at any depth. The
 * values themselves are remembered for this process, so every output (console, JSON logs,
 * artifacts, compiled SQL, the docs site) can replace them wherever they end up: in a nested
 * setting, an error message a warehouse echoed, or a model that inlined one.
 */
export const MASK = '****';

/** Env var names whose values are secrets; names are upper case by habit, so `key` is too broad. */
export const SECRET_ENV_PATTERN = /pass(word|phrase)?|secret|token|private_?key|credential|api_?key|access_?key(?!_id)/i;

// Shorter values would mask ordinary words and numbers all over the output.
const MIN_LENGTH = 4;
const values = new Set<string>();
let pattern: RegExp | null = null;

export function isSecretEnvName(name: string): boolean {
  return SECRET_ENV_PATTERN.test(name);
}

export function isSecretKey(key: string): boolean {
  return SECRET_KEY_PATTERN.test(key);
}

/** Remembers a secret value (and its JSON-escaped spelling, as it appears inside artifacts). */
export function registerSecret(value: unknown): void {
  if (value === null || value === undefined) return;
  const s = String(value);
  if (s.length < MIN_LENGTH) return;
  for (const v of [s, JSON.stringify(s).slice(1, -1)]) {
    if (!values.has(v)) {
      values.add(v);
      pattern = null;
    }
  }
}

export function hasSecrets(): boolean {
  return values.size > 0;
}

/** The text with every remembered secret replaced by ****; free when there is none. */
export function redact(text: string): string {
  if (values.size === 0 || !text) return text;
  if (!pattern) {
    // Longest first, so a secret that contains another is masked whole.
    const alts = [...values].sort((a, b) => b.length - a.length).map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    pattern = new RegExp(alts.join('|'), 'g');
  }
  return text.replace(pattern, MASK);
}

/** A deep copy with secret-looking keys masked at any depth and remembered secrets redacted. */
export function redactDeep<T>(value: T, secretPaths: readonly string[] = [], path = ''): T {
  if (path && secretPaths.includes(path)) return MASK as unknown as T;
  if (typeof value === 'string') return redact(value) as unknown as T;
  if (Array.isArray(value)) return value.map((v, i) => redactDeep(v, secretPaths, path ? `${path}.${i}` : String(i))) as unknown as T;
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = isSecretKey(k) && v !== null && v !== undefined && typeof v !== 'object' ? MASK : redactDeep(v, secretPaths, path ? `${path}.${k}` : k);
    }
    return out as T;
  }
  return value;
}

/** Test seam: forget remembered secrets (one process runs many projects in the test suite). */
export function forgetSecrets(): void {
  values.clear();
  pattern = null;
}
