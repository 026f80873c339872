import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ManifestNode } from '../contracts/manifest.js';
import { MflowError, closest } from '../errors.js';
import type { ProjectConfig } from '../project/types.js';

/**
 * Config types and values, checked once every node's config is merged and before anything runs:
 * a typo such as `materialized: tabel` or `enabled: "no"` is a located error at parse, not a
 * failure after the other models were built. Only keys mflow itself reads are checked; unknown
 * keys are warned about elsewhere.
 */
export const MATERIALIZATIONS = ['view', 'table', 'incremental', 'ephemeral'] as const;
const ON_SCHEMA_CHANGE = ['ignore', 'fail', 'append_new_columns', 'sync_all_columns'];
const SEVERITIES = ['error', 'warn'];

type Check = (v: unknown) => string | null;
const isStr: Check = (v) => (typeof v === 'string' ? null : 'a string');
const isBool: Check = (v) => (typeof v === 'boolean' ? null : 'true or false');
const isNum: Check = (v) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? null : 'a non-negative number');
const isMap: Check = (v) => (v && typeof v === 'object' && !Array.isArray(v) ? null : 'a mapping');
const strOrList: Check = (v) => (typeof v === 'string' || (Array.isArray(v) && v.every((x) => typeof x === 'string')) ? null : 'a string or a list of strings');
const hooks: Check = (v) => (typeof v === 'string' || (Array.isArray(v) && v.every((x) => typeof x === 'string' || (x && typeof x === 'object'))) ? null : 'a SQL string or a list of them');

const TYPES: Record<string, Check> = {
  enabled: isBool,
  full_refresh: isBool,
  quote_columns: isBool,
  store_failures: isBool,
  copy_grants: isBool,
  tags: strOrList,
  unique_key: strOrList,
  schema: isStr,
  alias: isStr,
  database: isStr,
  delimiter: isStr,
  warn_if: isStr,
  error_if: isStr,
  fail_calc: isStr,
  where: isStr,
  limit: isNum,
  meta: isMap,
  column_types: isMap,
  persist_docs: isMap,
  grants: isMap,
  pre_hook: hooks,
  post_hook: hooks,
};

const EXAMPLE: Record<string, string> = {
  'true or false': 'enabled: false',
  'a string': "schema: staging",
  'a non-negative number': 'limit: 100',
  'a mapping': 'meta: { owner: data-team }',
  'a string or a list of strings': 'tags: [nightly, finance]',
};

export function validateNodeConfigs(nodes: Iterable<ManifestNode>, project: ProjectConfig): MflowError[] {
  const errors: MflowError[] = [];
  const texts = new Map<string, string | null>();
  const textOf = (rel: string): string | null => {
    if (!texts.has(rel)) {
      const p = join(project.root, rel);
      texts.set(rel, existsSync(p) ? readFileSync(p, 'utf8') : null);
    }
    return texts.get(rel)!;
  };
  // Where the value was written: the node's own config() call, its properties file or project.yml.
  const locate = (n: ManifestNode, key: string, value: unknown): { file: string; line?: number } => {
    const needle = (typeof value === 'string' ? value : JSON.stringify(value)).toLowerCase();
    // A generic test lives in its properties file, from the line that declares it.
    const decl = n.resource_type === 'test' && n.declared_at ? n.declared_at : null;
    const files = [decl?.file, n.original_file_path, n.patch_path?.replace(/^\w+:\/\//, ''), project.file].filter((f): f is string => !!f);
    for (const f of files) {
      const text = f === n.original_file_path && n.resource_type !== 'seed' && !decl ? n.raw_code : textOf(f);
      if (!text) continue;
      const lines = text.split('\n');
      const from = decl && f === decl.file ? decl.line - 1 : 0;
      const at = lines.findIndex((l, i) => i >= from && new RegExp(`\\+?${key}\\b`).test(l) && l.toLowerCase().includes(needle));
      if (at >= 0) return { file: f, line: at + 1 };
    }
    return { file: decl?.file ?? n.original_file_path, line: n.declared_at?.line };
  };
  for (const n of nodes) {
    const c = n.config as Record<string, unknown>;
    const what = `${n.resource_type} '${n.name}'`;
    for (const [key, check] of Object.entries(TYPES)) {
      const v = c[key];
      if (v === undefined || v === null) continue;
      const want = check(v);
      if (want) {
        errors.push(new MflowError('CONFIG', `Config '${key}' of ${what} is ${JSON.stringify(v)}, which is not ${want}`, { ...locate(n, key, v), node: n.unique_id, hint: `Write it as ${want}, e.g. ${EXAMPLE[want] ?? `${key}: ...`}.` }));
      }
    }
    if (n.resource_type === 'model') {
      const m = c.materialized;
      if (typeof m !== 'string' || !(MATERIALIZATIONS as readonly string[]).includes(m)) {
        const s = typeof m === 'string' ? closest(m, MATERIALIZATIONS) : undefined;
        errors.push(new MflowError('CONFIG', `Unknown materialization '${String(m)}' for ${what}`, { ...locate(n, 'materialized', m), node: n.unique_id, hint: s ? `Did you mean '${s}'?` : `Use one of ${MATERIALIZATIONS.join(', ')}.` }));
      }
      const osc = c.on_schema_change;
      if (osc !== undefined && osc !== null && !ON_SCHEMA_CHANGE.includes(String(osc))) {
        const s = closest(String(osc), ON_SCHEMA_CHANGE);
        errors.push(new MflowError('CONFIG', `on_schema_change '${String(osc)}' of ${what} is not one of ${ON_SCHEMA_CHANGE.join(', ')}`, { ...locate(n, 'on_schema_change', osc), node: n.unique_id, hint: s ? `Did you mean '${s}'?` : undefined }));
      }
    }
    if (n.resource_type === 'test' && c.severity !== undefined && !SEVERITIES.includes(String(c.severity).toLowerCase())) {
      errors.push(new MflowError('CONFIG', `severity '${String(c.severity)}' of ${what} is not error or warn`, { ...locate(n, 'severity', c.severity), node: n.unique_id, hint: 'Use severity: error or severity: warn.' }));
    }
  }
  return errors;
}
