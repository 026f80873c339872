import type { Manifest, ManifestNode, SourceTable } from '../contracts/manifest.js';
import { dbtUnitTest } from '../artifacts/dbt-shape.js';

/**
 * `state:` selection: compare the current manifest with the one from a previous run (`--state`),
 * as dbt does, so CI builds only what a change touches (`state:modified+`).
 */
export const STATE_CHECKS = [
  'new',
  'old',
  'modified',
  'unmodified',
  'modified.body',
  'modified.configs',
  'modified.relation',
  'modified.persisted_descriptions',
  'modified.macros',
  'modified.contract',
] as const;

export type StateCheck = (typeof STATE_CHECKS)[number];

type Resource = ManifestNode | SourceTable | Record<string, unknown>;

const without = (o: Record<string, unknown>) => {
  const { created_at: _c, ...rest } = o;
  return rest;
};

export class StateComparator {
  private modifiedMacros?: Set<string>;

  constructor(
    readonly current: Manifest,
    readonly previous: Manifest,
  ) {}

  previousOf(id: string): Resource | undefined {
    const p = this.previous;
    return p.nodes[id] ?? p.sources[id] ?? (p.unit_tests?.[id] as Resource | undefined);
  }

  currentOf(id: string): Resource | undefined {
    const c = this.current;
    return c.nodes[id] ?? c.sources[id] ?? (c.unit_tests?.[id] as Resource | undefined);
  }

  /** Does node `id` satisfy `state:<check>`? */
  matches(check: StateCheck, id: string): boolean {
    const cur = this.currentOf(id);
    if (!cur) return false;
    // A manifest.json on disk holds unit tests in dbt's `unit_tests` shape only: compare in that shape.
    const filed = this.previous.unit_tests?.[id] as Record<string, unknown> | undefined;
    if (filed?.resource_type === 'unit_test' && !this.previous.nodes[id] && this.current.nodes[id]) {
      const now = dbtUnitTest(this.current.nodes[id], (this.current.unit_tests[id] as Record<string, unknown>) ?? {});
      const same = stable(JSON.parse(JSON.stringify(without(now)))) === stable(without(filed));
      if (check === 'new') return false;
      if (check === 'old') return true;
      return check === 'unmodified' ? same : !same;
    }
    const old = this.previousOf(id);
    switch (check) {
      case 'new':
        return old === undefined;
      case 'old':
        return old !== undefined;
      case 'modified':
        return old === undefined || !this.sameContents(old, cur) || this.macrosModified(cur);
      case 'unmodified':
        return old !== undefined && this.sameContents(old, cur) && !this.macrosModified(cur);
      case 'modified.body':
        return isSource(cur) ? false : old === undefined || !sameBody(old, cur);
      case 'modified.configs':
        return old === undefined || !sameConfig(old, cur);
      case 'modified.relation':
        return old === undefined || !sameRelation(old, cur);
      case 'modified.persisted_descriptions':
        return isSource(cur) ? false : old === undefined || !samePersistedDescription(old, cur);
      case 'modified.macros':
        return this.macrosModified(cur);
      case 'modified.contract':
        return isSource(cur) ? false : old === undefined || !sameContract(old, cur);
    }
  }

  private sameContents(old: Resource, cur: Resource): boolean {
    if (isSource(cur)) return stable(sourceShape(old)) === stable(sourceShape(cur));
    return (
      sameBody(old, cur) &&
      sameConfig(old, cur) &&
      samePersistedDescription(old, cur) &&
      stable(get(old, 'fqn')) === stable(get(cur, 'fqn')) &&
      sameRelation(old, cur) &&
      sameContract(old, cur)
    );
  }

  /** A node is modified when any macro it calls, directly or through other macros, changed. */
  private macrosModified(cur: Resource): boolean {
    const deps = (get(cur, 'depends_on') as { macros?: string[] } | undefined)?.macros ?? [];
    if (deps.length === 0) return false;
    const changed = (this.modifiedMacros ??= this.computeModifiedMacros());
    return changed.size > 0 && deps.some((m) => changed.has(m));
  }

  private computeModifiedMacros(): Set<string> {
    const now = this.current.macros ?? {};
    const before = this.previous.macros ?? {};
    const direct = new Set<string>();
    for (const [id, m] of Object.entries(now)) if (!before[id] || before[id].macro_sql !== m.macro_sql) direct.add(id);
    for (const id of Object.keys(before)) if (!now[id]) direct.add(id);
    if (direct.size === 0) return direct;
    // Propagate through macro -> macro calls: memoised DFS, cycle-safe (in progress counts as no).
    const result = new Map<string, boolean>();
    const visit = (id: string): boolean => {
      const known = result.get(id);
      if (known !== undefined) return known;
      result.set(id, false);
      let hit = direct.has(id);
      if (!hit) for (const d of now[id]?.depends_on?.macros ?? []) if (visit(d)) { hit = true; break; }
      result.set(id, hit);
      return hit;
    };
    const out = new Set(direct);
    for (const id of Object.keys(now)) if (visit(id)) out.add(id);
    return out;
  }
}

function isSource(r: Resource): boolean {
  return get(r, 'resource_type') === 'source';
}

function get(r: Resource, key: string): unknown {
  return (r as Record<string, unknown>)[key];
}

function config(r: Resource): Record<string, unknown> {
  return (get(r, 'config') as Record<string, unknown> | undefined) ?? {};
}

function sameBody(old: Resource, cur: Resource): boolean {
  const a = (get(old, 'checksum') as { checksum?: string } | undefined)?.checksum;
  const b = (get(cur, 'checksum') as { checksum?: string } | undefined)?.checksum;
  if (a !== undefined && b !== undefined) return a === b;
  return get(old, 'raw_code') === get(cur, 'raw_code');
}

function sameConfig(old: Resource, cur: Resource): boolean {
  return stableCached(config(old)) === stableCached(config(cur));
}

/** Several checks compare the same config objects; serialise each once. */
const stableCache = new WeakMap<object, string>();
function stableCached(o: object): string {
  let s = stableCache.get(o);
  if (s === undefined) {
    s = stable(o);
    stableCache.set(o, s);
  }
  return s;
}

/**
 * Compares the configured database/schema/alias, not the rendered relation: a production manifest
 * and a dev build differ in target schema for every node, and that is not a change to deploy.
 */
function sameRelation(old: Resource, cur: Resource): boolean {
  const keys = isSource(cur) ? ['database', 'schema', 'identifier'] : [];
  for (const k of keys) if (get(old, k) !== get(cur, k)) return false;
  const co = config(old);
  const cc = config(cur);
  for (const k of ['database', 'schema', 'alias']) if ((co[k] ?? null) !== (cc[k] ?? null)) return false;
  return true;
}

/** Descriptions only count when they are written to the warehouse (`persist_docs`). */
function samePersistedDescription(old: Resource, cur: Resource): boolean {
  const pd = (config(cur).persist_docs ?? {}) as { relation?: boolean; columns?: boolean };
  if (pd.relation && get(old, 'description') !== get(cur, 'description')) return false;
  if (pd.columns) {
    const desc = (r: Resource) => {
      const cols = (get(r, 'columns') ?? {}) as Record<string, { description?: string }>;
      return stable(Object.fromEntries(Object.entries(cols).map(([k, c]) => [k, c.description ?? ''])));
    };
    if (desc(old) !== desc(cur)) return false;
  }
  return true;
}

/** With an enforced contract, a column's name or type is part of the public interface. */
function sameContract(old: Resource, cur: Resource): boolean {
  const enforced = (r: Resource) => Boolean((config(r).contract as { enforced?: boolean } | undefined)?.enforced);
  if (!enforced(old) && !enforced(cur)) return true;
  if (enforced(old) !== enforced(cur)) return false;
  const shape = (r: Resource) => {
    const cols = (get(r, 'columns') ?? {}) as Record<string, { data_type?: string | null }>;
    return stable(Object.fromEntries(Object.entries(cols).map(([k, c]) => [k, (c.data_type ?? '').toLowerCase()])));
  };
  return shape(old) === shape(cur);
}

function sourceShape(r: Resource): unknown {
  const keys = ['database', 'schema', 'identifier', 'fqn', 'config', 'quoting', 'freshness', 'external', 'loaded_at_field', 'loader'];
  return Object.fromEntries(keys.map((k) => [k, get(r, k) ?? null]));
}

/** JSON with sorted keys, so key order in either manifest never reads as a change. */
export function stable(v: unknown): string {
  if (v === undefined) return 'null';
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(stable).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${stable(o[k])}`)
    .join(',')}}`;
}
