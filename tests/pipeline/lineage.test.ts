/**
 * Issue 12: OpenLineage run events of `mflow pipeline`: a START and a COMPLETE or FAIL per node,
 * inputs and outputs, the column lineage the docs site derives, to target/openlineage.jsonl or an
 * HTTP endpoint, each event validated against the vendored OpenLineage JSON schemas
 * (tests/pipeline/openlineage-spec) with Python's jsonschema.
 */
import { execFile } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaptureConsole } from '../../src/console/console.js';
import { runPipeline } from '../../src/pipeline/runner.js';
import { pythonEnv, PYENV_TIMEOUT_MS, type PythonEnv } from '../oracles/python-env.js';
import { copyProject, generate } from '../mediflow/pipeline.js';
import { setPipeline } from './project.js';
import { startWebhook, type WebhookSink } from './servers.js';

const run = promisify(execFile);
const SPEC = resolve(import.meta.dirname, 'openlineage-spec');

const VALIDATE = `
import json, pathlib, sys
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
schemas = {p.stem: json.loads(p.read_text()) for p in pathlib.Path(sys.argv[1]).glob("*.json")}
reg = Registry().with_resources([(s["$id"], Resource.from_contents(s)) for s in schemas.values()])
V = lambda s: Draft202012Validator(s, registry=reg, format_checker=Draft202012Validator.FORMAT_CHECKER)
core = V(schemas["OpenLineage"])
facets = {k: V(schemas[v]) for k, v in {"parent": "ParentRunFacet", "errorMessage": "ErrorMessageRunFacet", "schema": "SchemaDatasetFacet", "columnLineage": "ColumnLineageDatasetFacet", "jobType": "JobTypeJobFacet"}.items()}
errors, n = [], 0
for line in sys.stdin:
    if not line.strip():
        continue
    e = json.loads(line)
    n += 1
    errors += [f"event {n}: {x.message}" for x in core.iter_errors(e)]
    found = list(e["run"].get("facets", {}).items()) + list(e["job"].get("facets", {}).items())
    for ds in e.get("inputs", []) + e.get("outputs", []):
        found += list(ds.get("facets", {}).items())
    for k, v in found:
        if k not in facets:
            errors.append(f"event {n}: facet {k} has no schema here")
        else:
            errors += [f"event {n} {k}: {x.message}" for x in facets[k].iter_errors({k: v})]
print(json.dumps({"count": n, "errors": errors[:20]}))
`;

interface OLEvent {
  eventType: string;
  eventTime: string;
  run: { runId: string; facets: Record<string, Record<string, unknown>> };
  job: { namespace: string; name: string };
  inputs: Array<{ namespace: string; name: string }>;
  outputs: Array<{ namespace: string; name: string; facets?: Record<string, Record<string, unknown>> }>;
}

let py: PythonEnv;
let dir: string;
let hook: WebhookSink;

async function validate(lines: string): Promise<{ count: number; errors: string[] }> {
  const p = run(py.python, ['-c', VALIDATE, SPEC], { env: py.env(), timeout: 120_000, maxBuffer: 64 * 1024 * 1024 });
  p.child.stdin!.end(lines);
  return JSON.parse((await p).stdout);
}

describe('OpenLineage events of mflow pipeline', () => {
  beforeAll(async () => {
    py = await pythonEnv();
    dir = copyProject();
    await generate(dir, 300, 8);
    hook = await startWebhook();
  }, PYENV_TIMEOUT_MS);
  afterAll(async () => {
    await hook?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a green run writes START and COMPLETE per seed and model, with datasets and column lineage, valid against the schema', async () => {
    const r = await runPipeline({ projectDir: dir, console: new CaptureConsole(), alerts: false });
    expect(r.status).toBe('success');
    const text = readFileSync(join(dir, 'target', 'openlineage.jsonl'), 'utf8');
    const v = await validate(text);
    expect(v.errors).toEqual([]);
    const events = text.trim().split('\n').map((l) => JSON.parse(l) as OLEvent);
    expect(v.count).toBe(events.length);
    // Two events for each seed and model the project has (counted from its manifest).
    const built = Object.values(JSON.parse(readFileSync(join(dir, 'target', 'manifest.json'), 'utf8')).nodes as Record<string, { resource_type: string; config?: { materialized?: string } }>).filter((n) => n.resource_type === 'seed' || (n.resource_type === 'model' && n.config?.materialized !== 'ephemeral')).length;
    expect(built).toBeGreaterThan(15);
    expect(events.filter((e) => e.eventType === 'START')).toHaveLength(built);
    expect(events.filter((e) => e.eventType === 'COMPLETE')).toHaveLength(built);
    const done = events.find((e) => e.eventType === 'COMPLETE' && e.job.name === 'mediflow.mart_readmission')!;
    const start = events.find((e) => e.eventType === 'START' && e.run.runId === done.run.runId)!;
    expect(start.job.namespace).toBe('mediflow');
    expect(done.run.facets.parent).toMatchObject({ job: { namespace: 'mediflow', name: 'mediflow' } });
    expect(done.inputs.map((i) => i.name).sort()).toEqual(expect.arrayContaining(['fact.fact_admission', 'ref.drg_codes', 'ref.icd9_chapters']));
    expect(done.outputs[0].name).toBe('marts__staging.mart_readmission');
    expect(done.outputs[0].namespace).toMatch(/^duckdb:\/\/localhost\/.*mediflow\.duckdb$/);
    const lineage = done.outputs[0].facets!.columnLineage.fields as Record<string, { inputFields: Array<{ name: string; field: string }> }>;
    expect(Object.keys(lineage).length).toBeGreaterThan(3);
    expect(Object.values(lineage).flatMap((f) => f.inputFields.map((x) => x.name))).toContain('fact.fact_admission');
    const stg = events.find((e) => e.eventType === 'COMPLETE' && e.job.name === 'mediflow.stg_patients')!;
    expect(stg.inputs.map((i) => i.name)).toContain('raw.beneficiary');
    const cols = stg.outputs[0].facets!.columnLineage.fields as Record<string, { inputFields: Array<{ name: string; field: string }> }>;
    expect(Object.values(cols).some((c) => c.inputFields.some((f) => f.name === 'raw.beneficiary' && f.field.toUpperCase() === 'DESYNPUF_ID')), JSON.stringify(cols).slice(0, 1500)).toBe(true);
  });

  it('a failing model gives a FAIL event with its error, POSTed to an HTTP endpoint, valid against the schema', async () => {
    const f = join(dir, 'models', 'marts', 'mart_provider_utilization.sql');
    const sql = readFileSync(f, 'utf8');
    writeFileSync(f, sql.replace(/from \{\{ ref\('fact_claim'\) \}\} as f/, "from {{ ref('fact_claim') }} as f cross join no_such_table"));
    const yml = readFileSync(join(dir, 'project.yml'), 'utf8');
    try {
      setPipeline(dir, `  lineage: {transport: http, url: "${hook.url}"}\n  defaults: {retries: 0}\n`);
      const r = await runPipeline({ projectDir: dir, console: new CaptureConsole(), alerts: false });
      expect(r.status).toBe('failed');
      const lines = hook.posts.map((p) => JSON.stringify(p)).join('\n');
      const v = await validate(lines);
      expect(v.errors).toEqual([]);
      const events = hook.posts as unknown as OLEvent[];
      const fail = events.find((e) => e.eventType === 'FAIL')!;
      expect(fail.job.name).toBe('mediflow.mart_provider_utilization');
      expect(String(fail.run.facets.errorMessage.message)).toMatch(/no_such_table/);
      expect(events.filter((e) => e.eventType === 'COMPLETE' && e.job.name.startsWith('mediflow.mart_')).map((e) => e.job.name).sort()).toEqual(['mediflow.mart_cost_of_care', 'mediflow.mart_readmission']);
    } finally {
      writeFileSync(f, sql);
      writeFileSync(join(dir, 'project.yml'), yml);
    }
  });
});
