import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

export function sha256(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Files under `dir` with one of `exts`, sorted, as project-relative POSIX paths. */
export function walkFiles(root: string, dir: string, exts: string[], listing?: Map<string, string[]>): string[] {
  let all = listing?.get(dir);
  if (!all) {
    all = listFiles(root, dir);
    listing?.set(dir, all);
  }
  return all.filter((f) => exts.some((e) => f.endsWith(e)));
}

/**
 * Every file under `dir` (hidden ones skipped), sorted. Callers that look for several extensions
 * in one folder pass a `listing` map to walkFiles so the tree is read once, not once per extension.
 */
function listFiles(root: string, dir: string): string[] {
  const abs = join(root, dir);
  if (!existsSync(abs) || !statSync(abs).isDirectory()) return [];
  const out: string[] = [];
  // Relative paths are built by concatenation: path.relative() per file cost more than the read.
  const stack: [string, string][] = [[abs, relative(root, abs).split(sep).join('/')]];
  while (stack.length) {
    const [d, rel] = stack.pop()!;
    for (const ent of readdirSync(d, { withFileTypes: true })) {
      if (ent.name.startsWith('.')) continue;
      if (ent.isDirectory()) stack.push([join(d, ent.name), `${rel}/${ent.name}`]);
      else out.push(`${rel}/${ent.name}`);
    }
  }
  return out.sort();
}

export function readText(root: string, rel: string): string {
  return readFileSync(join(root, rel), 'utf8');
}
