// Ingestion throughput vs DuckDB's own read_csv on the same generated files, in one run.
// Usage: npx tsc -p . && node bench/ingest.mjs [--beneficiaries 100000] [--repeat 2] [--dir /tmp/mflow-bench-ingest]
// The baseline is read_csv(file, all_varchar = true): with type auto-detection DuckDB cannot load
// these files at all (e.g. HCPCS_CD_19 sniffed as BIGINT, then 'J2405' appears), which is why RAW is text.
// Prints rows/s and MB/s of both, the ratio (target >= 0.80), and the peak RSS of this process.
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { DuckDBInstance } from '@duckdb/node-api';
import { generateSynpuf } from '../dist/synpuf/generate.js';
import { SYNPUF_FILES, BENEFICIARY_COLUMNS, INPATIENT_COLUMNS, OUTPATIENT_COLUMNS, CARRIER_COLUMNS, PDE_COLUMNS } from '../dist/synpuf/layouts.js';
import { ingestSources } from '../dist/ingest/index.js';

const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : def;
};
const N = Number(arg('beneficiaries', '100000'));
const REPEAT = Number(arg('repeat', '2'));
const dir = arg('dir', join(tmpdir(), 'mflow-bench-ingest'));
const dataDir = join(dir, `synpuf-${N}`);
const marker = join(dataDir, '.complete');

if (!existsSync(marker)) {
  rmSync(dataDir, { recursive: true, force: true });
  const t0 = Date.now();
  await generateSynpuf({ beneficiaries: N, seed: 7, outDir: dataDir });
  writeFileSync(marker, String(Date.now()));
  console.log(`generated ${N} beneficiaries in ${((Date.now() - t0) / 1000).toFixed(1)}s -> ${dataDir}`);
}

const files = SYNPUF_FILES.map((f) => ({ kind: f.kind, path: join(dataDir, f.fileName(1)) }));
const bytes = files.reduce((s, f) => s + statSync(f.path).size, 0);

function source(name, columns, location) {
  return {
    unique_id: `source.bench.raw.${name}`, resource_type: 'source', source_name: 'raw', name, package_name: 'bench', path: 'x', original_file_path: 'x',
    fqn: ['bench', 'raw', name], database: null, schema: 'raw', identifier: name, relation_name: `"raw"."${name}"`, description: '', source_description: '',
    columns: Object.fromEntries(columns.map((c) => [c, { name: c, description: '', meta: {}, tags: [] }])), meta: {}, tags: [], config: { enabled: true },
    loader: 'mflow', quoting: {}, external: { location },
  };
}
const sources = [
  source('beneficiary', BENEFICIARY_COLUMNS, join(dataDir, 'DE1_0_*_Beneficiary_Summary_File_Sample_1.csv')),
  source('inpatient', INPATIENT_COLUMNS, join(dataDir, '*_Inpatient_Claims_Sample_1.csv')),
  source('outpatient', OUTPATIENT_COLUMNS, join(dataDir, '*_Outpatient_Claims_Sample_1.csv')),
  source('carrier', CARRIER_COLUMNS, join(dataDir, '*_Carrier_Claims_Sample_1[AB].csv')),
  source('pde', PDE_COLUMNS, join(dataDir, '*_Prescription_Drug_Events_Sample_1.csv')),
];

async function freshDb(tag) {
  const path = join(dir, `bench-${tag}.duckdb`);
  rmSync(path, { force: true });
  rmSync(`${path}.wal`, { force: true });
  const inst = await DuckDBInstance.create(path);
  return { inst, conn: await inst.connect(), path };
}

async function plain() {
  const { inst, conn } = await freshDb('plain');
  const t0 = performance.now();
  let rows = 0;
  const created = new Set();
  for (const f of files) {
    const sql = created.has(f.kind) ? `INSERT INTO ${f.kind} SELECT * FROM read_csv('${f.path}', all_varchar = true)` : `CREATE TABLE ${f.kind} AS SELECT * FROM read_csv('${f.path}', all_varchar = true)`;
    await conn.run(sql);
    created.add(f.kind);
  }
  await conn.run('CHECKPOINT');
  const s = (performance.now() - t0) / 1000;
  for (const k of created) rows += Number((await conn.runAndReadAll(`SELECT count(*) FROM ${k}`)).getRows()[0][0]);
  conn.closeSync();
  inst.closeSync();
  return { s, rows };
}

async function ingest() {
  const { inst, conn } = await freshDb('ingest');
  const t0 = performance.now();
  const report = await ingestSources(conn, sources, { projectDir: dir, targetDir: join(dir, 'target'), connect: () => inst.connect() });
  await conn.run('CHECKPOINT');
  const s = (performance.now() - t0) / 1000;
  if (!report.success) throw new Error('ingest failed: ' + JSON.stringify(report.results.filter((r) => r.status !== 'success')));
  const rows = report.results.reduce((a, r) => a + r.rows_loaded, 0);
  conn.closeSync();
  inst.closeSync();
  return { s, rows };
}

const times = { plain: [], ingest: [] };
let rows = 0;
for (let r = 0; r < REPEAT; r++) {
  for (const [name, fn] of r % 2 === 0 ? [['plain', plain], ['ingest', ingest]] : [['ingest', ingest], ['plain', plain]]) {
    const res = await fn();
    times[name].push(res.s);
    rows = res.rows;
    console.log(`  run ${r + 1} ${name.padEnd(6)} ${res.s.toFixed(2)}s (${res.rows} rows)`);
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const mb = bytes / 1e6;
const line = (name) => {
  const s = median(times[name]);
  return `${name.padEnd(26)} ${s.toFixed(2).padStart(7)}s  ${Math.round(rows / s).toLocaleString('en-US').padStart(11)} rows/s  ${(mb / s).toFixed(1).padStart(7)} MB/s`;
};
console.log(`\nfiles: 8 CSVs, ${rows.toLocaleString('en-US')} rows, ${mb.toFixed(1)} MB (${N.toLocaleString('en-US')} beneficiaries); median of ${REPEAT}`);
console.log(line('plain') .replace('plain ', 'duckdb read_csv(all_varchar)'));
console.log(line('ingest').replace('ingest', 'mflow ingestSources'));
console.log(`ratio ingest/read_csv throughput: ${(median(times.plain) / median(times.ingest)).toFixed(2)} (target >= 0.80)`);
console.log(`peak RSS of this process: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
