/**
 * Parsed selection: the tree both `--select/--exclude` strings and `selectors.yml` definitions
 * turn into, so one evaluator serves both.
 */
export type IndirectSelection = 'eager' | 'cautious' | 'buildable' | 'empty';

export const INDIRECT_SELECTION_MODES: readonly IndirectSelection[] = ['eager', 'cautious', 'buildable', 'empty'];

export const METHOD_NAMES = [
  'fqn',
  'tag',
  'group',
  'source',
  'path',
  'file',
  'package',
  'config',
  'test_name',
  'test_type',
  'resource_type',
  'state',
  'result',
  'version',
  'unique_id',
  'exposure',
  'metric',
  'semantic_model',
  'saved_query',
  'access',
] as const;

export type MethodName = (typeof METHOD_NAMES)[number];

/** dbt methods for resources mflow does not have; named so the error says so instead of guessing. */
export const UNSUPPORTED_DBT_METHODS: Record<string, string> = {
  source_status: 'source freshness results are not compared between runs yet',
};

/** Where a selection came from, so errors point at the flag or the selectors.yml line. */
export interface SpecOrigin {
  file?: string;
  line?: number;
  column?: number;
}

export interface SelectionCriteria extends SpecOrigin {
  kind: 'criteria';
  method: MethodName;
  /** `config.materialized` -> ['materialized']; `state:modified.body` keeps its suffix in `value`. */
  methodArgs: string[];
  value: string;
  /** `+x`: ancestors; depth undefined = all generations. */
  parents: boolean;
  parentsDepth?: number;
  /** `x+`: descendants. */
  children: boolean;
  childrenDepth?: number;
  /** `@x`: descendants and all their ancestors. */
  childrensParents: boolean;
  indirectSelection?: IndirectSelection;
  /** No `method:` was written; a bare value that names a project folder or file also selects by path, as in dbt. */
  implicitMethod?: boolean;
  raw: string;
}

export interface SelectionSet extends SpecOrigin {
  kind: 'union' | 'intersection' | 'difference';
  /** For a difference: the first component minus the union of the others. */
  components: SelectionSpec[];
  indirectSelection?: IndirectSelection;
  /** Warn when this part of the selection matches nothing (each CLI term, like dbt). */
  expectExists?: boolean;
  raw: string;
}

export type SelectionSpec = SelectionCriteria | SelectionSet;
