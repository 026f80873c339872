import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Manifest, ManifestNode } from '../contracts/manifest.js';
import { MflowError, MflowErrors, closest } from '../errors.js';

/** A snapshot's configuration, checked and with dbt's defaults filled in. */
export interface SnapshotConfig {
  strategy: 'timestamp' | 'check';
  uniqueKey: string[];
  updatedAt: string | null;
  checkCols: 'all' | string[];
  hardDeletes: 'ignore' | 'invalidate' | 'new_record';
  names: { dbt_valid_from: string; dbt_valid_to: string; dbt_scd_id: string; dbt_updated_at: string; dbt_is_deleted: string };
  /** SQL for dbt_valid_to of current rows (dbt_valid_to_current), null: NULL. */
  validToCurrent: string | null;
}

const HARD_DELETES = ['ignore', 'invalidate', 'new_record'];
const META = ['dbt_valid_from', 'dbt_valid_to', 'dbt_scd_id', 'dbt_updated_at', 'dbt_is_deleted'] as const;

const list = (v: unknown): string[] => (v === undefined || v === null || v === '' ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);

/** Line of the snapshot's definition: its `{% snapshot %}` tag or its `- name:` entry in YAML. */
export function snapshotLine(node: ManifestNode, root?: string): number | undefined {
  if (!root) return undefined;
  const f = join(root, node.original_file_path);
  if (!existsSync(f)) return undefined;
  const lines = readFileSync(f, 'utf8').split('\n');
  const name = node.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const re = /\.ya?ml$/.test(f) ? new RegExp(`^\\s*-?\\s*name:\\s*['"]?${name}['"]?\\s*$`) : new RegExp(`\\{%-?\\s*snapshot\\s+${name}\\b`);
  const i = lines.findIndex((l) => re.test(l));
  return i < 0 ? undefined : i + 1;
}

/** Reads and checks the config; every problem is collected, with where to fix it. */
export function checkSnapshot(node: ManifestNode, root?: string): { config: SnapshotConfig | null; errors: MflowError[] } {
  const c = node.config as Record<string, unknown>;
  const errors: MflowError[] = [];
  const where = { file: node.original_file_path, line: snapshotLine(node, root), node: node.unique_id };
  const err = (msg: string, hint: string) => errors.push(new MflowError('CONFIG', `Snapshot '${node.name}' ${msg}`, { ...where, hint }));
  const uniqueKey = list(c.unique_key);
  if (uniqueKey.length === 0) err('has no unique_key', "Set unique_key to the column (or list of columns) that identifies a row, e.g. unique_key: id.");
  const strategy = c.strategy === undefined || c.strategy === null ? '' : String(c.strategy);
  if (!strategy) err('has no strategy', "Set strategy: timestamp (with updated_at) or strategy: check (with check_cols).");
  else if (strategy !== 'timestamp' && strategy !== 'check') {
    const s = closest(strategy, ['timestamp', 'check']);
    err(`has strategy '${strategy}', which is not timestamp or check`, s ? `Did you mean '${s}'?` : 'Use timestamp or check.');
  }
  const updatedAt = c.updated_at === undefined || c.updated_at === null ? null : String(c.updated_at);
  if (strategy === 'timestamp' && !updatedAt) err('uses the timestamp strategy but has no updated_at', 'Set updated_at to the column that records when a row last changed.');
  let checkCols: 'all' | string[] = 'all';
  if (strategy === 'check') {
    if (c.check_cols === 'all') checkCols = 'all';
    else if (list(c.check_cols).length) checkCols = list(c.check_cols);
    else err('uses the check strategy but has no check_cols', "Set check_cols: all, or a list of the columns to compare.");
  }
  let hardDeletes = c.hard_deletes === undefined || c.hard_deletes === null ? (c.invalidate_hard_deletes === true ? 'invalidate' : 'ignore') : String(c.hard_deletes);
  if (!HARD_DELETES.includes(hardDeletes)) {
    err(`has hard_deletes '${hardDeletes}'`, 'Use ignore, invalidate or new_record.');
    hardDeletes = 'ignore';
  }
  const custom = (c.snapshot_meta_column_names as Record<string, unknown> | undefined) ?? {};
  for (const k of Object.keys(custom)) if (!(META as readonly string[]).includes(k)) err(`has snapshot_meta_column_names key '${k}'`, `The keys are ${META.join(', ')}.`);
  const names = Object.fromEntries(META.map((k) => [k, custom[k] ? String(custom[k]) : k])) as SnapshotConfig['names'];
  const config = errors.length
    ? null
    : { strategy: strategy as SnapshotConfig['strategy'], uniqueKey, updatedAt, checkCols, hardDeletes: hardDeletes as SnapshotConfig['hardDeletes'], names, validToCurrent: c.dbt_valid_to_current ? String(c.dbt_valid_to_current) : null };
  return { config, errors };
}

/** Every snapshot's config problems, found before anything runs (parse-time checks, as dbt). */
export function validateSnapshots(manifest: Manifest, root?: string): MflowError[] {
  return Object.values(manifest.nodes)
    .filter((n) => n.resource_type === 'snapshot')
    .sort((a, b) => a.unique_id.localeCompare(b.unique_id))
    .flatMap((n) => checkSnapshot(n, root).errors);
}

export function assertSnapshotsValid(manifest: Manifest, root?: string): void {
  const errors = validateSnapshots(manifest, root);
  if (errors.length) throw new MflowErrors(errors);
}
