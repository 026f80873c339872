/**
 * The differential helper: one project through dbt-core and through mflow, compared node by
 * node: the set of nodes in the manifest, each node's compiled SQL (whitespace-normalised), and
 * the rows of every table or view both built. Differences mflow makes on purpose are recognised
 * by `ON_PURPOSE` and reported with their reason, never silently dropped.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import type { PythonEnv } from '../oracles/python-env.js';
import { randomDescendants } from './compare.js';
import { passed, runDbt, runMflow, type ToolRun } from './integration.js';

const exec = promisify(execFile);

export interface Difference {
  key: string;
  kind: 'only-dbt' | 'only-mflow' | 'sql' | 'rows';
  detail: string;
  /** Set when the difference is on purpose; the text says why. */
  why?: string;
}

/**
 * Differences mflow makes on purpose, as (pattern in dbt's SQL → the same place in mflow's).
 * Each is applied to dbt's normalised SQL before comparing; a node whose SQL only matches after
 * one of these is reported with the reason.
 */
export const ON_PURPOSE: { why: string; dbt: RegExp; to: string | ((m: string) => string); mflow?: RegExp }[] = [
  { why: 'dbt-duckdb names the database file in every relation ("dbt"."main"."x"); mflow leaves the default catalog out ("main"."x")', dbt: /"[^"]+"\.("[^"]+"\."[^"]+")/g, to: '$1' },
  { why: "type_float() is double on mflow (dbt's default FLOAT is a 4-byte REAL on DuckDB; MediFlow's rates need double)", dbt: /\bfloat\b/gi, mflow: /\bfloat\b/gi, to: (m: string) => (m === 'FLOAT' ? 'DOUBLE' : 'double') },
  // A Jinja float literal (dbt_expectations' tolerance=0.0) is a Python float that prints 0.0; nunjucks has one number type and prints 0. The same SQL value.
  { why: "nunjucks prints the Jinja float literal 0.0 as 0 (Python prints 0.0): the same number in SQL", dbt: /([<>=])(\d+)\.0(?![\d.])/g, mflow: /([<>=])(\d+)\.0(?![\d.])/g, to: '$1$2' },
  { why: 'safe_cast() is try_cast on DuckDB in mflow (dbt-duckdb has no duckdb__safe_cast and casts; MediFlow relies on try_cast for dirty CMS fields): both sides are compared with try_cast read as cast', dbt: /\btry_cast\(/g, mflow: /\btry_cast\(/g, to: 'cast(' },
  { why: "current_timestamp() is now()::timestamp on mflow (a timestamp without time zone, as MediFlow's load dates are); dbt-duckdb's is now()", dbt: /\bnow\(\)(?!::timestamp)/g, mflow: /\bnow\(\)::timestamp/g, to: 'now()' },
];

/** Whitespace-normalised: runs of whitespace are one space, and none is kept next to punctuation or operators. */
export const normaliseSql = (s: string) => s.replace(/\s+/g, ' ').replace(/ ?([(),/*+=<>|-]) ?/g, '$1').trim();

/** Rows of each relation in both databases, compared as sorted multisets (python duckdb reads both files). */
async function compareRows(py: PythonEnv, pairs: { key: string; dbt: string; mflow: string; clock: boolean; random: boolean }[], dbtDb: string, mflowDb: string): Promise<Difference[]> {
  if (!pairs.length) return [];
  const script = `
import duckdb, json, sys
pairs = json.loads(sys.stdin.read())
a = duckdb.connect(${JSON.stringify(dbtDb)}, read_only=True)
b = duckdb.connect(${JSON.stringify(mflowDb)}, read_only=True)
catalog = '"' + ${JSON.stringify(basename(dbtDb).replace(/\.duckdb$/, ''))} + '".'
def value(v):
    if v is None: return None
    if isinstance(v, float): return round(v, 9)
    # relation names stored as text (union_relations' _dbt_source_relation) carry dbt-duckdb's catalog
    return str(v).replace(catalog, '')
def rows(c, rel):
    try:
        return sorted(repr(tuple(value(v) for v in r)) for r in c.sql("select * from " + rel).fetchall())
    except Exception as e:
        return "error: " + str(e).splitlines()[0]
out = []
for p in pairs:
    x, y = rows(a, p["dbt"]), rows(b, p["mflow"])
    if x != y:
        if isinstance(x, str) or isinstance(y, str):
            out.append({"key": p["key"], "detail": f"dbt: {x if isinstance(x, str) else len(x)} / mflow: {y if isinstance(y, str) else len(y)}"})
        else:
            only_a = [r for r in x if r not in y][:3]
            only_b = [r for r in y if r not in x][:3]
            out.append({"key": p["key"], "detail": f"{len(x)} rows on dbt, {len(y)} on mflow; only dbt: {only_a}; only mflow: {only_b}"})
print(json.dumps(out))
`;
  const child = execFile(py.python, ['-c', script], { env: py.env(), maxBuffer: 64 << 20 });
  child.stdin!.end(JSON.stringify(pairs));
  const out = await new Promise<string>((resolve, reject) => {
    let text = '';
    let err = '';
    child.stdout!.on('data', (d) => (text += d));
    child.stderr!.on('data', (d) => (err += d));
    child.on('close', (code) => (code === 0 ? resolve(text) : reject(new Error(`row comparison failed: ${err}`))));
  });
  const clock = new Set(pairs.filter((p) => p.clock).map((p) => p.key));
  const random = new Set(pairs.filter((p) => p.random).map((p) => p.key));
  const why = (key: string) =>
    clock.has(key) ? 'the model reads the clock (now()), so its rows differ between any two runs'
    : random.has(key) ? 'the model (or a parent) draws rows with rand()/random(), so each tool draws its own'
    : undefined;
  return (JSON.parse(out) as { key: string; detail: string }[]).map((d) => ({ ...d, kind: 'rows' as const, why: why(d.key) }));
}

/** Compares two finished runs of the same project (see integration.ts for running them). */
export async function diffRuns(py: PythonEnv, dbt: ToolRun, mflow: ToolRun, dbs: { dbt: string; mflow: string }): Promise<Difference[]> {
  const out: Difference[] = [];
  const comparable = (t: string) => ['model', 'seed', 'snapshot', 'test', 'analysis'].includes(t);
  const dbtKeys = new Set([...dbt.nodes].filter(([, n]) => comparable(n.resource_type)).map(([k]) => k));
  const mflowKeys = new Set([...mflow.nodes].filter(([, n]) => comparable(n.resource_type)).map(([k]) => k));
  const dbtIds = new Set([...dbt.nodes.values()].map((n) => n.unique_id));
  for (const k of dbtKeys) {
    if (mflowKeys.has(k)) continue;
    const n = dbt.nodes.get(k)!;
    // dbt-core keeps a test whose model does not exist (it never runs); mflow warns and drops it.
    const orphan = n.resource_type === 'test' && (!n.attached_node || !dbtIds.has(n.attached_node));
    out.push({ key: k, kind: 'only-dbt', detail: 'in dbt-core\'s manifest, not in mflow\'s', why: orphan ? 'a test on a model that does not exist: dbt-core keeps the node (it never runs), mflow warns and leaves it out' : undefined });
  }
  for (const k of mflowKeys) if (!dbtKeys.has(k)) out.push({ key: k, kind: 'only-mflow', detail: 'in mflow\'s manifest, not in dbt-core\'s' });
  const pairs: { key: string; dbt: string; mflow: string; clock: boolean; random: boolean }[] = [];
  const random = randomDescendants(dbt);
  // dbt-duckdb names the database file (its stem is the catalog) in every relation, quoted or not (quoting: false).
  const stem = basename(dbs.dbt).replace(/\.duckdb$/, '');
  const catalog = { why: ON_PURPOSE[0].why, dbt: new RegExp(`(?<![\\w."])"?${stem.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"?\\.(?=[\\w"])`, 'g'), to: '' };
  for (const k of dbtKeys) {
    if (!mflowKeys.has(k)) continue;
    const a = dbt.nodes.get(k)!;
    const b = mflow.nodes.get(k)!;
    if (a.compiled !== undefined && b.compiled !== undefined) {
      let x = normaliseSql(a.compiled);
      const y = normaliseSql(b.compiled);
      if (x !== y) {
        const whys: string[] = [];
        let z = y;
        for (const p of [catalog, ...ON_PURPOSE]) {
          const nx = x.replace(p.dbt, p.to as string);
          const nz = p.mflow ? z.replace(p.mflow, p.to as string) : z;
          if ((nx !== x || nz !== z) && !whys.includes(p.why)) whys.push(p.why);
          x = nx;
          z = nz;
        }
        // Normalised again: a rewrite can leave a space next to punctuation (now()::timestamp as → now() as).
        x = normaliseSql(x);
        const y2 = normaliseSql(z);
        if (x !== y2) {
          let i = 0;
          while (i < x.length && x[i] === y2[i]) i++;
          out.push({ key: k, kind: 'sql', detail: `compiled SQL differs at character ${i}: dbt «${x.slice(Math.max(0, i - 40), i + 60)}» mflow «${y2.slice(Math.max(0, i - 40), i + 60)}»` });
        } else if (whys.length) out.push({ key: k, kind: 'sql', detail: 'compiled SQL differs only on purpose', why: whys.join('; ') });
      }
    }
    const oa = dbt.outcomes.get(k);
    const ob = mflow.outcomes.get(k);
    if ((a.resource_type === 'model' || a.resource_type === 'seed' || a.resource_type === 'snapshot') && passed(oa?.status) && passed(ob?.status) && a.relation_name && b.relation_name) {
      pairs.push({ key: k, dbt: a.relation_name, mflow: b.relation_name, clock: /\bnow\(\)|current_timestamp/i.test(`${a.compiled ?? ''} ${b.compiled ?? ''}`), random: random.has(k) });
    }
  }
  out.push(...(await compareRows(py, pairs, dbs.dbt, dbs.mflow)));
  return out;
}

/** Writes an inline project (files by path) twice, runs dbt-core and mflow on it, and diffs them. */
export async function runDifferential(py: PythonEnv, bin: string, scratch: string, files: Record<string, string>, opts: { hubUrl?: string; packages?: Record<string, string> } = {}): Promise<{ dbt: ToolRun; mflow: ToolRun; differences: Difference[] }> {
  const runs: Record<string, { dir: string; db: string }> = {};
  for (const tool of ['dbt', 'mflow']) {
    const dir = join(scratch, tool);
    const db = join(scratch, `${tool}.duckdb`);
    for (const [p, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, p)), { recursive: true });
      writeFileSync(join(dir, p), text);
    }
    for (const [name, src] of Object.entries(opts.packages ?? {})) cpSync(src, join(scratch, `${tool}-pkg-${name}`), { recursive: true });
    writeFileSync(join(dir, 'profiles.yml'), `diff:\n  target: duckdb\n  outputs:\n    duckdb:\n      type: duckdb\n      path: ${JSON.stringify(db)}\n      threads: 1\n`);
    runs[tool] = { dir, db };
  }
  const hub = opts.hubUrl ?? 'http://127.0.0.1:9/';
  const [dbt, mflow] = await Promise.all([runDbt(py, runs.dbt.dir, hub), runMflow(bin, runs.mflow.dir, hub)]);
  const differences = dbt.outcomes.size && mflow.outcomes.size ? await diffRuns(py, dbt, mflow, { dbt: runs.dbt.db, mflow: runs.mflow.db }) : [];
  return { dbt, mflow, differences };
}

export { exec };
