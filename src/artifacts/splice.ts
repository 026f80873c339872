/**
 * Rewriting a 15 MB manifest after one model changed: the text written last time is kept, and
 * only the metadata and the changed nodes' slices are replaced, instead of serialising every node
 * again. Both manifests are JSON.stringify output without indentation, with `metadata` first and
 * then `nodes`; each slice found is checked (it must parse to the node it is taken for), and
 * anything unexpected returns null so that the caller writes the whole manifest as before.
 */

/**
 * Index just past the JSON object or array that starts at byte `start` (skipping strings), or -1.
 * Over UTF-8 bytes: a multi-byte character never contains an ASCII byte.
 */
export function valueEndBytes(b: Buffer, start: number): number {
  const open = b[start];
  if (open !== 123 && open !== 91) return -1;
  let depth = 0;
  for (let i = start; i < b.length; i++) {
    const c = b[i];
    if (c === 34) {
      let j = i;
      for (;;) {
        j = b.indexOf(34, j + 1);
        if (j < 0) return -1;
        let k = j - 1;
        while (b[k] === 92) k--;
        if ((j - 1 - k) % 2 === 0) break;
      }
      i = j;
    } else if (c === 123 || c === 91) depth++;
    else if (c === 125 || c === 93) {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

export interface SplicedBytes {
  /** The new text, in pieces (mostly views of the old bytes): written as they are, not joined. */
  parts: Buffer[];
  size: number;
  /** Old length of the metadata's JSON, new length (bytes). */
  metaDelta: number;
  /** Each replaced node: its old byte range and the byte length of its new JSON. */
  cuts: { id: string; start: number; end: number; length: number }[];
}

/**
 * The old manifest's bytes (no decoding of 15 MB) with its metadata replaced and the entries of
 * `nodes` named in `replace` (id -> the new JSON of that node) put in place of theirs; null when
 * the text does not have the expected shape. `known` gives nodes' byte ranges
 * when an index has them (partial_parse_index.json); other nodes are searched for: a key must start an
 * entry of `nodes` itself (after its `{` or a `,`), and each slice must parse to its node, which
 * skips the same text deeper inside another node.
 */
export function spliceManifestBytes(old: Buffer, metadataJson: string, replace: Map<string, string>, known?: Map<string, [number, number]>): SplicedBytes | null {
  const META = '{"metadata":';
  if (old.toString('latin1', 0, META.length) !== META) return null;
  const metaEnd = valueEndBytes(old, META.length);
  if (metaEnd < 0 || old.toString('latin1', metaEnd, metaEnd + 10) !== ',"nodes":{') return null;
  const nodesStart = metaEnd + ',"nodes":'.length;
  const sliceIs = (id: string, s: number, e: number) => {
    try {
      return (JSON.parse(old.toString('utf8', s, e)) as { unique_id?: unknown }).unique_id === id;
    } catch {
      return false;
    }
  };
  const cuts: [start: number, end: number, text: Buffer, id: string][] = [];
  for (const [id, json] of replace) {
    const k = known?.get(id);
    if (k) {
      if (k[0] <= nodesStart || !sliceIs(id, k[0], k[1])) return null;
      cuts.push([k[0], k[1], Buffer.from(json), id]);
      continue;
    }
    const key = `${JSON.stringify(id)}:`;
    let at = old.indexOf(key, nodesStart);
    for (;;) {
      if (at < 0) return null;
      const prev = old[at - 1];
      const valStart = at + Buffer.byteLength(key);
      if ((prev === 44 || prev === 123) && old[valStart] === 123) {
        const valEnd = valueEndBytes(old, valStart);
        if (valEnd > 0 && (old[valEnd] === 44 || old[valEnd] === 125) && sliceIs(id, valStart, valEnd)) {
          cuts.push([valStart, valEnd, Buffer.from(json), id]);
          break;
        }
      }
      at = old.indexOf(key, at + 1);
    }
  }
  cuts.sort((a, b) => a[0] - b[0]);
  const meta = Buffer.from(metadataJson);
  const parts: Buffer[] = [old.subarray(0, META.length), meta];
  let pos = metaEnd;
  for (const [s, e, text] of cuts) {
    if (s < pos) return null; // the same node twice
    parts.push(old.subarray(pos, s), text);
    pos = e;
  }
  parts.push(old.subarray(pos));
  return { parts, size: parts.reduce((a, p) => a + p.length, 0), metaDelta: meta.length - (metaEnd - META.length), cuts: cuts.map(([s, e, text, id]) => ({ id, start: s, end: e, length: text.length })) };
}

/** A file to splice without reading it whole: its descriptor, size and a reader of byte ranges. */
export interface SpliceSource {
  fd: number;
  size: number;
  read(start: number, end: number): Buffer;
}

export interface SplicePlan {
  /** The new text: new bytes and ranges of the old file, in order. */
  pieces: (Buffer | { fd: number; start: number; end: number })[];
  size: number;
  metaDelta: number;
  cuts: { id: string; start: number; end: number; length: number }[];
}

/**
 * spliceManifestBytes for a file whose nodes' byte ranges are known (partial_parse_index.json):
 * only the metadata's edges and the replaced slices are read, each slice checked to parse to its
 * node; the rest is copied from the file when written (write.ts, writeAtomicPieces). Null when
 * anything is not where the index says.
 */
export function splicePlan(src: SpliceSource, nodesStart: number, metadataJson: string, replace: Map<string, string>, ranges: Map<string, [number, number]>): SplicePlan | null {
  const META = '{"metadata":';
  const NODES = ',"nodes":';
  const metaEnd = nodesStart - NODES.length;
  if (metaEnd <= META.length || nodesStart >= src.size) return null;
  if (src.read(0, META.length).toString('latin1') !== META || src.read(metaEnd, nodesStart + 1).toString('latin1') !== `${NODES}{`) return null;
  const cuts: [number, number, Buffer, string][] = [];
  for (const [id, json] of replace) {
    const r = ranges.get(id);
    if (!r || r[0] <= nodesStart || r[1] > src.size) return null;
    let ok = false;
    try {
      ok = (JSON.parse(src.read(r[0], r[1]).toString('utf8')) as { unique_id?: unknown }).unique_id === id;
    } catch {
      ok = false;
    }
    if (!ok) return null;
    cuts.push([r[0], r[1], Buffer.from(json), id]);
  }
  cuts.sort((a, b) => a[0] - b[0]);
  const meta = Buffer.from(META + metadataJson);
  const pieces: SplicePlan['pieces'] = [meta];
  let pos = metaEnd;
  let size = meta.length;
  for (const [s, e, text] of cuts) {
    if (s < pos) return null;
    pieces.push({ fd: src.fd, start: pos, end: s }, text);
    size += s - pos + text.length;
    pos = e;
  }
  pieces.push({ fd: src.fd, start: pos, end: src.size });
  size += src.size - pos;
  return { pieces, size, metaDelta: meta.length - metaEnd, cuts: cuts.map(([s, e, text, id]) => ({ id, start: s, end: e, length: text.length })) };
}
