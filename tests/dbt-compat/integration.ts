/**
 * Runs a dbt package's own `integration_tests` project through dbt-core (+ dbt-duckdb) and
 * through mflow, each in its own temporary copy, and reads back what each reported per node.
 *
 * The copies differ from the fixtures in one file only: a profiles.yml for DuckDB (the projects'
 * own profiles name Postgres, Snowflake, BigQuery...), written into the copy, never the fixture.
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import type { PythonEnv } from '../oracles/python-env.js';

const exec = promisify(execFile);

export interface NodeOutcome {
  /** `model:name`, `test:name`, ...: comparable across the two tools (dbt hashes test ids differently). */
  key: string;
  unique_id: string;
  status: string;
  message: string | null;
  /** Keys of the node's parents in the tool's own manifest. */
  parents: string[];
}

export interface ToolRun {
  ok: boolean;
  log: string;
  outcomes: Map<string, NodeOutcome>;
  /** Nodes in the manifest, by key (unique_id, compiled SQL, relation name). */
  nodes: Map<string, { unique_id: string; compiled?: string; relation_name: string | null; resource_type: string; depends_on: string[]; attached_node?: string | null }>;
}

/** Copies the package folder and writes a DuckDB profile into its integration project. */
export function prepareCopy(fixtureDir: string, dest: string, dbFile: string): string {
  cpSync(fixtureDir, dest, { recursive: true });
  const project = join(dest, 'integration_tests');
  const cfg = parse(readFileSync(join(project, 'dbt_project.yml'), 'utf8')) as Record<string, unknown>;
  const profile = String(cfg.profile ?? cfg.name);
  writeFileSync(join(project, 'profiles.yml'), `${profile}:\n  target: duckdb\n  outputs:\n    duckdb:\n      type: duckdb\n      path: ${JSON.stringify(dbFile)}\n      threads: 2\n`);
  return project;
}

/** Tests by their full name (dbt's `name` is the full one, mflow's the short hashed one; both unique_ids carry the full one). */
const keyOf = (n: { resource_type: string; name: string; package_name: string }, id?: string) =>
  `${n.resource_type}:${n.package_name}.${n.resource_type === 'test' && id ? id.split('.')[2] : n.name}`;

type ManifestNodeJson = { resource_type: string; name: string; package_name: string; depends_on?: { nodes?: string[] }; compiled_code?: string; relation_name?: string | null; attached_node?: string | null; test_metadata?: { kwargs?: Record<string, unknown> } };

/** JSON with sorted keys, so the same arguments give the same text on both tools. */
const stable = (v: unknown): string =>
  Array.isArray(v) ? `[${v.map(stable).join(',')}]` : v && typeof v === 'object' ? `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${stable((v as Record<string, unknown>)[k])}`).join(',')}}` : JSON.stringify(v);

/**
 * Keys of a manifest's nodes. Tests whose names collide (dbt_expectations' regex tests all end in
 * `email_address___`, the regex being stripped from the name; each tool's unique_id hash differs)
 * are told apart by their arguments, so each is paired with its own counterpart.
 */
function keysOf(nodes: Record<string, ManifestNodeJson>): Map<string, string> {
  const byKey = new Map<string, string[]>();
  for (const [id, n] of Object.entries(nodes)) {
    const k = keyOf(n, id);
    byKey.set(k, [...(byKey.get(k) ?? []), id]);
  }
  const out = new Map<string, string>();
  for (const [k, ids] of byKey) {
    if (ids.length === 1) out.set(ids[0], k);
    else for (const id of ids) out.set(id, `${k} ${stable(nodes[id].test_metadata?.kwargs ?? {})}`);
  }
  return out;
}

/** run_results.json and manifest.json of a finished run, as outcomes by key. */
export function readRun(project: string, log: string, ok: boolean): ToolRun {
  const manifestPath = join(project, 'target', 'manifest.json');
  const resultsPath = join(project, 'target', 'run_results.json');
  const manifest = existsSync(manifestPath) ? (JSON.parse(readFileSync(manifestPath, 'utf8')) as { nodes: Record<string, ManifestNodeJson> }) : { nodes: {} };
  const results = existsSync(resultsPath) ? (JSON.parse(readFileSync(resultsPath, 'utf8')) as { results: { unique_id: string; status: string; message: string | null; compiled_code?: string }[] }) : { results: [] };
  const idToKey = keysOf(manifest.nodes);
  const outcomes = new Map<string, NodeOutcome>();
  const nodes: ToolRun['nodes'] = new Map();
  for (const [id, n] of Object.entries(manifest.nodes)) nodes.set(idToKey.get(id)!, { unique_id: id, relation_name: n.relation_name ?? null, resource_type: n.resource_type, depends_on: n.depends_on?.nodes ?? [], attached_node: n.attached_node ?? null });
  for (const r of results.results) {
    const n = manifest.nodes[r.unique_id];
    if (!n) continue;
    const key = idToKey.get(r.unique_id)!;
    outcomes.set(key, { key, unique_id: r.unique_id, status: r.status, message: r.message, parents: (n.depends_on?.nodes ?? []).map((p) => idToKey.get(p) ?? p) });
    const entry = nodes.get(key);
    if (entry && r.compiled_code != null) entry.compiled = r.compiled_code; // null: not compiled (seeds), as dbt writes it
  }
  return { ok, log, outcomes, nodes };
}

async function sh(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ ok: boolean; out: string }> {
  try {
    const r = await exec(cmd, args, { cwd, env, maxBuffer: 256 << 20, timeout: 15 * 60_000 });
    return { ok: true, out: r.stdout + r.stderr };
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    return { ok: false, out: `${err.stdout ?? ''}${err.stderr ?? ''}${err.message}` };
  }
}

/** `dbt deps` then `dbt build`, with the local hub. */
export async function runDbt(py: PythonEnv, project: string, hubUrl: string): Promise<ToolRun> {
  const env = py.env({ DBT_PACKAGE_HUB_URL: hubUrl, DBT_PROFILES_DIR: project, DBT_PARTIAL_PARSE: 'false' });
  const deps = await sh(py.bin('dbt'), ['deps'], project, env);
  if (!deps.ok) return { ok: false, log: deps.out, outcomes: new Map(), nodes: new Map() };
  const build = await sh(py.bin('dbt'), ['build'], project, env);
  return readRun(project, deps.out + build.out, build.ok);
}

/** `mflow deps` then `mflow build`, the CLI as a user runs it. */
export async function runMflow(bin: string, project: string, hubUrl: string): Promise<ToolRun> {
  const env = { ...process.env, FORCE_COLOR: '0', MFLOW_PACKAGE_HUB_URL: hubUrl };
  const deps = await sh('node', [bin, 'deps', '--project-dir', project], project, env);
  if (!deps.ok) return { ok: false, log: deps.out, outcomes: new Map(), nodes: new Map() };
  const build = await sh('node', [bin, 'build', '--project-dir', project, '--profiles-dir', project], project, env);
  return readRun(project, deps.out + build.out, build.ok);
}

export const passed = (s: string | undefined) => s === 'success' || s === 'pass';
