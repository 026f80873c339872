/** The graph stage: DAG over a manifest and dbt-style node selection. See README.md. */
export { Dag } from './dag.js';
export { selectNodes, selectNodesDetailed, selectionSpec, type SelectArgs, type Selection } from './selector-eval.js';
export { parseSelectorsYaml, type SelectorsFile, type SelectorDefinition } from './selectors-yaml.js';
export { parseCriteria, parseUnion } from './selector-parse.js';
export { METHOD_NAMES, INDIRECT_SELECTION_MODES, type IndirectSelection, type MethodName, type SelectionSpec, type SelectionCriteria, type SelectionSet } from './selector-spec.js';
export { STATE_CHECKS, StateComparator, type StateCheck } from './state.js';
