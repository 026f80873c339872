import type { Manifest } from '../contracts/manifest.js';
import type { NodeStatus, RunResults } from '../contracts/results.js';
import { closest } from '../errors.js';
import { fnmatch, fnmatchRegExp, hasGlob, pathGlobRegExp } from './glob.js';
import type { IndexEntry, NodeIndex } from './node-index.js';
import { selectorError } from './selector-parse.js';
import type { SelectionCriteria } from './selector-spec.js';
import { STATE_CHECKS, StateComparator, type StateCheck } from './state.js';

export interface MethodContext {
  index: NodeIndex;
  /** The `--state` manifest, for `state:`. */
  state?: Manifest;
  /** A previous run's results, for `result:`. */
  results?: RunResults;
  comparator?: StateComparator;
}

const RESOURCE_TYPES = ['model', 'seed', 'snapshot', 'test', 'source', 'unit_test', 'analysis', 'operation', 'exposure', 'metric', 'semantic_model', 'saved_query'];
const ACCESS_VALUES = ['private', 'protected', 'public'];
const TEST_TYPES = ['generic', 'singular', 'unit', 'data', 'schema'];
const RESULT_STATUSES: NodeStatus[] = ['success', 'error', 'skipped', 'pass', 'fail', 'warn', 'runtime error'];
const VERSION_VALUES = ['latest', 'prerelease', 'old', 'none'];

/** The enabled nodes a single `method:value` term matches, before graph operators. */
export function searchMethod(c: SelectionCriteria, ctx: MethodContext): Set<string> {
  const ix = ctx.index;
  const v = c.value;
  switch (c.method) {
    case 'fqn': {
      const byName = searchFqn(ix, v);
      // dbt treats a bare value that exists on disk as a path (`-s models`); our "disk" is the manifest's files.
      if (c.implicitMethod && !hasGlob(v) && (ix.byDir.has(v) || ix.byFile.has(v))) return union(byName, searchPath(ix, v));
      return byName;
    }
    case 'unique_id':
      if (v === '*') return new Set(ix.enabled);
      return hasGlob(v) ? filterIds(ix.enabled, (id) => fnmatch(id, v)) : new Set(ix.isEnabled(v) ? [v] : []);
    case 'tag':
      return fromKeys(ix.byTag, v);
    case 'package':
      return fromKeys(ix.byPackage, v);
    case 'group':
      return filterEntries(ix, ix.enabled, (e) => e.config.group === v);
    case 'source':
      return searchSource(ix, c);
    case 'path':
      return searchPath(ix, v);
    case 'file':
      return union(fromKeys(ix.byBaseName, v), fromKeys(ix.byStem, v));
    case 'config':
      return searchConfig(ix, c.methodArgs, v);
    case 'resource_type':
      if (!RESOURCE_TYPES.includes(v)) throw badValue(c, RESOURCE_TYPES);
      return new Set(ix.byType.get(v) ?? []);
    case 'test_type':
      return searchTestType(ix, c);
    case 'test_name':
      return fromKeys(ix.byTestName, v);
    case 'state':
      return searchState(ctx, c);
    case 'result':
      return searchResult(ctx, c);
    case 'version':
      return searchVersion(ix, c);
    case 'exposure':
    case 'metric':
    case 'semantic_model':
    case 'saved_query':
      // `exposure:weekly_report`, `metric:rev*` (by name; `package.name` also matches).
      return filterEntries(ix, ix.byType.get(c.method) ?? [], (e) => fnmatch(e.name, v) || fnmatch(`${e.packageName}.${e.name}`, v));
    case 'access':
      if (!ACCESS_VALUES.includes(v)) throw badValue(c, ACCESS_VALUES);
      return filterEntries(ix, ix.byType.get('model') ?? [], (e) => ((e.raw as { access?: string }).access ?? e.config.access ?? 'protected') === v);
  }
}

/**
 * dbt's fqn matching: the value equals the node name, or is a dot-separated prefix of the fqn with
 * or without the package (`mediflow.staging`, `staging.stg_claims`); a wildcard part globs the rest.
 * Beyond dbt, a dot-free wildcard (`stg_*`) is also matched against the node name alone, which is
 * what users mean by it.
 */
function searchFqn(ix: NodeIndex, v: string): Set<string> {
  const parts = v.split('.');
  const slurp = parts.findIndex((p) => hasGlob(p));
  if (slurp === -1) return union(ix.byLeaf.get(v) ?? [], ix.byFqnPrefix.get(v) ?? []);
  const candidates = slurp === 0 ? ix.fqnNodes : (ix.byFqnPrefix.get(parts.slice(0, slurp).join('.')) ?? []);
  const leafRe = !v.includes('.') ? fnmatchRegExp(v) : undefined;
  const restRe = fnmatchRegExp(parts.slice(slurp).join('.'));
  const out = new Set<string>();
  for (const id of candidates) {
    const e = ix.get(id)!;
    if (isSelectedNode(e.flatFqn, 0, parts, slurp, restRe) || isSelectedNode(e.flatFqn, e.packageParts, parts, slurp, restRe) || (leafRe && leafRe.test(e.name))) out.add(id);
  }
  return out;
}

/** dbt's is_selected_node on flat[from..]: literal parts up to the first wildcard, then a glob of the rest. */
function isSelectedNode(flat: string[], from: number, parts: string[], slurp: number, restRe: RegExp): boolean {
  if (flat.length - from < parts.length || flat.length === from) return false;
  for (let i = 0; i < slurp; i++) if (flat[from + i] !== parts[i]) return false;
  return restRe.test(flat.slice(from + slurp).join('.'));
}

/** `source:raw`, `source:raw.beneficiary`, `source:mediflow.raw.beneficiary`, with wildcards. */
function searchSource(ix: NodeIndex, c: SelectionCriteria): Set<string> {
  const parts = c.value.split('.');
  let pkg = '*';
  let src: string;
  let table = '*';
  if (parts.length === 1) [src] = parts;
  else if (parts.length === 2) [src, table] = parts;
  else if (parts.length === 3) [pkg, src, table] = parts;
  else throw selectorError(`Invalid source selector "${c.raw}"`, c, 'Write source:<source_name>, source:<source_name>.<table> or source:<package>.<source_name>.<table>.');
  return filterEntries(ix, ix.sources, (e) => fnmatch(e.packageName, pkg) && fnmatch(e.sourceName ?? '', src) && fnmatch(e.name, table));
}

/**
 * Paths are relative to the project root: a file selects its node(s), a folder everything under
 * it, a properties file the nodes it patches; globs follow pathlib (`models/*` / `models/**`).
 */
function searchPath(ix: NodeIndex, value: string): Set<string> {
  const v = value.replace(/\\/g, '/').replace(/^\.\//, '').replace(/\/+$/, '');
  if (v === '' || v === '.') return new Set(ix.enabled);
  if (!hasGlob(v)) return union(ix.byFile.get(v) ?? [], ix.byDir.get(v) ?? []);
  const re = pathGlobRegExp(v);
  const out = new Set<string>();
  for (const map of [ix.byFile, ix.byDir]) for (const [k, ids] of map) if (re.test(k)) for (const id of ids) out.add(id);
  return out;
}

function searchConfig(ix: NodeIndex, keys: string[], value: string): Set<string> {
  const lower = value.toLowerCase();
  // Severity is written `warn`/`WARN` interchangeably; dbt compares it without case.
  const caseless = keys.length === 1 && keys[0] === 'severity';
  const eq = (x: unknown): boolean => {
    if (typeof x === 'string') return caseless ? x.toLowerCase() === lower : x === value;
    if (typeof x === 'boolean') return String(x) === lower;
    if (typeof x === 'number') return String(x) === value;
    return false;
  };
  return filterEntries(ix, ix.enabled, (e) => {
    let cur: unknown = e.config;
    for (const k of keys) {
      if (cur === null || typeof cur !== 'object' || !(k in (cur as object))) return false;
      cur = (cur as Record<string, unknown>)[k];
    }
    return Array.isArray(cur) ? cur.some(eq) : eq(cur);
  });
}

function searchTestType(ix: NodeIndex, c: SelectionCriteria): Set<string> {
  const v = c.value;
  if (!TEST_TYPES.includes(v)) throw badValue(c, TEST_TYPES);
  const tests = ix.byType.get('test') ?? [];
  const generic = (id: string) => Boolean((ix.get(id)!.raw as { test_metadata?: unknown }).test_metadata);
  switch (v) {
    case 'unit':
      return new Set(ix.byType.get('unit_test') ?? []);
    case 'generic':
    case 'schema':
      return new Set(tests.filter(generic));
    case 'singular':
      return new Set(tests.filter((id) => !generic(id)));
    default:
      // `data`: every data test (generic and singular), as opposed to unit tests.
      return new Set(tests);
  }
}

function searchState(ctx: MethodContext, c: SelectionCriteria): Set<string> {
  if (!ctx.state) {
    throw selectorError(`"${c.raw}" needs a previous manifest to compare with`, c, 'Pass --state <folder holding the manifest.json of the run to compare with> (e.g. the production target/ folder).');
  }
  if (!(STATE_CHECKS as readonly string[]).includes(c.value)) throw badValue(c, STATE_CHECKS);
  const cmp = (ctx.comparator ??= new StateComparator(ctx.index.manifest, ctx.state));
  return filterIds(ctx.index.enabled, (id) => cmp.matches(c.value as StateCheck, id));
}

function searchResult(ctx: MethodContext, c: SelectionCriteria): Set<string> {
  if (!ctx.results) {
    throw selectorError(`"${c.raw}" needs the results of a previous run`, c, 'Pass --state <folder holding the run_results.json of that run>.');
  }
  if (!(RESULT_STATUSES as string[]).includes(c.value)) throw badValue(c, RESULT_STATUSES);
  const ids = ctx.results.results.filter((r) => r.status === c.value).map((r) => r.unique_id);
  return filterIds(ids, (id) => ctx.index.isEnabled(id));
}

function searchVersion(ix: NodeIndex, c: SelectionCriteria): Set<string> {
  if (!VERSION_VALUES.includes(c.value)) throw badValue(c, VERSION_VALUES);
  const cmp = (a: string | number, b: string | number) => {
    const na = Number(a);
    const nb = Number(b);
    return Number.isNaN(na) || Number.isNaN(nb) ? String(a).localeCompare(String(b)) : na - nb;
  };
  return filterEntries(ix, ix.byType.get('model') ?? [], (e) => {
    const v = e.version;
    const latest = e.latestVersion;
    if (c.value === 'none') return v === null || v === undefined;
    if (v === null || v === undefined) return false;
    if (c.value === 'latest') return latest === null || latest === undefined ? false : cmp(v, latest) === 0;
    if (latest === null || latest === undefined) return false;
    return c.value === 'prerelease' ? cmp(v, latest) > 0 : cmp(v, latest) < 0;
  });
}

function badValue(c: SelectionCriteria, allowed: readonly string[]) {
  const guess = closest(c.value, allowed);
  return selectorError(
    `Invalid value "${c.value}" for selection method "${c.method}" in "${c.raw}"${guess ? `. Did you mean "${guess}"?` : ''}`,
    c,
    `Valid values: ${allowed.join(', ')}.`,
  );
}

/** Exact key: one lookup. Wildcard: a scan of the distinct keys (tags, packages...), not of nodes. */
function fromKeys(map: Map<string, string[]>, pattern: string): Set<string> {
  if (!hasGlob(pattern)) return new Set(map.get(pattern) ?? []);
  const re = fnmatchRegExp(pattern);
  const out = new Set<string>();
  for (const [k, ids] of map) if (re.test(k)) for (const id of ids) out.add(id);
  return out;
}

function filterIds(ids: Iterable<string>, keep: (id: string) => boolean): Set<string> {
  const out = new Set<string>();
  for (const id of ids) if (keep(id)) out.add(id);
  return out;
}

function filterEntries(ix: NodeIndex, ids: Iterable<string>, keep: (e: IndexEntry) => boolean): Set<string> {
  return filterIds(ids, (id) => keep(ix.get(id)!));
}

function union(a: Iterable<string>, b: Iterable<string>): Set<string> {
  const out = new Set(a);
  for (const x of b) out.add(x);
  return out;
}
