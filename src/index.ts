/** mflow's importable API: the CLI is a thin layer over these. */
export { build, clean, compile, debug, ls, retry, run, seed, show, snapshot, test } from './api.js';
export type { CommonOptions, CompileResult, DebugReport, InvokeResult, LsItem } from './api.js';
export { MflowError, MflowErrors } from './errors.js';
export { CaptureConsole, JsonConsole, TerminalConsole, type Console, type ConsoleEvent } from './console/console.js';
export type * from './contracts/index.js';
