import type { ManifestNode, RefCall } from '../contracts/manifest.js';
import { MflowError, closest } from '../errors.js';

/**
 * Groups and model access, as dbt enforces them while parsing: a model's `group` must be declared
 * under `groups:`, `access` is private, protected (the default) or public, an ephemeral model
 * cannot be public, and a private model may only be ref'd from its own group. A package (or the
 * root project) with `restrict-access: true` in its project file also keeps its protected models,
 * and its private ones, to itself: a ref from another package is an error (dbt-core's
 * is_invalid_protected_ref / is_invalid_private_ref).
 */
export const ACCESS_TYPES = ['private', 'protected', 'public'] as const;

export interface GroupInfo {
  name: string;
  file: string;
  line: number;
}

export function checkAccess(
  nodes: Record<string, ManifestNode>,
  groups: Map<string, GroupInfo>,
  resolve: (r: RefCall, from: ManifestNode) => ManifestNode | undefined,
  errors: MflowError[],
  restrictAccess: Map<string, boolean> = new Map(),
): void {
  for (const n of Object.values(nodes)) {
    if (n.resource_type === 'model') {
      const access = n.config.access ?? 'protected';
      const where = { file: n.patch_path ?? n.original_file_path, line: n.declared_at?.line, node: n.unique_id };
      if (!ACCESS_TYPES.includes(access as never)) {
        errors.push(new MflowError('CONFIG', `Node ${n.unique_id} has an invalid value (${String(access)}) for the access field`, { ...where, hint: 'Use private, protected or public.' }));
      } else if (access === 'public' && n.config.materialized === 'ephemeral') {
        errors.push(new MflowError('CONFIG', `Node ${n.unique_id} with 'ephemeral' materialization has an invalid value (public) for the access field`, { ...where, hint: 'Ephemeral models cannot be public: make it protected, or materialize it.' }));
      }
      n.access = ACCESS_TYPES.includes(access as never) ? (access as ManifestNode['access']) : 'protected';
    }
    const group = n.config.group as string | null | undefined;
    if (group !== undefined && group !== null) {
      n.group = String(group);
      if (!groups.has(String(group))) {
        const s = closest(String(group), groups.keys());
        errors.push(
          new MflowError('CONFIG', `Invalid group '${String(group)}', expected one of [${[...groups.keys()].sort().map((g) => `'${g}'`).join(', ')}]`, {
            file: n.patch_path ?? n.original_file_path,
            line: n.declared_at?.line,
            node: n.unique_id,
            hint: s ? `Did you mean '${s}'?` : "Declare it in a properties file: groups: [{name: ..., owner: {name: ...}}].",
          }),
        );
      }
    } else if (n.resource_type === 'model' || n.resource_type === 'seed' || n.resource_type === 'snapshot') n.group = null;
  }
  for (const n of Object.values(nodes)) {
    for (const r of n.refs) {
      const t = resolve(r, n);
      if (!t || t.resource_type !== 'model') continue;
      const restricted = n.package_name !== t.package_name && restrictAccess.get(t.package_name) === true;
      if (t.access === 'protected' && restricted) {
        errors.push(
          new MflowError('UNKNOWN_REF', `Node ${n.unique_id} attempted to reference node ${t.unique_id}, which is not allowed because the referenced node is protected to the '${t.package_name}' package.`, {
            file: n.original_file_path,
            line: refLine(n.raw_code, r.name),
            node: n.unique_id,
            hint: `${t.package_name} sets restrict-access: true, so only its public models can be ref'd from other packages: ask for ${t.name} to be made public (access: public), or do not ref it.`,
          }),
        );
        continue;
      }
      if (t.access !== 'private') continue;
      if (n.group && n.group === t.group && !restricted) continue;
      errors.push(
        new MflowError('UNKNOWN_REF', `Node ${n.unique_id} attempted to reference node ${t.unique_id}, which is not allowed because the referenced node is private to the '${t.group}' group.`, {
          file: n.original_file_path,
          line: refLine(n.raw_code, r.name),
          node: n.unique_id,
          hint: `Put ${n.name} in the '${t.group}' group (config(group='${t.group}')), or make ${t.name} protected or public.`,
        }),
      );
    }
  }
}

function refLine(code: string, name: string): number | undefined {
  const m = new RegExp(`ref\\(\\s*['"]${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}['"]`).exec(code);
  const i = m ? m.index : code.indexOf(name);
  return i < 0 ? undefined : code.slice(0, i).split('\n').length;
}
