import type { Adapter, Dialect, TargetConfig } from '../contracts/adapter.js';

/** dbt's `quoting:` (project, target): which name parts are quoted when mflow writes them. */
export type Quoting = { database?: boolean; schema?: boolean; identifier?: boolean; column?: boolean };

/**
 * What a warehouse says about itself, so nothing outside its folder branches on its name: the
 * profile keys it accepts, its defaults, its dialect and how to connect. Registered once in
 * `src/adapters/index.ts`.
 */
export interface Warehouse {
  readonly type: string;
  /** Profile keys of a target of this type; others get a "did you mean" warning at load. */
  readonly targetKeys: readonly string[];
  readonly defaultThreads: number;
  /** Jinja: this warehouse's `<type>__x` implementations of the cross-database macros. */
  readonly macros: string;
  /** Defaults and paths of a rendered target, filled in place (`root`: the project folder). */
  completeTarget?(target: Record<string, unknown>, root: string): void;
  /** Checks this warehouse's own keys of a rendered target; throws a CONFIG error at the profile's line. */
  checkTarget?(target: Record<string, unknown>, where: { file: string; line: (...path: string[]) => number | undefined; name: string }): void;
  /** The SQL dialect, with the project's and the target's quoting (target wins). */
  dialect(target: TargetConfig, quoting: Quoting): Promise<Dialect>;
  /** OpenLineage's dataset namespace for this target (`snowflake://account`). */
  lineageNamespace(target: Record<string, unknown>): string;
  /** Opens the warehouse; `progress` receives lines worth showing while a slow login waits. */
  connect(target: TargetConfig, opts: { progress?: (message: string) => void }): Promise<Adapter>;
}
