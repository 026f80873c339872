import { resolve } from 'node:path';
import type { ResourceType } from '../contracts/manifest.js';
import { readManifest, readRunResults } from '../artifacts/write.js';
import { selectNodesDetailed } from '../graph/selector-eval.js';
import { MflowError } from '../errors.js';
import type { CommonOptions, Session } from './session.js';

/** The nodes a command's selection picks (in its own module: `compile` selects without loading the runner). */
export function selectFor(session: Session, opts: CommonOptions, types: ResourceType[]): string[] {
  const state = opts.state ? readManifest(resolve(opts.state)) : undefined;
  if (opts.state && !state) throw new MflowError('USAGE', `--state ${opts.state} has no manifest.json`, { hint: 'Point --state at the target folder of an earlier run.' });
  const sel = selectNodesDetailed(session.manifest, () => session.dag, {
    select: opts.select,
    exclude: opts.exclude,
    selector: opts.selector,
    resourceTypes: types,
    state: state ?? undefined,
    results: readRunResults(session.targetDir) ?? undefined,
  }, session.selectorsFile());
  for (const w of sel.warnings) session.console.emit({ type: 'warn', msg: w });
  return [...sel.selected];
}
