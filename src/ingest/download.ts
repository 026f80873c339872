import { createWriteStream, existsSync, mkdirSync, renameSync, statSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { MflowError } from '../errors.js';

export interface DownloadProgress {
  url: string;
  file: string;
  received: number;
  total: number | null;
}

export interface DownloadOptions {
  retries?: number;
  onProgress?: (p: DownloadProgress) => void;
  /** Abort an attempt when no byte arrives for this long. */
  idleTimeoutMs?: number;
  /** What to suggest when the host cannot be reached at all. */
  offlineHint?: string;
}

export interface DownloadResult {
  url: string;
  path: string;
  bytes: number;
  /** The file was already complete: nothing was fetched. */
  skipped: boolean;
  /** Attempts that continued a partial file with an HTTP Range request. */
  resumes: number;
}

const UNREACHABLE = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'ENETUNREACH', 'EHOSTUNREACH', 'EADDRNOTAVAIL', 'UND_ERR_CONNECT_TIMEOUT']);

function errCode(e: unknown): string | undefined {
  let cur: unknown = e;
  for (let i = 0; i < 4 && cur; i++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

class HttpStatusError extends Error {
  constructor(readonly status: number, url: string) {
    super(`HTTP ${status} for ${url}`);
  }
}

/**
 * Fetches `url` into `dest`. The bytes go to `dest.part` and are renamed only when complete, so a
 * visible `dest` is always whole; a later call resumes the `.part` with an HTTP Range request.
 * A host that cannot be reached fails at once (retrying DNS failures only delays the message);
 * a connection dropped mid-transfer is retried from where it stopped.
 */
export async function downloadFile(url: string, dest: string, opts: DownloadOptions = {}): Promise<DownloadResult> {
  if (existsSync(dest)) return { url, path: dest, bytes: statSync(dest).size, skipped: true, resumes: 0 };
  const part = `${dest}.part`;
  const retries = opts.retries ?? 4;
  let resumes = 0;
  let lastErr: unknown;
  for (let attempt = 0; attempt <= retries; attempt++) {
    if (attempt > 0) await sleep(Math.min(250 * 2 ** (attempt - 1), 4000));
    const have = existsSync(part) ? statSync(part).size : 0;
    try {
      const done = await attemptOnce(url, part, have, opts);
      if (have > 0 && done.resumed) resumes++;
      renameSync(part, dest);
      return { url, path: dest, bytes: statSync(dest).size, skipped: false, resumes };
    } catch (e) {
      lastErr = e;
      const code = errCode(e);
      if (code && UNREACHABLE.has(code) && !existsSync(part)) {
        const host = safeHost(url);
        throw new MflowError('DOWNLOAD', `could not reach ${host} to download ${url} (${code}): are you offline?`, {
          file: dest,
          hint: opts.offlineHint ?? 'check the network connection and run the command again; nothing was written',
          cause: e,
        });
      }
      if (e instanceof HttpStatusError && e.status >= 400 && e.status < 500 && e.status !== 408 && e.status !== 429) {
        throw new MflowError('DOWNLOAD', `${url} answered HTTP ${e.status}`, {
          file: dest,
          hint: e.status === 404 ? 'the file is not at that address any more: check the source URL' : 'check the URL and your access to it',
        });
      }
    }
  }
  throw new MflowError('DOWNLOAD', `download of ${url} failed after ${retries + 1} attempts: ${(lastErr as Error)?.message ?? lastErr}`, {
    file: dest,
    hint: `run the command again to resume from ${part}`,
    cause: lastErr,
  });
}

async function attemptOnce(url: string, part: string, have: number, opts: DownloadOptions): Promise<{ resumed: boolean }> {
  const ctrl = new AbortController();
  const idleMs = opts.idleTimeoutMs ?? 30_000;
  let timer = setTimeout(() => ctrl.abort(new Error(`no data for ${idleMs} ms`)), idleMs);
  const bump = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => ctrl.abort(new Error(`no data for ${idleMs} ms`)), idleMs);
  };
  try {
    const res = await fetch(url, { headers: have > 0 ? { Range: `bytes=${have}-` } : {}, signal: ctrl.signal, redirect: 'follow' });
    if (res.status === 416 && have > 0) {
      // The server has nothing after what we hold: the .part is already complete.
      await res.body?.cancel();
      return { resumed: true };
    }
    if (res.status !== 200 && res.status !== 206) {
      await res.body?.cancel();
      throw new HttpStatusError(res.status, url);
    }
    const resumed = res.status === 206 && have > 0;
    let received = resumed ? have : 0;
    const total = totalSize(res, received);
    mkdirSync(dirname(part), { recursive: true });
    const out = createWriteStream(part, { flags: resumed ? 'a' : 'w' });
    const closed = new Promise<void>((resolve, reject) => {
      out.on('close', resolve);
      out.on('error', reject);
    });
    try {
      if (!res.body) throw new Error('empty response body');
      const reader = res.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        bump();
        received += value.length;
        if (!out.write(value)) await new Promise<void>((r) => out.once('drain', () => r()));
        opts.onProgress?.({ url, file: part.replace(/\.part$/, ''), received, total });
      }
    } finally {
      out.end();
      await closed;
    }
    if (total !== null && received !== total) throw new Error(`connection closed after ${received} of ${total} bytes`);
    return { resumed };
  } finally {
    clearTimeout(timer);
  }
}

function totalSize(res: Response, offset: number): number | null {
  const range = res.headers.get('content-range');
  const m = range?.match(/\/(\d+)\s*$/);
  if (m) return Number(m[1]);
  const len = res.headers.get('content-length');
  return len !== null ? offset + Number(len) : null;
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Removes a leftover partial download, for callers that want to start over. */
export function discardPartial(dest: string): void {
  rmSync(`${dest}.part`, { force: true });
}
