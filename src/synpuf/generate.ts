/**
 * `mflow generate synpuf`: writes the eight DE-SynPUF files of one sample plus an NPPES-format
 * provider extract. It streams one beneficiary at a time through all files, so N = 1,000,000
 * runs in flat memory, and it is deterministic: same options, same bytes.
 */
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { MflowError } from '../errors.js';
import { CsvSink, quotedHeader } from './csv-sink.js';
import { SYNPUF_FILES } from './layouts.js';
import { writeNppes } from './nppes.js';
import { generatePerson, type PersonSinks } from './person.js';
import { ProviderPools } from './providers.js';

export interface GenerateOptions {
  beneficiaries: number;
  seed: number;
  outDir: string;
  /** DE-SynPUF subsample number used in file names and claim IDs (default 1). */
  sample?: number;
  /** Share of individual NPIs listed in the NPPES extract (default 0.7), so joins meet both
   * matched and unmatched providers. */
  nppesCoverage?: number;
  /**
   * Where the NPPES extract goes (default: outDir). MediFlow passes `data/nppes`, the folder its
   * nppes source reads and `mflow ingest --download nppes` writes, so one location serves both.
   */
  nppesDir?: string;
  onProgress?: (p: { file: string; rows: number }) => void;
}

export interface GenerateSummary {
  files: { path: string; rows: number; bytes: number }[];
  elapsedMs: number;
}

/** Beneficiary index is packed into 7 digits of every claim ID. */
export const MAX_BENEFICIARIES = 9_999_999;
const PROGRESS_EVERY = 10_000;

function validate(opts: GenerateOptions): Required<Omit<GenerateOptions, 'onProgress'>> {
  const nppesDir = opts.nppesDir ?? opts.outDir;
  const { beneficiaries, seed } = opts;
  const sample = opts.sample ?? 1;
  const nppesCoverage = opts.nppesCoverage ?? 0.7;
  const bad = (what: string, hint: string): never => {
    throw new MflowError('USAGE', `generate synpuf: ${what}`, { hint });
  };
  if (!Number.isInteger(beneficiaries) || beneficiaries < 1 || beneficiaries > MAX_BENEFICIARIES) {
    bad(`--beneficiaries must be an integer from 1 to ${MAX_BENEFICIARIES}, got ${beneficiaries}`, 'pass e.g. --beneficiaries 10000');
  }
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    bad(`--seed must be an integer from 0 to 4294967295, got ${seed}`, 'pass e.g. --seed 42');
  }
  if (!Number.isInteger(sample) || sample < 0 || sample > 99) {
    bad(`--sample must be an integer from 0 to 99, got ${sample}`, 'CMS numbers its subsamples 1..20');
  }
  if (!(nppesCoverage >= 0 && nppesCoverage <= 1)) {
    bad(`nppesCoverage must be between 0 and 1, got ${nppesCoverage}`, 'use e.g. 0.7 for 70% of NPIs');
  }
  if (!opts.outDir) bad('an output folder is required', 'pass --out data/synpuf');
  return { beneficiaries, seed, sample, nppesCoverage, outDir: opts.outDir, nppesDir };
}

export async function generateSynpuf(opts: GenerateOptions): Promise<GenerateSummary> {
  const started = Date.now();
  const o = validate(opts);
  try {
    mkdirSync(o.outDir, { recursive: true });
    mkdirSync(o.nppesDir, { recursive: true });
  } catch (e) {
    throw new MflowError('GENERATE', `cannot create output folder ${o.outDir}: ${(e as Error).message}`, {
      file: o.outDir, hint: 'choose a writable --out folder', cause: e,
    });
  }
  const sinks = SYNPUF_FILES.map((f) => new CsvSink(join(o.outDir, f.fileName(o.sample)), quotedHeader(f.columns)));
  const [b2008, b2009, b2010, ip, op, carA, carB, pde] = sinks as [CsvSink, CsvSink, CsvSink, CsvSink, CsvSink, CsvSink, CsvSink, CsvSink];
  const pools = new ProviderPools(o.seed, o.beneficiaries);
  const ctx = { seed: o.seed, sample: o.sample, beneficiaries: o.beneficiaries, pools };
  const base = { beneficiary: [b2008, b2009, b2010] as const, inpatient: ip, outpatient: op, pde };
  // Carrier A and B are two halves of one file, split by beneficiary so both stay sorted.
  const half = Math.ceil(o.beneficiaries / 2);
  const toA: PersonSinks = { ...base, carrier: carA };
  const toB: PersonSinks = { ...base, carrier: carB };
  const progress = (): void => {
    if (!opts.onProgress) return;
    for (const s of sinks) opts.onProgress({ file: s.path, rows: s.rows });
  };

  for (let i = 0; i < o.beneficiaries; i++) {
    generatePerson(ctx, i, i < half ? toA : toB);
    for (const s of sinks) if (s.saturated) await s.drain();
    if ((i + 1) % PROGRESS_EVERY === 0) progress();
  }
  for (const s of sinks) await s.close();
  progress();
  const nppes = await writeNppes(pools, o.nppesDir, o.nppesCoverage);
  opts.onProgress?.({ file: nppes.path, rows: nppes.rows });

  const files = [...sinks.map((s) => ({ path: s.path, rows: s.rows, bytes: s.bytes })), nppes];
  for (const f of files) {
    const onDisk = statSync(f.path).size;
    if (onDisk !== f.bytes) {
      throw new MflowError('INTERNAL', `generate synpuf: ${f.path} has ${onDisk} bytes, expected ${f.bytes}`, { file: f.path });
    }
  }
  return { files, elapsedMs: Date.now() - started };
}
