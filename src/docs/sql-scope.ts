/**
 * Column lineage over DuckDB's own parse tree (the JSON that `json_serialize_sql()` returns).
 * We walk the tree with SQL's scoping rules (CTEs, FROM aliases, subqueries, set operations) and
 * resolve every column reference to the relation it comes from. Nothing here guesses from text:
 * when a reference cannot be pinned to one relation, the column is reported as untraced with the
 * reason, so the docs site can say "unknown" instead of drawing a wrong edge.
 */

/** A column of a manifest node (model, seed, snapshot or source). */
export interface ColumnRef {
  unique_id: string;
  column: string;
}

/** Where an expression's value comes from: known upstream columns plus reasons for the rest. */
export interface Origin {
  refs: ColumnRef[];
  untraced: string[];
  /** The strongest change on the way from the inputs (through CTEs and subqueries): an aggregate beats an expression. */
  kind?: 'expression' | 'aggregate';
}

export interface OutputColumn {
  /** Null when the expression has no alias and is not a plain column (DuckDB names it itself). */
  name: string | null;
  origin: Origin;
  transform: 'identity' | 'rename' | 'expression' | 'aggregate' | 'constant';
}

/** The columns a relation exposes inside a query, or why they are unknown. */
export interface RelColumns {
  /** The manifest node behind a base relation, when there is one. */
  uniqueId?: string;
  /** Null when the column list is unknown (e.g. `select *` from an untraceable relation). */
  columns: OutputColumn[] | null;
  /** Why the column list (or the relation) is unknown. */
  reason?: string;
  /** True when the relation itself is not in the manifest: its columns cannot be attributed. */
  foreign?: boolean;
  /** The columns that are known when a `select *` could not be expanded. */
  partial?: OutputColumn[];
}

/** Maps a table name in FROM to a manifest relation and its columns. */
export type TableResolver = (catalog: string, schema: string, table: string) => RelColumns | null;

type J = any; // eslint-disable-line @typescript-eslint/no-explicit-any -- DuckDB's parse tree is untyped JSON

interface ScopeRel {
  alias: string;
  rel: RelColumns;
}

interface Scope {
  rels: ScopeRel[];
  outer?: Scope;
  /** Aliases defined earlier in the same select list (DuckDB lets later items use them). */
  selectAliases?: Map<string, Origin>;
  lambdaParams?: Set<string>;
}

interface Ctx {
  ctes: Map<string, RelColumns>;
  resolve: TableResolver;
  /** Columns read by WHERE, HAVING, QUALIFY and JOIN conditions anywhere in the statement: they decide which rows exist. */
  filters: Origin;
}

/** DuckDB aggregate functions by the name its parser gives them (count(*) is count_star). */
const AGGREGATES = new Set(['count', 'count_star', 'sum', 'avg', 'mean', 'min', 'max', 'any_value', 'first', 'last', 'arbitrary', 'string_agg', 'group_concat', 'listagg', 'list', 'array_agg', 'median', 'mode', 'quantile', 'quantile_cont', 'quantile_disc', 'approx_count_distinct', 'approx_quantile', 'stddev', 'stddev_pop', 'stddev_samp', 'variance', 'var_pop', 'var_samp', 'bool_and', 'bool_or', 'bit_and', 'bit_or', 'arg_max', 'arg_min', 'max_by', 'min_by', 'product', 'fsum', 'sumkahan', 'kahan_sum', 'histogram', 'count_if', 'countif', 'corr', 'covar_pop', 'covar_samp', 'entropy', 'kurtosis', 'skewness', 'favg', 'bitstring_agg', 'geomean', 'sem', 'mad']);

const lc = (s: string) => s.toLowerCase();

export function emptyOrigin(): Origin {
  return { refs: [], untraced: [] };
}

function mergeInto(a: Origin, b: Origin): void {
  if (b.kind === 'aggregate' || (b.kind && !a.kind)) a.kind = b.kind;
  for (const r of b.refs) if (!a.refs.some((x) => x.unique_id === r.unique_id && lc(x.column) === lc(r.column))) a.refs.push(r);
  for (const u of b.untraced) if (!a.untraced.includes(u)) a.untraced.push(u);
}

/** Analyse a parsed statement (`statements[i].node`) and return its output columns. */
export function analyzeStatement(node: J, resolve: TableResolver): RelColumns & { filters: Origin } {
  const filters = emptyOrigin();
  return { ...analyzeQuery(node, { ctes: new Map(), resolve, filters }, undefined), filters };
}

function analyzeQuery(node: J, ctx: Ctx, outer: Scope | undefined): RelColumns {
  const ctes = new Map(ctx.ctes);
  const inner: Ctx = { ctes, resolve: ctx.resolve, filters: ctx.filters };
  for (const entry of node?.cte_map?.map ?? []) {
    const name = lc(entry.key as string);
    const rel = analyzeQuery(entry.value?.query?.node, inner, outer);
    const aliases: string[] = entry.value?.aliases ?? [];
    ctes.set(name, renameColumns(rel, aliases));
  }
  switch (node?.type) {
    case 'SELECT_NODE':
      return analyzeSelect(node, inner, outer);
    case 'SET_OPERATION_NODE':
    case 'RECURSIVE_CTE_NODE': {
      const left = analyzeQuery(node.left, inner, outer);
      const right = analyzeQuery(node.right, inner, outer);
      if (!left.columns) return left;
      return {
        columns: left.columns.map((c, i) => {
          const origin: Origin = { refs: [...c.origin.refs], untraced: [...c.origin.untraced] };
          const r = right.columns?.[i];
          if (r) mergeInto(origin, r.origin);
          else origin.untraced.push(right.reason ?? 'the other branch of the set operation has unknown columns');
          return { name: c.name, origin, transform: 'expression' as const };
        }),
      };
    }
    default:
      return { columns: null, reason: `query of type ${String(node?.type)} is not analysed` };
  }
}

function renameColumns(rel: RelColumns, aliases: string[]): RelColumns {
  if (!aliases.length || !rel.columns) return rel;
  return { ...rel, columns: rel.columns.map((c, i) => (i < aliases.length ? { ...c, name: aliases[i] } : c)) };
}

function analyzeSelect(node: J, ctx: Ctx, outer: Scope | undefined): RelColumns {
  const scope: Scope = { rels: [], outer, selectAliases: new Map() };
  addFrom(node.from_table, ctx, scope, outer);
  for (const f of [node.where_clause, node.having, node.qualify, ...joinConditions(node.from_table)]) if (f) walk(f, scope, ctx, ctx.filters);
  const out: OutputColumn[] = [];
  let unknownStar: string | undefined;
  for (const item of node.select_list ?? []) {
    if (item.class === 'STAR') {
      const expanded = expandStar(item, scope, ctx);
      if (expanded.columns) out.push(...expanded.columns);
      else unknownStar = unknownStar ?? expanded.reason;
      continue;
    }
    const origin = collect(item, scope, ctx);
    const alias: string = item.alias ?? '';
    let name: string | null = alias || null;
    let transform: OutputColumn['transform'] = 'expression';
    if (item.class === 'COLUMN_REF') {
      const names: string[] = item.column_names;
      const col = names[names.length - 1];
      name = alias || col;
      transform = alias && lc(alias) !== lc(col) ? 'rename' : 'identity';
    } else if (isConstant(item)) {
      transform = 'constant';
    }
    // Through CTEs and subqueries the change made upstream in this model counts: `select w.n` over
    // `w as (select count(*) as n ...)` is an aggregate, not an identity.
    if (transform === 'expression' && !origin.kind) origin.kind = 'expression';
    if (origin.kind === 'aggregate' && transform !== 'constant') transform = 'aggregate';
    else if (origin.kind === 'expression' && (transform === 'identity' || transform === 'rename')) transform = 'expression';
    if (name) scope.selectAliases!.set(lc(name), origin);
    out.push({ name, origin, transform });
  }
  if (unknownStar) return { columns: null, reason: unknownStar, partial: out };
  return { columns: out };
}

function joinConditions(t: J): J[] {
  if (!t || t.type !== 'JOIN') return [];
  return [t.condition, ...joinConditions(t.left), ...joinConditions(t.right)];
}

function isConstant(e: J): boolean {
  return e?.class === 'CONSTANT' || (e?.class === 'CAST' && isConstant(e.child));
}

function addFrom(t: J, ctx: Ctx, scope: Scope, outer: Scope | undefined): void {
  if (!t) return;
  switch (t.type) {
    case 'EMPTY':
      return;
    case 'BASE_TABLE': {
      const table: string = t.table_name;
      const schema: string = t.schema_name ?? '';
      const catalog: string = t.catalog_name ?? '';
      let rel: RelColumns | null = null;
      if (!schema && !catalog) {
        // An ephemeral model inlined as a CTE still counts as its own node: that is one hop.
        if (/^__dbt__cte__/i.test(table)) rel = ctx.resolve('', '', table);
        rel = rel ?? ctx.ctes.get(lc(table)) ?? null;
      }
      rel = rel ?? ctx.resolve(catalog, schema, table);
      const shown = [catalog, schema, table].filter(Boolean).join('.');
      rel = rel ?? { columns: null, foreign: true, reason: `relation ${shown} is not a model, seed, snapshot or source of this project` };
      scope.rels.push({ alias: lc(t.alias || table), rel: renameColumns(rel, t.column_name_alias ?? []) });
      return;
    }
    case 'JOIN':
      addFrom(t.left, ctx, scope, outer);
      addFrom(t.right, ctx, scope, outer);
      return;
    case 'SUBQUERY': {
      const rel = analyzeQuery(t.subquery?.node, ctx, outer);
      scope.rels.push({ alias: lc(t.alias || ''), rel: renameColumns(rel, t.column_name_alias ?? []) });
      return;
    }
    case 'TABLE_FUNCTION': {
      const fn = t.function?.function_name ?? 'a table function';
      scope.rels.push({ alias: lc(t.alias || fn), rel: { columns: null, foreign: true, reason: `reads from table function ${fn}()` } });
      return;
    }
    case 'EXPRESSION_LIST': {
      const width = t.values?.[0]?.length ?? 0;
      const names: string[] = t.expected_names?.length ? t.expected_names : Array.from({ length: width }, (_, i) => `col${i}`);
      scope.rels.push({
        alias: lc(t.alias || 'valueslist'),
        rel: renameColumns({ columns: names.map((n) => ({ name: n, origin: emptyOrigin(), transform: 'constant' as const })) }, t.column_name_alias ?? []),
      });
      return;
    }
    default:
      scope.rels.push({ alias: lc(t.alias || ''), rel: { columns: null, foreign: true, reason: `FROM item of type ${String(t.type)} (e.g. PIVOT) is not analysed` } });
  }
}

function expandStar(item: J, scope: Scope, ctx: Ctx): RelColumns {
  if (item.columns) return { columns: null, reason: 'COLUMNS(...) selects columns by pattern, which is not traced' };
  const rels = item.relation_name ? scope.rels.filter((r) => r.alias === lc(item.relation_name)) : scope.rels;
  if (!rels.length) return { columns: null, reason: `select * from ${item.relation_name || 'nothing'}: relation not found in FROM` };
  const exclude = new Set<string>((item.exclude_list ?? []).map((e: J) => lc(typeof e === 'string' ? e : String(e?.name ?? e))));
  for (const q of item.qualified_exclude_list ?? []) {
    const parts = (q?.column_names ?? q?.name ?? []) as string[] | string;
    exclude.add(lc(Array.isArray(parts) ? parts[parts.length - 1] : String(parts)));
  }
  const replace = new Map<string, J>();
  for (const r of item.replace_list ?? []) replace.set(lc(r.key ?? r.name ?? ''), r.value ?? r.expr);
  const renames = new Map<string, string>();
  for (const r of item.rename_list ?? []) {
    const from = r.key?.column_names ?? r.key;
    renames.set(lc(Array.isArray(from) ? from[from.length - 1] : String(from)), String(r.value));
  }
  const out: OutputColumn[] = [];
  for (const { rel } of rels) {
    if (!rel.columns) {
      const why = rel.reason ?? 'its columns are unknown';
      return { columns: null, reason: `select * from a relation whose columns are unknown: ${why}` };
    }
    for (const c of rel.columns) {
      if (!c.name || exclude.has(lc(c.name))) continue;
      const rep = replace.get(lc(c.name));
      if (rep) {
        out.push({ name: c.name, origin: collect(rep, scope, ctx), transform: 'expression' });
        continue;
      }
      const renamed = renames.get(lc(c.name));
      out.push({ name: renamed ?? c.name, origin: c.origin, transform: renamed ? 'rename' : c.transform === 'constant' ? 'constant' : 'identity' });
    }
  }
  return { columns: out };
}

/** Every column an expression reads, resolved through the scope chain. */
function collect(expr: J, scope: Scope, ctx: Ctx): Origin {
  const origin = emptyOrigin();
  walk(expr, scope, ctx, origin);
  return origin;
}

function walk(e: J, scope: Scope, ctx: Ctx, acc: Origin): void {
  if (e === null || typeof e !== 'object') return;
  if (Array.isArray(e)) {
    for (const x of e) walk(x, scope, ctx, acc);
    return;
  }
  if (e.class === 'COLUMN_REF') {
    mergeInto(acc, resolveColumn(e.column_names as string[], scope));
    return;
  }
  if (e.class === 'FUNCTION' && AGGREGATES.has(lc(String(e.function_name)))) acc.kind = 'aggregate';
  if (e.class === 'SUBQUERY') {
    const rel = analyzeQuery(e.subquery?.node, ctx, scope);
    if (rel.columns) for (const c of rel.columns) mergeInto(acc, c.origin);
    else acc.untraced.push(rel.reason ?? 'subquery with unknown columns');
    if (e.child) walk(e.child, scope, ctx, acc);
    return;
  }
  if (e.class === 'LAMBDA') {
    const params = new Set(scope.lambdaParams);
    const lhs = e.lhs;
    const names = lhs?.class === 'COLUMN_REF' ? [lhs] : (lhs?.children ?? []);
    for (const p of names) if (p?.column_names) params.add(lc(p.column_names[p.column_names.length - 1]));
    walk(e.expr, { ...scope, lambdaParams: params }, ctx, acc);
    return;
  }
  for (const [k, v] of Object.entries(e)) {
    if (k === 'value' && e.class === 'CONSTANT') continue;
    if (v && typeof v === 'object') walk(v, scope, ctx, acc);
  }
}

function lookup(rel: RelColumns, col: string): Origin | 'missing' | 'unknown' {
  if (!rel.columns) return 'unknown';
  const hit = rel.columns.find((c) => c.name !== null && lc(c.name) === lc(col));
  return hit ? hit.origin : 'missing';
}

function fromUnknown(rel: RelColumns, col: string): Origin {
  if (rel.uniqueId && !rel.foreign) return { refs: [{ unique_id: rel.uniqueId, column: col }], untraced: [] };
  return { refs: [], untraced: [`column ${col}: ${rel.reason ?? 'comes from a relation with unknown columns'}`] };
}

function resolveColumn(names: string[], scope: Scope): Origin {
  const col = names[names.length - 1];
  if (names.length === 1 && scope.lambdaParams?.has(lc(col))) return emptyOrigin();
  for (let s: Scope | undefined = scope; s; s = s.outer) {
    if (names.length >= 2) {
      // a.b: a FROM alias and its column, or (when no alias matches) a struct column and its field.
      const qual = lc(names[names.length - 2]);
      const r = s.rels.find((x) => x.alias === qual);
      if (r) {
        const o = lookup(r.rel, col);
        if (o === 'unknown') return fromUnknown(r.rel, col);
        if (o === 'missing') return { refs: [], untraced: [`column ${names.join('.')} is not among the columns of ${qual}`] };
        return o;
      }
      const asStruct = resolveIn(s, names[0]);
      if (asStruct) return asStruct;
      continue;
    }
    const hit = resolveIn(s, col);
    if (hit) return hit;
  }
  return { refs: [], untraced: [`column ${names.join('.')} was not found in any relation of the query`] };
}

/** Resolve an unqualified name inside one scope level; undefined means "try the outer query". */
function resolveIn(s: Scope, col: string): Origin | undefined {
  const known = s.rels.filter((r) => r.rel.columns && lookup(r.rel, col) !== 'missing');
  if (known.length === 1) return lookup(known[0].rel, col) as Origin;
  if (known.length > 1) {
    // USING/NATURAL joins expose one column from two relations: keep both sources.
    const o = emptyOrigin();
    for (const k of known) mergeInto(o, lookup(k.rel, col) as Origin);
    return o;
  }
  const unknown = s.rels.filter((r) => !r.rel.columns);
  if (unknown.length === 1) return fromUnknown(unknown[0].rel, col);
  if (unknown.length > 1) {
    return { refs: [], untraced: [`column ${col} could come from any of ${unknown.length} relations whose columns are unknown`] };
  }
  const alias = s.selectAliases?.get(lc(col));
  if (alias) return alias;
  return undefined;
}
