import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dbtManifestMetadata, dbtNode, dbtNodeIsNode, toDbtManifest } from '../../artifacts/dbt-shape.js';
import { spliceManifestBytes, splicePlan } from '../../artifacts/splice.js';
import { writeAtomic, writeAtomicBytes, writeAtomicPieces, writeManifest } from '../../artifacts/write.js';
import type { Manifest } from '../../contracts/manifest.js';
import { hasSecrets } from '../../project/secrets.js';
import { sha256 } from '../../util/fs.js';
import { phase } from '../../util/timing.js';
import { INTERNAL_MANIFEST, writeCache, type CompiledFile } from './cache.js';
import { sameStamp, stampDirs, stampOf } from './files.js';
import { partialStateOf, stableById, type PartialState } from './index.js';
import { closeSource, INDEX_FILE, openSource, rangesOf, readRange, splicedIndex, writeManifests, type Cuts, type ManifestIndex, type Source } from './lazy.js';

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
  const stable = o.fullSelection && st.macrosStable && o.ids.every((id) => !vol.has(id) && next.compiled[id] && stableById(st, m, id));
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
  // The internal manifest is written with the index of its nodes (lazy.ts), unless secrets are
  // redacted from it (the offsets would move). Built node by node: only when it is written (the
  // hash below takes one JSON.stringify).
  const written = () => {
    let index: Omit<ManifestIndex, 'token'> | null = null;
    if (hasSecrets()) {
      writeAtomic(path, JSON.stringify(m));
      writeManifest(targetDir, m);
    } else {
      // Both texts as JSON.stringify gives them, written in pieces with the positions of their
      // nodes; a node whose dbt shape drops none of its keys is serialised once.
      index = writeManifests(path, m, dbtPath, toDbtManifest(m), (id) => Boolean(m.nodes[id]) && dbtNodeIsNode(m.nodes[id]));
    }
    st.next.manifest = stampOf(path);
    st.next.dbtManifest = stampOf(dbtPath);
    writeIndex(targetDir, st, index);
  };
  // The text less the metadata, hashed: the same project parsed twice gives the same hash. Not on
  // a first compile (nothing to compare with): that would only add a hash of 15 MB to a cold start.
  const keys = Object.keys(m);
  // Nor after a partial parse that changed nodes: the manifest changed, no hash can say otherwise.
  if (keys[0] !== 'metadata' || !st.previous || (st.mode === 'partial' && st.manifestChanged)) {
    written();
    st.next.manifestBody = null;
    return;
  }
  const body = JSON.stringify({ ...m, metadata: undefined });
  const bodySha = sha256(body);
  const prev = st.previous;
  if (prev?.manifestBody === bodySha && prev.manifest && sameStamp(stampOf(path) ?? undefined, prev.manifest) && prev.dbtManifest && sameStamp(stampOf(dbtPath) ?? undefined, prev.dbtManifest)) {
    st.next.manifest = prev.manifest;
    st.next.dbtManifest = prev.dbtManifest;
    st.next.manifestIndex = prev.manifestIndex ?? null;
    st.next.manifestBody = bodySha;
    return;
  }
  written();
  st.next.manifestBody = bodySha;
}

/** partial_parse_index.json for the internal manifest just written, and its token in the cache. */
function writeIndex(targetDir: string, st: PartialState, index: Omit<ManifestIndex, 'token'> | null): void {
  if (!index) {
    st.next.manifestIndex = null;
    return;
  }
  const token = `${Date.now()}-${process.pid}-${Math.random().toString(36).slice(2)}`;
  writeAtomic(join(targetDir, INDEX_FILE), JSON.stringify({ ...index, token }));
  st.next.manifestIndex = token;
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
  if ((!st.bytes && !st.source) || !prev?.manifest || !prev.dbtManifest) return 'no previous text';
  if (st.touched.size === 0 || st.touched.size > 200) return `${st.touched.size} nodes changed`;
  const ids = [...st.touched];
  if (ids.some((id) => !m.nodes[id] || m.nodes[id].resource_type === 'unit_test')) return 'a unit test changed';
  // manifest.json as this mflow wrote it at the start of the command, and still is.
  if (!sameStamp(stampOf(path) ?? undefined, prev.manifest) || !sameStamp(stampOf(dbtPath) ?? undefined, prev.dbtManifest)) return 'a manifest was written by something else';
  const index = st.index();
  const metaJson = JSON.stringify(m.metadata);
  const dbtMetaJson = JSON.stringify(dbtManifestMetadata(m));
  const own = new Map(ids.map((id) => [id, JSON.stringify(m.nodes[id])]));
  const theirs = new Map(ids.map((id) => [id, JSON.stringify(dbtNode(m.nodes[id]))]));
  // With secrets remembered the whole text is redacted, as writeAtomic always did.
  const secrets = hasSecrets();
  const done = (cuts: Cuts, dbtCuts: Cuts) => {
    st.next.manifest = stampOf(path);
    st.next.dbtManifest = stampOf(dbtPath);
    st.next.manifestBody = null;
    writeIndex(targetDir, st, index && !secrets ? splicedIndex(index, cuts, m.nodes, dbtCuts) : null);
    return true as const;
  };
  // Read lazily, with the positions of the nodes in both files: neither file is read whole.
  if (!st.bytes && st.source && index?.dbt && !secrets) {
    let dbtSrc: Source | null = null;
    try {
      dbtSrc = openSource(dbtPath);
      const from = (src: Source) => ({ fd: src.fd, size: src.size, read: (s: number, e: number) => readRange(src, s, e) });
      const dbtRanges = new Map<string, [number, number]>();
      for (let i = 0; i < index.ids.length; i++) if (own.has(index.ids[i]) && index.dbt.starts[i] >= 0) dbtRanges.set(index.ids[i], [index.dbt.starts[i], index.dbt.starts[i] + index.dbt.lengths[i]]);
      const internal = splicePlan(from(st.source), index.nodesStart, metaJson, own, rangesOf(index, ids));
      const dbt = dbtSrc.size === index.dbt.size ? splicePlan(from(dbtSrc), index.dbt.nodesStart, dbtMetaJson, theirs, dbtRanges) : null;
      if (!internal || !dbt) return 'a node was not where the index says';
      writeAtomicPieces(path, internal.pieces);
      writeAtomicPieces(dbtPath, dbt.pieces);
      return done(internal, dbt);
    } finally {
      if (dbtSrc) closeSource(dbtSrc);
    }
  }
  let bytes = st.bytes;
  let dbtOld: Buffer;
  try {
    bytes ??= readRange(st.source!, 0, st.source!.size);
    dbtOld = readFileSync(dbtPath);
  } catch {
    return 'manifest.json cannot be read';
  }
  // Where the nodes lie in the internal manifest, when its index was read.
  const internal = spliceManifestBytes(bytes, metaJson, own, index ? rangesOf(index, ids) : undefined);
  const dbt = internal && spliceManifestBytes(dbtOld, dbtMetaJson, theirs);
  if (!internal || !dbt) return 'a node was not found in the old text';
  if (secrets) {
    writeAtomic(path, Buffer.concat(internal.parts).toString('utf8'));
    writeAtomic(dbtPath, Buffer.concat(dbt.parts).toString('utf8'));
  } else {
    writeAtomicBytes(path, internal.parts);
    writeAtomicBytes(dbtPath, dbt.parts);
  }
  return done(internal, dbt);
}

/** The nodes with unstable renders, when every compiled node is covered (see PartialCache.unstable). */
function unstableAfter(m: Manifest, st: PartialState, ids: string[], fullSelection: boolean): string[] | null {
  if (fullSelection) return ids.filter((id) => !stableById(st, m, id)).sort();
  // A partial compile of some nodes: the record of the last full one holds, but for re-parsed nodes.
  const prev = st.mode === 'partial' ? st.previous?.unstable : null;
  if (!prev) return null;
  const un = new Set(prev);
  for (const id of st.dirty) {
    const n = m.nodes[id];
    if (n && !stableById(st, m, id)) un.add(id);
    else un.delete(id);
  }
  return [...un].sort();
}
