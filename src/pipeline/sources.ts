import { accessSync, constants, openSync, readSync, closeSync } from 'node:fs';
import { relative } from 'node:path';
import type { SourceTable } from '../contracts/manifest.js';
import { expandGlob } from '../ingest/glob.js';
import { readExternal } from '../ingest/external.js';

/**
 * Source availability, checked before anything is loaded: every local file a source's location
 * matches must exist and be readable; a URL must answer a HEAD request with 2xx/3xx. A source is
 * optional when its properties say `optional: true` (also under `meta:` or `config:`), e.g. claim
 * files missing from a partial CMS sample: its absence is then a warning, not a failure.
 */
export interface SourceCheck {
  source: string;
  location: string;
  optional: boolean;
  ok: boolean;
  files: string[];
  problem: string | null;
}

export function isOptional(s: SourceTable): boolean {
  const x = s as unknown as Record<string, unknown> & { meta?: Record<string, unknown>; config?: Record<string, unknown> };
  const v = x.optional ?? x.meta?.optional ?? x.config?.optional ?? (x.external as Record<string, unknown> | undefined)?.optional;
  if (v !== undefined) return v === true || v === 'true';
  const req = x.required ?? x.meta?.required ?? x.config?.required;
  return req === false || req === 'false';
}

export async function checkSources(sources: SourceTable[], projectDir: string, timeoutMs = 15_000): Promise<SourceCheck[]> {
  return Promise.all(sources.map((s) => checkOne(s, projectDir, timeoutMs)));
}

async function checkOne(s: SourceTable, projectDir: string, timeoutMs: number): Promise<SourceCheck> {
  const spec = readExternal(s);
  const base = { source: `${s.source_name}.${s.name}`, location: spec.location, optional: isOptional(s) };
  const url = /^https?:\/\//i.test(spec.location) ? spec.location : null;
  if (url) return { ...base, ...(await head(url, timeoutMs)), files: [] };
  const files = expandGlob(spec.location, projectDir).filter((f) => !f.endsWith('.part'));
  if (files.length === 0) {
    if (spec.downloadUrl) return { ...base, ...(await head(spec.downloadUrl, timeoutMs)), files: [] };
    const declared = s.declared_at ? `${s.declared_at.file}:${s.declared_at.line}` : s.original_file_path;
    return { ...base, ok: false, files, problem: `no file matches external.location '${spec.location}' (declared in ${declared}, relative to ${projectDir})` };
  }
  for (const f of files) {
    try {
      accessSync(f, constants.R_OK);
      // Readable for real: permissions can say yes while the file system says no.
      const fd = openSync(f, 'r');
      readSync(fd, Buffer.alloc(1), 0, 1, 0);
      closeSync(fd);
    } catch (e) {
      return { ...base, ok: false, files, problem: `${relative(projectDir, f)} is not readable: ${(e as Error).message}` };
    }
  }
  return { ...base, ok: true, files, problem: null };
}

async function head(url: string, timeoutMs: number): Promise<{ ok: boolean; problem: string | null }> {
  try {
    const r = await fetch(url, { method: 'HEAD', redirect: 'follow', signal: AbortSignal.timeout(timeoutMs) });
    return r.status < 400 ? { ok: true, problem: null } : { ok: false, problem: `${url} answered HTTP ${r.status}` };
  } catch (e) {
    return { ok: false, problem: `${url} did not answer: ${(e as Error).cause ? String((e as { cause: Error }).cause.message ?? (e as { cause: unknown }).cause) : (e as Error).message}` };
  }
}
