import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Connection, StatementProfile } from '../contracts/adapter.js';
import type { ManifestNode } from '../contracts/manifest.js';
import type { Console } from '../console/console.js';

/**
 * `--query-profile`: where a build spends its time, per model and per operator. Each node's statements
 * run with the warehouse's own profiler on (DuckDB: `enable_profiling = 'json'`, what
 * `EXPLAIN ANALYZE` prints); `target/profile/<node>.json` keeps DuckDB's documents as written and
 * `<node>.txt` an indented operator tree with seconds and rows. At the end the slowest nodes'
 * heaviest operators are printed, so a slow mart points at its join or aggregate without opening
 * a file. Tests are not profiled one by one: fused tests share one query per relation.
 */
export class Profiler {
  private readonly done: { node: ManifestNode; seconds: number; statements: StatementProfile[] }[] = [];
  private warned = false;

  /** Files of nodes this run profiles are rewritten; others stay (a pipeline profiles step by step). */
  constructor(readonly dir: string, private readonly console: Console, private readonly top = 5) {}

  /** Runs one node's work with profiling on its connection, then writes that node's files. */
  async around<T>(node: ManifestNode, conn: Connection, fn: () => Promise<T>): Promise<T> {
    if (node.resource_type === 'test' || node.resource_type === 'unit_test') return fn();
    if (!conn.startProfiling || !conn.stopProfiling) {
      if (!this.warned) this.console.emit({ type: 'warn', msg: '--query-profile: this warehouse gives no per-operator profile to mflow; nothing is profiled' });
      this.warned = true;
      return fn();
    }
    await conn.startProfiling();
    const t0 = Date.now();
    try {
      return await fn();
    } finally {
      const statements = await conn.stopProfiling();
      const seconds = (Date.now() - t0) / 1000;
      this.done.push({ node, seconds, statements });
      this.write(node, seconds, statements);
    }
  }

  private write(node: ManifestNode, seconds: number, statements: StatementProfile[]): void {
    mkdirSync(this.dir, { recursive: true });
    const base = join(this.dir, fileName(node));
    writeFileSync(`${base}.json`, JSON.stringify({ unique_id: node.unique_id, generated_at: new Date().toISOString(), seconds, statements }, null, 2));
    const lines = [`${node.unique_id}: ${seconds.toFixed(3)} s in ${statements.length} profiled statement(s)`, ''];
    for (const s of statements) {
      lines.push(`-- ${s.latency.toFixed(3)} s: ${oneLine(s.sql, 160)}`);
      lines.push(...tree(s.profile).map((o) => `${'  '.repeat(o.depth)}${o.name}  ${o.seconds.toFixed(3)} s  ${o.rows.toLocaleString('en-US')} rows${o.info ? `  ${o.info}` : ''}`));
      lines.push('');
    }
    writeFileSync(`${base}.txt`, lines.join('\n'));
  }

  /** Printed at the end of the run: the slowest nodes and their heaviest operators. */
  summary(): void {
    if (this.done.length === 0) return;
    const slow = [...this.done].sort((a, b) => b.seconds - a.seconds).slice(0, this.top);
    this.console.emit({ type: 'info', msg: `Profiles of ${this.done.length} node(s) in ${this.dir}; the slowest:` });
    for (const d of slow) {
      const ops = d.statements.flatMap((s) => tree(s.profile));
      const total = ops.reduce((a, o) => a + o.seconds, 0);
      const heavy = [...ops].sort((a, b) => b.seconds - a.seconds).slice(0, 3);
      const what = heavy.map((o) => `${o.name}${o.info ? ` [${oneLine(o.info, 60)}]` : ''} ${o.seconds.toFixed(2)} s (${total > 0 ? Math.round((100 * o.seconds) / total) : 0} %), ${o.rows.toLocaleString('en-US')} rows`);
      this.console.emit({ type: 'info', msg: `  ${d.node.name} ${d.seconds.toFixed(2)} s: ${what.join('; ') || 'no operator profile'}` });
    }
  }
}

export interface ProfiledOperator {
  depth: number;
  name: string;
  /** Operator time as DuckDB sums it over its threads. */
  seconds: number;
  rows: number;
  info: string;
}

/** DuckDB's JSON profile as a flat list of operators, depth first. */
export function tree(profile: Record<string, unknown>): ProfiledOperator[] {
  const out: ProfiledOperator[] = [];
  const walk = (n: Record<string, unknown>, depth: number) => {
    for (const c of (n.children as Record<string, unknown>[] | undefined) ?? []) {
      out.push({ depth, name: String(c.operator_name ?? c.operator_type ?? '?').trim(), seconds: Number(c.operator_timing ?? 0), rows: Number(c.operator_cardinality ?? 0), info: describeInfo(c.extra_info) });
      walk(c, depth + 1);
    }
  };
  walk(profile, 0);
  return out;
}

/** The parts of an operator's `extra_info` that say what it works on (table, join, groups). */
function describeInfo(info: unknown): string {
  if (!info || typeof info !== 'object') return '';
  const i = info as Record<string, unknown>;
  const pick = ['Table', 'Function', 'Join Type', 'Conditions', 'Groups', 'Aggregates', 'Filters'];
  return pick
    .filter((k) => i[k] !== undefined && i[k] !== '')
    .map((k) => `${k}: ${oneLine(Array.isArray(i[k]) ? (i[k] as unknown[]).join(', ') : String(i[k]), 80)}`)
    .join('; ');
}

function oneLine(s: string, max: number): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

function fileName(node: ManifestNode): string {
  const v = (node as ManifestNode & { version?: unknown }).version;
  return `${node.name}${v !== undefined && v !== null ? `_v${v}` : ''}`.replace(/[^A-Za-z0-9_.-]/g, '_');
}
