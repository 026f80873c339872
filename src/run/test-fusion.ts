/**
 * Data tests in one scan per relation.
 *
 * Every generic test (not_null, unique, accepted_values, relationships, expression tests, a
 * package's own) is a query over the model it is attached to. On a view over a large RAW table,
 * each such query re-reads and re-parses the whole source: six tests on stg_claims meant six full
 * scans. Here the tests of one relation that run in one invocation are answered by one query: the
 * relation is read once into a materialized CTE (only the columns the tests' SQL names), and each
 * test's own compiled SQL, pointed at that CTE, gives its failure count, warn and error flags in
 * one row. Results, log lines, severities and store_failures stay per test: each test node still
 * runs through its executor and takes its row from the shared answer.
 *
 * A test is fused only when fusing cannot change its answer: a generic test with the default
 * fail_calc, no limit, failures not stored, whose compiled SQL names the relation exactly as the
 * manifest spells it, on a warehouse with materialized CTEs. If the fused query fails, every test
 * of the group runs alone, so an error is reported on the test that caused it.
 *
 * Off with `--no-fuse-tests` (or MFLOW_FUSE_TESTS=0), to compare.
 */
import type { Connection } from '../contracts/adapter.js';
import type { ManifestNode } from '../contracts/manifest.js';
import { compileNode } from '../compile/compiler.js';
import type { ExecContext } from './executors.js';

export interface FusedAnswer {
  failures: number;
  shouldWarn: boolean;
  shouldError: boolean;
}

interface Group {
  relation: string;
  tests: ManifestNode[];
  answer?: Promise<Map<string, FusedAnswer> | null>;
}

const CTE = 'mflow_fused_relation';

/** The per-invocation registry of fusable test groups, built from the selection before anything runs. */
export class TestFusion {
  private byTest = new Map<string, Group>();
  private compiled = new Map<string, Promise<string>>();

  constructor(private ctx: ExecContext, selected: Iterable<string>) {
    const groups = new Map<string, Group>();
    for (const id of selected) {
      const n = ctx.session.manifest.nodes[id];
      const rel = n && fusable(n) ? attachedRelation(ctx, n) : null;
      if (!rel) continue;
      let g = groups.get(rel);
      if (!g) groups.set(rel, (g = { relation: rel, tests: [] }));
      g.tests.push(n);
    }
    for (const g of groups.values()) if (g.tests.length > 1) for (const t of g.tests) this.byTest.set(t.unique_id, g);
  }

  /** The test's compiled SQL, compiled once whether the group or the test asks first. */
  compile(node: ManifestNode): Promise<string> {
    let p = this.compiled.get(node.unique_id);
    if (!p) this.compiled.set(node.unique_id, (p = compileNode(this.ctx.compile, node)));
    return p;
  }

  /** The fused answer for this test, or null when it has to run alone. */
  async answer(node: ManifestNode, conn: Connection): Promise<FusedAnswer | null> {
    const g = this.byTest.get(node.unique_id);
    if (!g) return null;
    g.answer ??= this.run(g, conn);
    return (await g.answer)?.get(node.unique_id) ?? null;
  }

  private async run(g: Group, conn: Connection): Promise<Map<string, FusedAnswer> | null> {
    const parts: { id: string; sql: string; warnIf: string; errorIf: string }[] = [];
    const sqls: string[] = [];
    for (const t of g.tests) {
      let sql: string;
      try {
        sql = await this.compile(t);
      } catch {
        continue; // its own executor reports the compile error
      }
      if (!sql.includes(g.relation)) continue;
      sqls.push(sql);
      const c = t.config as Record<string, unknown>;
      parts.push({ id: t.unique_id, sql: sql.split(g.relation).join(CTE), warnIf: String(c.warn_if ?? '!= 0'), errorIf: String(c.error_if ?? '!= 0') });
    }
    if (parts.length < 2) return null;
    const columns = await this.columnsNamed(g.relation, sqls);
    const projection = columns ? columns.map((c) => this.ctx.session.dialect.quote(c)).join(', ') : '*';
    const counts = parts.map((p, i) => `    (select count(*) from (\n${p.sql}\n) dbt_internal_test) as f${i}`).join(',\n');
    const flags = parts.map((p, i) => `f${i}, f${i} ${p.warnIf} as w${i}, f${i} ${p.errorIf} as e${i}`).join(',\n  ');
    const sql = `with ${CTE} as materialized (\n  select ${projection} from ${g.relation}\n),\nmflow_fused_counts as (\n  select\n${counts}\n)\nselect\n  ${flags}\nfrom mflow_fused_counts`;
    try {
      const r = await conn.execute(sql);
      const row = Object.fromEntries(Object.entries(r.rows[0] ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
      const out = new Map<string, FusedAnswer>();
      parts.forEach((p, i) => out.set(p.id, { failures: Number(row[`f${i}`] ?? 0), shouldWarn: truthy(row[`w${i}`]), shouldError: truthy(row[`e${i}`]) }));
      return out;
    } catch {
      return null;
    }
  }

  /**
   * The relation's columns that the tests' SQL names (whole words, any case), so the CTE holds
   * only those. Only row counts are read, and `select *` counts the same rows whatever the columns,
   * unless rows are compared whole (distinct, union, except, intersect, group by all, columns()):
   * then all columns (null), as when the columns are unknown.
   */
  private async columnsNamed(relation: string, sqls: string[]): Promise<string[] | null> {
    const text = sqls.join('\n');
    const star = /\*/.test(text.replace(/count\s*\(\s*\*\s*\)/gi, ''));
    if (star && /\b(distinct|union|except|intersect|exclude|replace|columns|pivot|unpivot)\b|group\s+by\s+all/i.test(text)) return null;
    let cols: string[];
    try {
      const r = await this.ctx.session.adapter!.acquire();
      try {
        cols = (await r.execute(`select * from ${relation} limit 0`)).columns.map((c) => c.name);
      } finally {
        this.ctx.session.adapter!.release(r);
      }
    } catch {
      return null;
    }
    const words = new Set((text.toLowerCase().match(/[a-z_][a-z0-9_$]*/g) ?? []));
    const named = cols.filter((c) => words.has(c.toLowerCase()));
    return named.length ? named : null;
  }
}

function fusable(n: ManifestNode): boolean {
  if (n.resource_type !== 'test' || !n.test_metadata) return false;
  const c = n.config as Record<string, unknown>;
  if (c.fail_calc !== undefined && c.fail_calc !== null && String(c.fail_calc).replace(/\s+/g, '').toLowerCase() !== 'count(*)') return false;
  if (c.limit !== undefined && c.limit !== null) return false;
  if (c.store_failures === true || (c.store_failures_as !== undefined && c.store_failures_as !== null && c.store_failures_as !== 'ephemeral')) return false;
  return true;
}

function attachedRelation(ctx: ExecContext, n: ManifestNode): string | null {
  if (!ctx.session.dialect.capabilities.supportsMaterializedCte) return null;
  const m = ctx.session.manifest;
  const id = n.attached_node ?? (n.depends_on.nodes.length === 1 ? n.depends_on.nodes[0] : null);
  if (!id) return null;
  const parent = m.nodes[id] ?? m.sources[id];
  return parent?.relation_name ?? null;
}

const truthy = (v: unknown) => v === true || v === 1 || v === 'true' || (typeof v === 'bigint' && v !== 0n);
