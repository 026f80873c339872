import type { Command } from 'commander';
import type { CliKit } from './extra.js';

// The pipeline modules (DuckDB, fflate) load when one of these commands runs, not for every command.
const pipelineApi = () => import('../pipeline/api.js');

/** `mflow generate synpuf` and `mflow ingest` (`mflow pipeline` is in pipeline.ts). */
export function register(program: Command, kit: CliKit): void {
  const gen = program.command('generate').description('generate synthetic data in real CMS layouts');
  gen
    .command('synpuf')
    .description('write one DE-SynPUF-format sample (8 CMS files) and an NPPES extract')
    .option('--beneficiaries <n>', 'number of beneficiaries', '3000')
    .option('--seed <n>', 'random seed (same seed, same bytes)', '1')
    .option('--sample <n>', 'sample number used in the file names', '1')
    .option('--out <dir>', 'output folder', 'data/synpuf')
    .option('--nppes-out <dir>', 'folder of the NPPES extract (where the nppes source and --download nppes look)', 'data/nppes')
    .option('--log-format <format>', 'text or json', 'text')
    .action(async (f: { beneficiaries: string; seed: string; sample: string; out: string; nppesOut: string; logFormat: string }) => {
      const n = Number(f.beneficiaries);
      if (!Number.isInteger(n) || n <= 0) {
        process.stderr.write(`--beneficiaries must be a positive integer, got '${f.beneficiaries}'\n`);
        kit.setCode(2);
        return;
      }
      const { generate } = await pipelineApi();
      await generate({ beneficiaries: n, seed: Number(f.seed), sample: Number(f.sample), outDir: f.out, nppesDir: f.nppesOut, console: kit.makeConsole(f) });
      kit.setCode(0);
    });

  kit
    .addCommon(program.command('ingest').description('load declared external sources into RAW with schema and row-count audits'))
    .option('--full-refresh', 'reload every file')
    .option('--download <what>', 'first download from CMS: synpuf, nppes (monthly full file into data/nppes), nppes-weekly (into data/nppes/weekly) or nppes-deactivated (the Deactivated NPI Report into data/nppes/deactivated)')
    .option('--week <date>', 'for nppes-weekly: the Monday the weekly file starts, YYYY-MM-DD')
    .option('--report-date <date>', 'for nppes-deactivated: the day the report was published, YYYY-MM-DD')
    .option('--sample <n>', 'SynPUF sample to download', '1')
    .option('--base-url <url>', 'download from a mirror instead of the CMS site')
    .action(async (flags: Record<string, unknown> & { logFormat?: string; download?: 'synpuf' | 'nppes' | 'nppes-weekly' | 'nppes-deactivated'; week?: string; reportDate?: string; sample: string; baseUrl?: string; fullRefresh?: boolean }) => {
      const cons = kit.makeConsole(flags);
      const { ingest } = await pipelineApi();
      const r = await ingest({ ...kit.common(flags, cons), fullRefresh: flags.fullRefresh, download: flags.download, week: flags.week ? new Date(`${flags.week}T00:00:00Z`) : undefined, reportDate: flags.reportDate ? new Date(`${flags.reportDate}T00:00:00Z`) : undefined, sample: Number(flags.sample), baseUrl: flags.baseUrl });
      kit.setCode(r.success ? 0 : 1);
    });
}
