import { readdirSync, statSync, existsSync } from 'node:fs';
import { isAbsolute, join, resolve, sep } from 'node:path';

/** True when the location uses glob characters and must be expanded. */
export function isGlob(pattern: string): boolean {
  return /[*?[]/.test(pattern);
}

function segmentRegex(seg: string): RegExp {
  let re = '';
  for (let i = 0; i < seg.length; i++) {
    const ch = seg[i];
    if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else if (ch === '[') {
      const end = seg.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        re += '[' + seg.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\') + ']';
        i = end;
      }
    } else re += ch.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** The folder part of a pattern before its first glob character. */
export function globBase(pattern: string, cwd: string): string {
  const parts = (isAbsolute(pattern) ? pattern : resolve(cwd, pattern)).split(sep);
  let i = 0;
  while (i < parts.length && !isGlob(parts[i])) i++;
  return parts.slice(0, Math.min(i, parts.length - 1)).join(sep) || sep;
}

/**
 * Expands a glob (`*`, `?`, `[ab]`, `**`) against the file system, sorted so loads happen in a
 * stable order (Node 20 has no fs.glob). Returns absolute paths of files only.
 */
export function expandGlob(pattern: string, cwd: string): string[] {
  const abs = isAbsolute(pattern) ? pattern : resolve(cwd, pattern);
  const parts = abs.split(sep);
  // The fixed prefix (no glob characters) is where the walk starts.
  let i = 0;
  while (i < parts.length && !isGlob(parts[i])) i++;
  const base = parts.slice(0, i).join(sep) || sep;
  const rest = parts.slice(i);
  if (rest.length === 0) return existsSync(abs) && statSync(abs).isFile() ? [abs] : [];
  const out: string[] = [];
  walk(base, rest, out);
  return [...new Set(out)].sort();
}

function walk(dir: string, rest: string[], out: string[]): void {
  if (rest.length === 0) {
    if (existsSync(dir) && statSync(dir).isFile()) out.push(dir);
    return;
  }
  const [seg, ...tail] = rest;
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  if (seg === '**') {
    walk(dir, tail, out);
    for (const e of entries) {
      const p = join(dir, e);
      if (statSync(p).isDirectory()) walk(p, rest, out);
    }
    return;
  }
  if (!isGlob(seg)) {
    walk(join(dir, seg), tail, out);
    return;
  }
  const re = segmentRegex(seg);
  for (const e of entries.sort()) if (re.test(e)) walk(join(dir, e), tail, out);
}
