import type { NodeConfig, ResourceType } from '../contracts/manifest.js';
import { closest } from '../errors.js';
import { NODE_CONFIG_KEYS, NODE_CONFIG_KEY_SET } from '../project/config-keys.js';
import type { ProjectConfig, Warning } from '../project/types.js';

/** Keys whose values add up across levels instead of replacing each other. */
const ADDITIVE = new Set(['tags', 'pre_hook', 'post_hook']);
const MERGED = new Set(['meta', 'column_types', 'grants', 'docs', 'persist_docs', 'snapshot_meta_column_names']);

export function normalizeKey(k: string): string {
  return k === 'pre-hook' ? 'pre_hook' : k === 'post-hook' ? 'post_hook' : k;
}

export function defaultConfig(type: ResourceType): NodeConfig {
  const materialized = type === 'model' ? 'view' : type === 'seed' ? 'seed' : type === 'snapshot' ? 'snapshot' : type === 'test' || type === 'unit_test' ? 'test' : 'view';
  const c: NodeConfig = { enabled: true, materialized, tags: [], meta: {}, pre_hook: [], post_hook: [] };
  if (type === 'test') Object.assign(c, { severity: 'ERROR', fail_calc: 'count(*)', warn_if: '!= 0', error_if: '!= 0', store_failures: null, store_failures_as: null, where: null, limit: null });
  if (type === 'seed') Object.assign(c, { quote_columns: null, column_types: {}, delimiter: ',' });
  return c;
}

const asList = (v: unknown): unknown[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);

/** Applies `update` over `base` with dbt's rules: tags and hooks add up, meta merges, the rest overrides. */
export function mergeConfig(base: NodeConfig, update: Record<string, unknown>): NodeConfig {
  const out = { ...base } as Record<string, unknown>;
  for (const [rk, v] of Object.entries(update)) {
    const k = normalizeKey(rk);
    if (ADDITIVE.has(k)) out[k] = [...new Set([...asList(out[k]), ...asList(v)].map((x) => (k === 'tags' ? String(x) : x)))];
    else if (MERGED.has(k) && v && typeof v === 'object' && !Array.isArray(v)) out[k] = { ...((out[k] as object) ?? {}), ...(v as object) };
    else out[k] = v;
  }
  return out as NodeConfig;
}

/**
 * project.yml's per-folder configs: `models: { mediflow: { staging: { +materialized: view } } }`.
 * At each level a `+key` is a config, a known config key without `+` is a config too (dbt's older
 * form), anything else must be a folder or a node name.
 */
export class FolderConfigs {
  private warned = new Set<string>();
  constructor(
    private readonly project: ProjectConfig,
    private readonly section: 'models' | 'seeds' | 'snapshots' | 'tests' | 'sources',
    private readonly knownSegments: Set<string>,
    private readonly warnings: Warning[],
    /** Renders a Jinja config value (`+materialized: "{{ 'table' if target.name == 'ci' else 'view' }}"`), as dbt renders project configs; hooks stay unrendered until they run. */
    private readonly render?: (text: string, where: string) => unknown,
  ) {}

  /** Config collected at each level already seen, by path: 10,000 models share a few folders. */
  private readonly atPath = new Map<string, NodeConfig>();

  /** Config collected along `fqn` (project name, folders..., node name). Callers must not change it. */
  resolve(fqn: string[]): Record<string, unknown> {
    let level = this.project[this.section] as Record<string, unknown> | undefined;
    const path: string[] = [this.section];
    let key = this.section;
    let acc = this.atPath.get(key);
    if (!acc) this.atPath.set(key, (acc = mergeConfig({} as NodeConfig, this.configsAt(level, path))));
    for (const seg of fqn) {
      if (!level || typeof level !== 'object') break;
      const next = level[seg];
      if (next === undefined || next === null || typeof next !== 'object' || Array.isArray(next)) {
        // A node name can also carry configs directly: `my_model: { +materialized: table }`.
        break;
      }
      path.push(seg);
      key += `\0${seg}`;
      level = next as Record<string, unknown>;
      const below = this.atPath.get(key);
      if (below) acc = below;
      else this.atPath.set(key, (acc = mergeConfig(acc, this.configsAt(level, path))));
    }
    return acc as Record<string, unknown>;
  }

  private configsAt(level: Record<string, unknown> | undefined, path: string[]): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    if (!level) return out;
    for (const [k, v] of Object.entries(level)) {
      if (k.startsWith('+')) {
        const key = normalizeKey(k.slice(1));
        if (!NODE_CONFIG_KEY_SET.has(key)) this.warnKey(k, path, true);
        out[key] = this.rendered(key, v, path);
      } else if (NODE_CONFIG_KEY_SET.has(normalizeKey(k)) && !(v && typeof v === 'object' && !Array.isArray(v) && this.knownSegments.has(k))) {
        out[normalizeKey(k)] = this.rendered(normalizeKey(k), v, path);
      } else if (!(v && typeof v === 'object' && !Array.isArray(v)) || !this.knownSegments.has(k)) {
        if (!this.knownSegments.has(k)) this.warnKey(k, path, false);
      }
    }
    return out;
  }

  private rendered(key: string, v: unknown, path: string[]): unknown {
    if (!this.render || typeof v !== 'string' || key === 'pre_hook' || key === 'post_hook' || !/\{\{|\{%/.test(v)) return v;
    const out = this.render(v, `${this.project.file}: ${[...path, key].join('.')}`);
    return out === 'True' ? true : out === 'False' ? false : out === 'None' ? null : out;
  }

  private warnKey(k: string, path: string[], plus: boolean): void {
    const id = [...path, k].join('.');
    if (this.warned.has(id)) return;
    this.warned.add(id);
    if (!firstReport(this.warnings, this.project.file, normalizeKey(k.replace(/^\+/, '')))) return;
    const bare = k.replace(/^\+/, '');
    const suggestion = closest(bare, plus ? NODE_CONFIG_KEYS : [...NODE_CONFIG_KEYS, ...this.knownSegments]);
    this.warnings.push({
      file: this.project.file,
      line: this.project.lineOf([...path, k]),
      message: plus
        ? `Unknown config key '${k}' at ${path.join('.')}${suggestion ? ` (did you mean '+${suggestion}'?)` : ''}; it is ignored`
        : `'${k}' at ${path.join('.')} is neither a config key nor a folder or node of this project${suggestion ? ` (did you mean '${suggestion}'?)` : ''}; it is ignored`,
    });
  }
}

/**
 * Unknown keys already reported, per warnings list: one warning per key and file (the first
 * place it appears), not one per model that a shared macro or properties file configures.
 */
const reported = new WeakMap<Warning[], Set<string>>();

export function firstReport(warnings: Warning[], file: string, key: string): boolean {
  let seen = reported.get(warnings);
  if (!seen) reported.set(warnings, (seen = new Set()));
  const id = `${file}\0${key}`;
  if (seen.has(id)) return false;
  seen.add(id);
  return true;
}

/** Checks keys of a `config:` block or `config()` call; returns warnings for unknown ones. */
export function checkConfigKeys(cfg: Record<string, unknown>, where: { file: string; line?: number }, warnings: Warning[]): void {
  for (const k of Object.keys(cfg)) {
    const key = normalizeKey(k);
    if (!NODE_CONFIG_KEY_SET.has(key) && firstReport(warnings, where.file, key)) {
      const s = closest(key, NODE_CONFIG_KEYS);
      warnings.push({ ...where, message: `Unknown config key '${k}'${s ? ` (did you mean '${s}'?)` : ''}; it is ignored` });
    }
  }
}
