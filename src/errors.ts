/**
 * One error type for the whole tool. Every user-facing failure carries a code, the file, line and
 * column when known, the node it belongs to and a hint that says what to do: users fix their
 * project from the message alone, without reading our stack traces.
 */
export interface ErrorLocation {
  file?: string;
  line?: number;
  column?: number;
}

export type ErrorCode =
  | 'PROJECT_NOT_FOUND'
  | 'YAML_SYNTAX'
  | 'JINJA_SYNTAX'
  | 'JINJA_RUNTIME'
  | 'UNKNOWN_REF'
  | 'UNKNOWN_SOURCE'
  | 'REF_CYCLE'
  | 'DUPLICATE_NODE'
  | 'MISSING_ENV_VAR'
  | 'COMPILER_ERROR'
  | 'CONFIG'
  | 'DATABASE'
  | 'SELECTOR'
  | 'USAGE'
  | 'SEED'
  | 'INGEST'
  | 'INTERNAL'
  | (string & {});

export class MflowError extends Error {
  readonly code: ErrorCode;
  file?: string;
  line?: number;
  column?: number;
  node?: string;
  hint?: string;

  constructor(code: ErrorCode, message: string, opts: ErrorLocation & { node?: string; hint?: string; cause?: unknown } = {}) {
    super(message, opts.cause !== undefined ? { cause: opts.cause } : undefined);
    this.name = 'MflowError';
    this.code = code;
    this.file = opts.file;
    this.line = opts.line;
    this.column = opts.column;
    this.node = opts.node;
    this.hint = opts.hint;
  }

  /** `models/x.sql:3:7: message (hint)` — the form editors and CI logs turn into links. */
  format(): string {
    let where = '';
    if (this.file) {
      where = this.file;
      if (this.line) where += `:${this.line}`;
      if (this.line && this.column) where += `:${this.column}`;
      where += ': ';
    }
    const node = this.node && !(this.file && this.message.includes(this.node)) ? ` [${this.node}]` : '';
    const hint = this.hint ? `\n  hint: ${this.hint}` : '';
    return `${where}${this.message}${node}${hint}`;
  }

  toJSON(): Record<string, unknown> {
    return { code: this.code, message: this.message, file: this.file, line: this.line, column: this.column, node: this.node, hint: this.hint };
  }
}

/** Compile errors are collected and reported together, not first-only. */
export class MflowErrors extends Error {
  readonly errors: MflowError[];
  constructor(errors: MflowError[]) {
    super(errors.map((e) => e.format()).join('\n'));
    this.name = 'MflowErrors';
    this.errors = errors;
  }
}

export function isMflowError(e: unknown): e is MflowError {
  return e instanceof MflowError;
}

/** Levenshtein distance based "did you mean" used by config keys, refs, sources and selectors. */
export function closest(name: string, candidates: Iterable<string>, maxDistance = 3): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  const lower = name.toLowerCase();
  for (const c of candidates) {
    const d = levenshtein(lower, c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  const limit = Math.max(maxDistance, Math.floor(name.length / 3));
  return bestD <= limit ? best : undefined;
}

export function levenshtein(a: string, b: string): number {
  if (a === b) return 0;
  const m = a.length;
  const n = b.length;
  if (m === 0) return n;
  if (n === 0) return m;
  let prev = new Array<number>(n + 1);
  let cur = new Array<number>(n + 1);
  for (let j = 0; j <= n; j++) prev[j] = j;
  for (let i = 1; i <= m; i++) {
    cur[0] = i;
    for (let j = 1; j <= n; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[n];
}
