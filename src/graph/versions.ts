import type { ManifestNode } from '../contracts/manifest.js';

/**
 * Nodes named like a ref, in dbt's search order: ref('pkg', 'm') only in pkg; otherwise the root
 * project first, then the referring node's package, then any package.
 */
export function refCandidates(cands: ManifestNode[], pkg: string | null, fromPkg: string, root: string): ManifestNode[] {
  if (pkg) return cands.filter((c) => c.package_name === pkg);
  for (const want of [root, fromPkg]) {
    const hit = cands.filter((c) => c.package_name === want);
    if (hit.length) return hit;
  }
  return cands;
}

/** ref('m') is the latest version of a versioned model; ref('m', v=2) is version 2. */
export function pickVersion(cands: ManifestNode[], version: string | number | null | undefined): ManifestNode | undefined {
  if (cands.length === 1 && cands[0].version == null) return version == null ? cands[0] : undefined;
  if (version != null) return cands.find((c) => String(c.version) === String(version));
  const latest = cands.find((c) => c.latest_version != null)?.latest_version;
  return cands.find((c) => String(c.version) === String(latest)) ?? cands[cands.length - 1];
}
