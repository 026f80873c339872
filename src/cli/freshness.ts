import type { Command } from 'commander';
import type { CliKit } from './extra.js';

/** `mflow source freshness`: exit 1 when a source is past error_after (warn_after only warns), as dbt. */
export function register(program: Command, kit: CliKit): void {
  const source = program.commands.find((c) => c.name() === 'source') ?? program.command('source').description('commands on declared sources');
  kit
    .addCommon(source.command('freshness').description('check how recently each source table was loaded (loaded_at_field against warn_after / error_after)'))
    .option('--threads <n>', 'parallel checks (default: target threads)')
    .option('-o, --output <path>', 'where to write sources.json (default: target/sources.json)')
    .action(async (flags: Record<string, unknown> & { output?: string; logFormat?: string }) => {
      const cons = kit.makeConsole(flags);
      const { sourceFreshness } = await import('../freshness/api.js');
      const r = await sourceFreshness({ ...kit.common(flags, cons), output: flags.output });
      kit.setCode(r.ok ? 0 : 1);
    });
}
