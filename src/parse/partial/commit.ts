import { join } from 'node:path';
import { writeAtomic, writeManifest } from '../../artifacts/write.js';
import type { Manifest } from '../../contracts/manifest.js';
import { sha256 } from '../../util/fs.js';
import { INTERNAL_MANIFEST, writeCache, type CompiledFile } from './cache.js';
import { sameStamp, stampDirs, stampOf } from './files.js';
import { partialStateOf, stableRender } from './index.js';

/**
 * Writes manifest.json unless it would only differ in its metadata (generated_at, invocation_id)
 * from the file on disk, then the partial-parse cache that describes it.
 */
export function saveParse(targetDir: string, m: Manifest): void {
  const st = partialStateOf(m);
  if (!st) return writeManifest(targetDir, m);
  writeManifestIfChanged(targetDir, m, st.manifestChanged);
  writeCache(targetDir, st.next);
}

/**
 * After `compile`: records the compiled files written (and found unchanged), which renders were
 * volatile, writes the manifest if it changed and the cache.
 */
export function saveCompile(targetDir: string, m: Manifest, o: { written: Map<string, CompiledFile>; rendered: Set<string>; volatile: Set<string>; codeChanged: boolean; ids: string[]; fullSelection: boolean }): void {
  const st = partialStateOf(m);
  if (!st) return writeManifest(targetDir, m);
  const next = st.next;
  next.compiled = { ...next.compiled };
  for (const [id, f] of o.written) next.compiled[id] = f;
  const vol = new Set(st.volatile);
  for (const id of o.rendered) vol.delete(id);
  for (const id of o.volatile) vol.add(id);
  next.volatile = [...vol].sort();
  // What lets the next compile of the whole project skip reading the manifest (up-to-date.ts).
  const stable = o.fullSelection && st.macrosStable && o.ids.every((id) => !vol.has(id) && stableRender(m.nodes[id]) && next.compiled[id]);
  next.lastCompile = stable ? { ids: o.ids } : null;
  next.compiledDirs = stampDirs(Object.values(next.compiled).map((f) => f[2]));
  writeManifestIfChanged(targetDir, m, st.manifestChanged || o.codeChanged);
  writeCache(targetDir, next);
}

function writeManifestIfChanged(targetDir: string, m: Manifest, changed: boolean): void {
  const st = partialStateOf(m)!;
  const path = join(targetDir, INTERNAL_MANIFEST);
  const dbtPath = join(targetDir, 'manifest.json');
  if (!changed && st.mode === 'partial') return;
  const written = (internalText: string) => {
    writeAtomic(path, internalText);
    writeManifest(targetDir, m);
    st.next.manifest = stampOf(path);
    st.next.dbtManifest = stampOf(dbtPath);
  };
  // The text less the metadata, hashed: the same project parsed twice gives the same hash. Not on
  // a first compile (nothing to compare with): that would only add a hash of 15 MB to a cold start.
  const keys = Object.keys(m);
  // Nor after a partial parse that changed nodes: the manifest changed, no hash can say otherwise.
  if (keys[0] !== 'metadata' || !st.previous || (st.mode === 'partial' && st.manifestChanged)) {
    written(JSON.stringify(m));
    st.next.manifestBody = null;
    return;
  }
  const body = JSON.stringify({ ...m, metadata: undefined });
  const bodySha = sha256(body);
  const prev = st.previous;
  if (prev?.manifestBody === bodySha && prev.manifest && sameStamp(stampOf(path) ?? undefined, prev.manifest) && prev.dbtManifest && sameStamp(stampOf(dbtPath) ?? undefined, prev.dbtManifest)) {
    st.next.manifest = prev.manifest;
    st.next.dbtManifest = prev.dbtManifest;
    st.next.manifestBody = bodySha;
    return;
  }
  written(body === '{}' ? `{"metadata":${JSON.stringify(m.metadata)}}` : `{"metadata":${JSON.stringify(m.metadata)},${body.slice(1)}`);
  st.next.manifestBody = bodySha;
}
