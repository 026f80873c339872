import type { Command } from 'commander';
import type { Console } from '../console/console.js';
import type { CommonOptions } from '../run/session.js';
import { register as registerData } from './data.js';
import { register as registerFreshness } from './freshness.js';
import { register as registerDocs } from './docs.js';
import { register as registerPipeline } from './pipeline.js';
import { register as registerDeps } from './deps.js';

export interface CliKit {
  addCommon(cmd: Command, withSelect?: boolean): Command;
  addRunFlags(cmd: Command): Command;
  common(flags: Record<string, unknown>, console: Console): CommonOptions;
  makeConsole(flags: { logFormat?: string }): Console;
  setCode(code: number): void;
}

/** Commands beyond the core (docs, generate, ingest, source freshness, pipeline) register here. */
export function extraCommands(program: Command, kit: CliKit): void {
  registerData(program, kit);
  registerFreshness(program, kit);
  registerDocs(program, kit);
  registerPipeline(program, kit);
  registerDeps(program, kit);
}
