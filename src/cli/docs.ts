/** `mflow docs generate` and `mflow docs serve`. */
import type { Command } from 'commander';
import path from 'node:path';
import { loadProject } from '../project/load.js';
import type { CliKit } from './extra.js';

type Flags = Record<string, unknown> & { logFormat?: string; port?: string; browser?: boolean; targetPath?: string; projectDir?: string };

export function register(program: Command, kit: CliKit): void {
  const docs = program.command('docs').description('a static documentation and lineage site built from the artifacts');

  kit.addCommon(docs.command('generate').description('compile, write target/catalog.json and build the site in target/docs')).action(async (flags: Flags) => {
    const cons = kit.makeConsole(flags);
    // The site builder (marked, highlight.js, elkjs, DuckDB) loads only for this command.
    const { docsGenerate } = await import('../docs/api.js');
    const r = await docsGenerate(kit.common(flags, cons));
    cons.emit({
      type: 'info',
      msg: `Catalog of ${r.catalogRelations} relations written to ${r.catalogPath}${r.hadRunResults ? '' : ' (no run_results.json yet: run `mflow build` to show test results)'}`,
    });
    cons.emit({ type: 'info', msg: `Docs site for ${r.nodes} nodes written to ${r.outDir} in ${(r.elapsedMs / 1000).toFixed(1)}s (layout ${r.layoutMs} ms, column lineage ${r.lineageMs} ms). Open it with \`mflow docs serve\`.` });
    kit.setCode(0);
  });

  kit
    .addCommon(docs.command('serve').description('serve target/docs on http://127.0.0.1:PORT until Ctrl-C'), false)
    .option('--port <n>', 'port to listen on (0 picks a free one)', '8080')
    .option('--no-browser', 'do not open a browser')
    .action(async (flags: Flags) => {
      const cons = kit.makeConsole(flags);
      const opts = kit.common(flags, cons);
      // Only the target folder is needed; the project file says where it is unless --target-path does.
      const targetDir = flags.targetPath ? path.resolve(flags.targetPath) : projectTargetDir(opts);
      const port = Number(flags.port);
      const { serveDocs } = await import('../docs/serve.js');
      const server = await serveDocs({ dir: path.join(targetDir, 'docs'), port: Number.isFinite(port) ? port : 8080, open: flags.browser !== false });
      cons.emit({ type: 'info', msg: `Serving ${path.join(targetDir, 'docs')} at ${server.url} (Ctrl-C to stop)` });
      await new Promise<void>((resolve) => {
        const stop = () => void server.close().then(resolve);
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      kit.setCode(0);
    });
}

function projectTargetDir(opts: { projectDir?: string; target?: string }): string {
  const { config } = loadProject({ projectDir: opts.projectDir, target: opts.target });
  return path.resolve(config.root, config.targetPath);
}
