import type { Command } from 'commander';
import type { CliKit } from './extra.js';

/** `mflow deps`: install packages.yml / dependencies.yml into packages-install-path, as `dbt deps`. */
export function register(program: Command, kit: CliKit): void {
  program
    .command('deps')
    .description('install the packages named in packages.yml or dependencies.yml (writes package-lock.yml)')
    .option('--project-dir <dir>', 'project folder (default: current folder)')
    .option('--vars <yaml>', "variables as YAML, for {{ var() }} in packages.yml")
    .option('--upgrade', 'resolve again even when package-lock.yml matches packages.yml')
    .option('--lock', 'write package-lock.yml only; install nothing')
    .option('--hub-url <url>', 'package hub address (default: MFLOW_PACKAGE_HUB_URL, DBT_PACKAGE_HUB_URL or https://hub.getdbt.com/)')
    .action(async (flags: { projectDir?: string; vars?: string; upgrade?: boolean; lock?: boolean; hubUrl?: string }) => {
      const cons = kit.makeConsole({});
      const { deps } = await import('../deps/install.js');
      const { parseYaml } = await import('../util/yaml.js');
      const vars = flags.vars ? ((parseYaml<Record<string, unknown>>(flags.vars, '--vars').data ?? {}) as Record<string, unknown>) : {};
      const r = await deps({ projectDir: flags.projectDir, vars, upgrade: flags.upgrade, lockOnly: flags.lock, hubUrl: flags.hubUrl, log: (msg) => cons.emit({ type: 'info', msg }) });
      if (r.installed.length) cons.emit({ type: 'info', msg: `Installed ${r.installed.length} package${r.installed.length === 1 ? '' : 's'} into ${r.installPath}` });
      kit.setCode(0);
    });
}
