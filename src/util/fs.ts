import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

export function sha256(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Files under `dir` with one of `exts`, sorted, as project-relative POSIX paths. */
export function walkFiles(root: string, dir: string, exts: string[]): string[] {
  const abs = join(root, dir);
  if (!existsSync(abs) || !statSync(abs).isDirectory()) return [];
  const out: string[] = [];
  const stack = [abs];
  while (stack.length) {
    const d = stack.pop()!;
    for (const ent of readdirSync(d, { withFileTypes: true })) {
      if (ent.name.startsWith('.')) continue;
      const p = join(d, ent.name);
      if (ent.isDirectory()) stack.push(p);
      else if (exts.some((e) => ent.name.endsWith(e))) out.push(relative(root, p).split(sep).join('/'));
    }
  }
  return out.sort();
}

export function readText(root: string, rel: string): string {
  return readFileSync(join(root, rel), 'utf8');
}
