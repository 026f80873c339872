import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dbtManifestMetadata, dbtNode } from '../../artifacts/dbt-shape.js';
import { spliceManifest } from '../../artifacts/splice.js';
import { writeAtomic, writeManifest } from '../../artifacts/write.js';
import type { Manifest } from '../../contracts/manifest.js';
import { sha256 } from '../../util/fs.js';
import { phase } from '../../util/timing.js';
import { INTERNAL_MANIFEST, writeCache, type CompiledFile } from './cache.js';
import { sameStamp, stampDirs, stampOf } from './files.js';
import { partialStateOf, stableRender, type PartialState } from './index.js';

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
  next.unstable = unstableAfter(m, st, o.ids, o.fullSelection);
  next.compiledDirs = stampDirs(Object.values(next.compiled).map((f) => f[2]));
  writeManifestIfChanged(targetDir, m, st.manifestChanged || o.codeChanged, true);
  writeCache(targetDir, next);
}

function writeManifestIfChanged(targetDir: string, m: Manifest, changed: boolean, splice = false): void {
  const st = partialStateOf(m)!;
  const path = join(targetDir, INTERNAL_MANIFEST);
  const dbtPath = join(targetDir, 'manifest.json');
  if (!changed && st.mode === 'partial') return;
  if (splice && st.mode === 'partial' && !st.graphChanged) {
    const how = writeSpliced(targetDir, m, st);
    phase(how === true ? 'manifest: spliced' : `manifest: in full (${how})`);
    if (how === true) return;
  }
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

/**
 * After a partial parse whose graph did not change, only the nodes in `st.touched` and the
 * metadata can differ from the manifests on disk: their slices are replaced in the old texts
 * (artifacts/splice.ts) instead of serialising 10,000 nodes twice. Otherwise says why not.
 */
function writeSpliced(targetDir: string, m: Manifest, st: PartialState): true | string {
  const prev = st.previous;
  const path = join(targetDir, INTERNAL_MANIFEST);
  const dbtPath = join(targetDir, 'manifest.json');
  if (!st.text || !prev?.manifest || !prev.dbtManifest) return 'no previous text';
  if (st.touched.size === 0 || st.touched.size > 200) return `${st.touched.size} nodes changed`;
  const ids = [...st.touched];
  if (ids.some((id) => !m.nodes[id] || m.nodes[id].resource_type === 'unit_test')) return 'a unit test changed';
  // manifest.json as this mflow wrote it at the start of the command, and still is.
  if (!sameStamp(stampOf(path) ?? undefined, prev.manifest) || !sameStamp(stampOf(dbtPath) ?? undefined, prev.dbtManifest)) return 'a manifest was written by something else';
  let dbtOld: string;
  try {
    dbtOld = readFileSync(dbtPath, 'utf8');
  } catch {
    return 'manifest.json cannot be read';
  }
  const internal = spliceManifest(st.text, JSON.stringify(m.metadata), new Map(ids.map((id) => [id, JSON.stringify(m.nodes[id])])));
  const dbt = internal && spliceManifest(dbtOld, JSON.stringify(dbtManifestMetadata(m)), new Map(ids.map((id) => [id, JSON.stringify(dbtNode(m.nodes[id]))])));
  if (!internal || !dbt) return 'a node was not found in the old text';
  writeAtomic(path, internal);
  writeAtomic(dbtPath, dbt);
  st.next.manifest = stampOf(path);
  st.next.dbtManifest = stampOf(dbtPath);
  st.next.manifestBody = null;
  return true;
}

/** The nodes with unstable renders, when every compiled node is covered (see PartialCache.unstable). */
function unstableAfter(m: Manifest, st: PartialState, ids: string[], fullSelection: boolean): string[] | null {
  if (fullSelection) return ids.filter((id) => !stableRender(m.nodes[id])).sort();
  // A partial compile of some nodes: the record of the last full one holds, but for re-parsed nodes.
  const prev = st.mode === 'partial' ? st.previous?.unstable : null;
  if (!prev) return null;
  const un = new Set(prev);
  for (const id of st.dirty) {
    const n = m.nodes[id];
    if (n && !stableRender(n)) un.add(id);
    else un.delete(id);
  }
  return [...un].sort();
}
