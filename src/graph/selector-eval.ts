import type { Manifest, ResourceType } from '../contracts/manifest.js';
import type { RunResults } from '../contracts/results.js';
import { closest, MflowError } from '../errors.js';
import type { Dag } from './dag.js';
import { indexFor, type NodeIndex } from './node-index.js';
import { lazyNodesOf } from '../parse/partial/lazy.js';
import { searchMethod, type MethodContext } from './selector-methods.js';
import { parseCriteria, parseUnion } from './selector-parse.js';
import type { IndirectSelection, SelectionCriteria, SelectionSet, SelectionSpec } from './selector-spec.js';
import type { SelectorsFile } from './selectors-yaml.js';

export interface SelectArgs {
  /** `--select` values; each entry and each space-separated word is a union member. */
  select?: string[];
  exclude?: string[];
  /** `--selector`: a name defined in selectors.yml. */
  selector?: string;
  /** Keep only these types (`dbt run` = models; `build` = model, seed, snapshot, test, unit_test). Undefined keeps all. */
  resourceTypes?: ResourceType[];
  /** How tests follow the nodes they test. Default `eager`: a test goes when any parent goes. */
  indirectSelection?: IndirectSelection;
  /** The `--state` manifest, for `state:` methods. */
  state?: Manifest;
  /** run_results.json of a previous run, for `result:` methods. */
  results?: RunResults;
  /** Called once per warning (e.g. a term that matches nothing); `selectNodes` users get them here. */
  onWarning?: (message: string) => void;
}

export interface Selection {
  selected: Set<string>;
  /** Terms that matched no enabled node, with a did-you-mean when one is close. Not fatal, as in dbt. */
  warnings: string[];
}

/** The selected unique_ids. Warnings go to `args.onWarning`; use `selectNodesDetailed` to get them back. */
export function selectNodes(manifest: Manifest, dag: Dag, args: SelectArgs = {}, selectorsYaml?: SelectorsFile): Set<string> {
  const { selected, warnings } = selectNodesDetailed(manifest, dag, args, selectorsYaml);
  if (args.onWarning) for (const w of warnings) args.onWarning(w);
  return selected;
}

/** Resource types whose nodes are all in `manifest.nodes`. */
const NODE_TYPES = new Set<string>(['model', 'test', 'seed', 'snapshot', 'analysis', 'unit_test']);

/**
 * The whole project (no --select, --exclude, --selector or default selector) of node types: what
 * `unique_id:*` selects, without the graph or the selection index over every node (10,000 models:
 * about 0.1-0.2 s of a compile each). Null when the arguments ask for more.
 */
export function wholeProject(manifest: Manifest, args: SelectArgs, selectorsYaml?: SelectorsFile): Selection | null {
  const blank = (xs?: string[]) => !(xs ?? []).some((x) => x.trim() !== '');
  if (!(blank(args.select) && blank(args.exclude) && args.selector === undefined && !selectorsYaml?.defaultSelector && args.resourceTypes?.every((t) => NODE_TYPES.has(t)))) return null;
  const types = new Set<string>(args.resourceTypes);
  const selected = new Set<string>();
  // A lazily read manifest answers from its index without reading the nodes (parse/partial/lazy.ts).
  const lz = lazyNodesOf(manifest.nodes);
  if (lz) {
    for (const id of lz.ids()) {
      const b = lz.brief(id)!;
      if (types.has(b.resource_type) && b.enabled) selected.add(id);
    }
  } else for (const [id, n] of Object.entries(manifest.nodes)) if (types.has(n.resource_type) && n.config?.enabled !== false) selected.add(id);
  return { selected, warnings: [] };
}

export function selectNodesDetailed(manifest: Manifest, dag: Dag | (() => Dag), args: SelectArgs = {}, selectorsYaml?: SelectorsFile): Selection {
  const whole = wholeProject(manifest, args, selectorsYaml);
  if (whole) return whole;
  if (typeof dag === 'function') dag = dag();
  const spec = selectionSpec(args, selectorsYaml);
  const ev = new Evaluator(manifest, dag, args);
  const { direct } = ev.evaluate(spec);
  const types = args.resourceTypes ? new Set<string>(args.resourceTypes) : undefined;
  const selected = new Set<string>();
  for (const id of direct) {
    const e = ev.index.get(id);
    if (!e || e.config.enabled === false) continue;
    if (types && !types.has(e.resourceType)) continue;
    selected.add(id);
  }
  return { selected, warnings: ev.warnings };
}

/** The spec the CLI flags describe: `--selector`, else `--select` (or the default selector, or everything) minus `--exclude`. */
export function selectionSpec(args: SelectArgs, selectorsYaml?: SelectorsFile): SelectionSpec {
  const indirect = args.indirectSelection;
  const hasSelect = (args.select ?? []).some((s) => s.trim() !== '');
  const hasExclude = (args.exclude ?? []).some((s) => s.trim() !== '');
  if (args.selector !== undefined) {
    if (hasSelect || hasExclude) {
      throw new MflowError('SELECTOR', `--selector cannot be combined with --select or --exclude`, {
        hint: 'Put the extra criteria into the selector definition in selectors.yml, or drop --selector.',
      });
    }
    return namedSelector(args.selector, selectorsYaml);
  }
  let include: SelectionSpec;
  if (hasSelect) include = parseUnion(args.select!, indirect);
  else if (selectorsYaml?.defaultSelector) include = namedSelector(selectorsYaml.defaultSelector, selectorsYaml);
  else include = everything(indirect);
  if (!hasExclude) return include;
  return { kind: 'difference', components: [include, parseUnion(args.exclude!, indirect)], indirectSelection: indirect, raw: `${include.raw} --exclude ${args.exclude!.join(' ')}` };
}

function everything(indirect?: IndirectSelection): SelectionCriteria {
  return parseCriteria('unique_id:*', {}, indirect);
}

function namedSelector(name: string, file?: SelectorsFile): SelectionSpec {
  const def = file?.selectors[name];
  if (def) return def.definition;
  const names = Object.keys(file?.selectors ?? {});
  const guess = closest(name, names);
  throw new MflowError('SELECTOR', `No selector named "${name}"${guess ? `. Did you mean "${guess}"?` : ''}`, {
    file: file?.file ?? 'selectors.yml',
    hint: names.length ? `Defined selectors: ${names.join(', ')}.` : 'Define it under `selectors:` in selectors.yml at the project root.',
  });
}

interface Result {
  direct: Set<string>;
  /** Tests waiting for more of their parents (cautious/buildable), as in dbt. */
  indirect: Set<string>;
}

/** dbt's selection algorithm: method search, graph operators, then tests pulled in indirectly. */
class Evaluator {
  readonly index: NodeIndex;
  readonly warnings: string[] = [];
  private readonly ctx: MethodContext;
  private readonly defaultIndirect: IndirectSelection;

  constructor(
    manifest: Manifest,
    private readonly dag: Dag,
    args: SelectArgs,
  ) {
    this.index = indexFor(manifest);
    this.ctx = { index: this.index, state: args.state, results: args.results };
    this.defaultIndirect = args.indirectSelection ?? 'eager';
  }

  evaluate(spec: SelectionSpec): Result {
    if (spec.kind === 'criteria') return this.criteria(spec);
    const parts = spec.components.map((c) => this.evaluate(c));
    const direct = combine(spec.kind, parts.map((p) => p.direct));
    // Eager selection never holds tests back, so the common case skips the second set algebra.
    const indirect = parts.every((p) => p.indirect.size === 0) ? direct : combine(spec.kind, parts.map((p) => union(p.direct, p.indirect)));
    const mode = spec.indirectSelection ?? this.defaultIndirect;
    const selected = this.incorporateIndirect(direct, indirect, mode);
    if (spec.expectExists && selected.size === 0) this.warnNoMatch(spec);
    return { direct: selected, indirect };
  }

  private criteria(c: SelectionCriteria): Result {
    const found = searchMethod(c, this.ctx);
    const operators = c.childrensParents || c.parents || c.children;
    const all = operators ? new Set(found) : found;
    if (c.childrensParents) {
      const down = this.dag.descendantsOf(found);
      for (const id of found) down.add(id);
      addAll(all, down);
      addAll(all, this.dag.ancestorsOf(down));
    }
    if (c.parents) addAll(all, this.dag.ancestorsOf(found, c.parentsDepth));
    if (c.children) addAll(all, this.dag.descendantsOf(found, c.childrenDepth));
    return this.expandIndirect(all, c.indirectSelection ?? this.defaultIndirect);
  }

  /** Tests (and unit tests) that hang off selected nodes. */
  private expandIndirect(selected: Set<string>, mode: IndirectSelection): Result {
    // Grows `selected` in place (the caller owns it): tests are never parents of other tests'
    // parents, so "all parents selected" reads the same before and after a test is added.
    const direct = selected;
    const indirect = new Set<string>();
    if (mode === 'empty') return { direct, indirect };
    const buildable = mode === 'buildable' ? this.withParents(selected) : undefined;
    // Tests added while iterating are visited too; they have no children, so that is harmless.
    for (const id of selected) {
      for (const child of this.dag.childrenView(id)) {
        if (direct.has(child) || !this.isTest(child)) continue;
        const parents = this.dag.parentsView(child);
        if (mode === 'eager' || parents.every((p) => selected.has(p))) direct.add(child);
        else if (buildable && parents.every((p) => buildable.has(p))) direct.add(child);
        else indirect.add(child);
      }
    }
    return { direct, indirect };
  }

  /** After a union/intersection, a test held back may now have all its parents. */
  private incorporateIndirect(direct: Set<string>, indirect: Set<string>, mode: IndirectSelection): Set<string> {
    if (mode !== 'cautious' && mode !== 'buildable') return direct;
    const selected = new Set(direct);
    const pool = mode === 'buildable' ? this.withParents(direct) : direct;
    for (const id of indirect) {
      if (selected.has(id) || !this.isTest(id)) continue;
      if (this.dag.parentsView(id).every((p) => pool.has(p))) selected.add(id);
    }
    return selected;
  }

  /** Selected nodes, their ancestors and every source: what `buildable` lets a test depend on. */
  private withParents(ids: Set<string>): Set<string> {
    const out = this.dag.ancestorsOf(ids);
    addAll(out, ids);
    addAll(out, this.index.sources);
    return out;
  }

  private isTest(id: string): boolean {
    const t = this.index.get(id)?.resourceType;
    return t === 'test' || t === 'unit_test';
  }

  private warnNoMatch(spec: SelectionSet): void {
    let msg = `The selection criterion '${spec.raw}' does not match any enabled nodes`;
    const only = spec.components.length === 1 ? spec.components[0] : undefined;
    if (only?.kind === 'criteria' && only.method === 'fqn' && !only.value.includes('*')) {
      const guess = closest(only.value, this.index.byLeaf.keys(), 2);
      if (guess) msg += `. Did you mean "${guess}"?`;
    }
    this.warnings.push(msg);
  }
}

function combine(kind: SelectionSet['kind'], sets: Set<string>[]): Set<string> {
  if (sets.length === 0) return new Set();
  if (kind === 'union') {
    const out = new Set<string>();
    for (const s of sets) addAll(out, s);
    return out;
  }
  if (kind === 'intersection') {
    const sorted = [...sets].sort((a, b) => a.size - b.size);
    const out = new Set<string>();
    for (const id of sorted[0]) if (sorted.every((s) => s.has(id))) out.add(id);
    return out;
  }
  const out = new Set(sets[0]);
  for (const s of sets.slice(1)) for (const id of s) out.delete(id);
  return out;
}

function addAll(target: Set<string>, src: Iterable<string>): void {
  for (const x of src) target.add(x);
}

function union(a: Set<string>, b: Set<string>): Set<string> {
  const out = new Set(a);
  addAll(out, b);
  return out;
}
