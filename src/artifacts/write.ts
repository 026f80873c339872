import { closeSync, mkdirSync, openSync, readFileSync, readSync, writeFileSync, writeSync, existsSync, renameSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';
import type { Manifest, ManifestNode } from '../contracts/manifest.js';
import type { RunResults } from '../contracts/results.js';
import { redact } from '../project/secrets.js';
import { toDbtManifest, toDbtRunResults } from './dbt-shape.js';

/** Writes a file atomically (temp name, then rename), so readers never see half a JSON file. */
export function writeAtomic(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, redact(text));
  renameSync(tmp, path);
}

/** writeAtomic for bytes that need no redaction (the caller checked that no secret is remembered). */
export function writeAtomicBytes(path: string, parts: Buffer[]): void {
  writeAtomicPieces(path, parts);
}

/** Writes `path` atomically (a temporary file, then a rename) with what `fill` writes to the descriptor. */
export function writeAtomicWith(path: string, fill: (fd: number) => void): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    fill(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

/** A range of bytes of an open file, copied as it is. */
export interface FileRange {
  fd: number;
  start: number;
  end: number;
}

/**
 * writeAtomic of a text made of new bytes and ranges of other files (a manifest with a few nodes
 * replaced): the ranges are copied through one small buffer, never read whole into memory (on this
 * VM, 15 MB read into fresh memory cost about 20 ms of page faults). No redaction: the caller
 * checked that no secret is remembered.
 */
export function writeAtomicPieces(path: string, pieces: (Buffer | FileRange)[]): void {
  const buf = Buffer.allocUnsafe(1 << 20);
  writeAtomicWith(path, (fd) => {
    for (const p of pieces) {
      if (Buffer.isBuffer(p)) {
        for (let off = 0; off < p.length; ) off += writeSync(fd, p, off, p.length - off);
        continue;
      }
      for (let pos = p.start; pos < p.end; ) {
        const n = readSync(p.fd, buf, 0, Math.min(buf.length, p.end - pos), pos);
        if (n <= 0) throw new Error(`${path}: the file copied from ended at byte ${pos}`);
        for (let off = 0; off < n; ) off += writeSync(fd, buf, off, n - off);
        pos += n;
      }
    }
  });
}

/** manifest.json in dbt's v12 shape (see dbt-shape.ts). */
export function writeManifest(targetDir: string, m: Manifest): void {
  writeAtomic(join(targetDir, 'manifest.json'), JSON.stringify(toDbtManifest(m)));
}

export function readManifest(dir: string): Manifest | null {
  const f = join(dir, 'manifest.json');
  if (!existsSync(f)) return null;
  return JSON.parse(readFileSync(f, 'utf8')) as Manifest;
}

export function writeRunResults(targetDir: string, r: RunResults): void {
  writeAtomic(join(targetDir, 'run_results.json'), JSON.stringify(toDbtRunResults(r), null, 1));
}

export function readRunResults(dir: string): RunResults | null {
  const f = join(dir, 'run_results.json');
  if (!existsSync(f)) return null;
  return JSON.parse(readFileSync(f, 'utf8')) as RunResults;
}

/** `target/compiled/<project>/<path>`, as dbt lays it out; generic tests under their YAML's folder. */
export function compiledPath(targetDir: string, kind: 'compiled' | 'run', n: ManifestNode): string {
  const rel = n.resource_type === 'test' && n.test_metadata ? join(dirname(n.original_file_path), n.name + '.sql') : n.resource_type === 'unit_test' ? join(dirname(n.original_file_path), n.name + '.sql') : n.original_file_path;
  return join(targetDir, kind, n.package_name, rel);
}

/**
 * A path as artifacts record it: relative to the project (`target/compiled/...`, as dbt writes it),
 * so manifests and run results do not carry one machine's folders; absolute when outside it.
 */
export function artifactPath(projectRoot: string, path: string): string {
  // The common case without path.relative(), which resolves both paths (once per compiled node).
  if (sep === '/' && path.startsWith(projectRoot + '/') && !path.includes('/../') && !path.includes('/./')) return path.slice(projectRoot.length + 1);
  const rel = relative(projectRoot, path);
  return rel.startsWith('..') || isAbsolute(rel) ? path : rel.split(sep).join('/');
}

const madeDirs = new Set<string>();

export function writeNodeSql(targetDir: string, kind: 'compiled' | 'run', n: ManifestNode, sql: string): string {
  const p = compiledPath(targetDir, kind, n);
  const d = dirname(p);
  // One mkdir per folder, not per file: 10,000 models share a few hundred folders.
  if (!madeDirs.has(d)) {
    mkdirSync(d, { recursive: true });
    madeDirs.add(d);
  }
  writeFileSync(p, redact(sql.endsWith('\n') ? sql : sql + '\n'));
  return p;
}
