/** How the outcomes of dbt-core and mflow on one project are compared (the verdict of packages.test.ts). */
import { passed, type ToolRun } from './integration.js';

export interface Comparison {
  dbtPassed: string[];
  dbtFailed: { key: string; status: string; message: string | null }[];
  missing: { key: string; status: string; message: string | null }[];
  explainedMissing: string[];
  /** Tests whose verdict differs over data drawn by random(): each tool draws its own rows. */
  randomMissing: string[];
  explainedButPassing: string[];
}

/**
 * Keys of the nodes that read, directly or through their parents, a model whose compiled SQL
 * calls rand() or random() (dbt_expectations' timeseries_data does, through its rand() macro): both tools build those rows from
 * their own draw, so a data test over them can pass on one and warn on the other.
 */
export function randomDescendants(run: ToolRun): Set<string> {
  const idToKey = new Map([...run.nodes].map(([key, n]) => [n.unique_id, key]));
  const memo = new Map<string, boolean>();
  const visit = (key: string): boolean => {
    const known = memo.get(key);
    if (known !== undefined) return known;
    memo.set(key, false);
    const n = run.nodes.get(key);
    const own = /\b(rand|random)\s*\(\s*\)/i.test(n?.compiled ?? '');
    const r = own || (n?.depends_on ?? []).some((id) => { const k = idToKey.get(id); return k !== undefined && visit(k); });
    memo.set(key, r);
    return r;
  };
  return new Set([...run.nodes.keys()].filter(visit));
}

/** Nodes dbt passes that mflow does not; a node skipped only because an explained one failed is explained too. */
export function compareRuns(dbt: ToolRun, mflow: ToolRun, explained: Record<string, string>): Comparison {
  const dbtPassed = [...dbt.outcomes.values()].filter((o) => passed(o.status)).map((o) => o.key).sort();
  const dbtFailed = [...dbt.outcomes.values()].filter((o) => !passed(o.status)).map((o) => ({ key: o.key, status: o.status, message: o.message }));
  const explainedNow = new Set(Object.keys(explained));
  const isExplained = (key: string, seen = new Set<string>()): boolean => {
    if (explainedNow.has(key)) return true;
    const o = mflow.outcomes.get(key);
    if (!o || o.status !== 'skipped' || seen.has(key)) return false;
    seen.add(key);
    return o.parents.some((p) => isExplained(p, seen));
  };
  const missing: Comparison['missing'] = [];
  const explainedMissing: string[] = [];
  const randomMissing: string[] = [];
  const random = randomDescendants(dbt);
  for (const key of dbtPassed) {
    const m = mflow.outcomes.get(key);
    if (passed(m?.status)) continue;
    if (isExplained(key)) explainedMissing.push(key);
    // Only a verdict (warn/fail) over random rows, never an error: the test itself ran on mflow.
    else if (random.has(key) && key.startsWith('test:') && (m?.status === 'warn' || m?.status === 'fail')) randomMissing.push(key);
    else missing.push({ key, status: m?.status ?? 'absent', message: m?.message ?? null });
  }
  const explainedButPassing = Object.keys(explained).filter((k) => passed(mflow.outcomes.get(k)?.status));
  return { dbtPassed, dbtFailed, missing, explainedMissing, randomMissing, explainedButPassing };
}
