import { closest, MflowError } from '../errors.js';
import { INDIRECT_SELECTION_MODES, METHOD_NAMES, UNSUPPORTED_DBT_METHODS, type IndirectSelection, type MethodName, type SelectionCriteria, type SelectionSet, type SelectionSpec, type SpecOrigin } from './selector-spec.js';

// dbt's grammar for one term: [@][N+][method[.arg...]:]value[+N]
const TERM = /^(?<at>@)?(?:(?<pdepth>\d*)(?<plus>\+))?(?:(?<method>[\w.]+):)?(?<value>.*?)(?:(?<cplus>\+)(?<cdepth>\d*))?$/s;

const FILE_EXTENSIONS = ['.sql', '.py', '.csv', '.yml', '.yaml'];

/** Method used when a term has no `method:` prefix, as in dbt: a path, a file name, else an fqn/name. */
function defaultMethod(value: string): MethodName {
  if (value.includes('/') || value.includes('\\')) return 'path';
  if (FILE_EXTENSIONS.some((e) => value.toLowerCase().endsWith(e))) return 'file';
  return 'fqn';
}

/** Parse one term such as `2+tag:nightly+1` or `@stg_claims`. */
export function parseCriteria(raw: string, origin: SpecOrigin = {}, indirect?: IndirectSelection): SelectionCriteria {
  const m = TERM.exec(raw);
  if (!m || !m.groups) throw selectorError(`Invalid selector "${raw}"`, origin);
  const g = m.groups;
  if (g.at && g.plus) {
    throw selectorError(`Invalid selector "${raw}": "@" and a leading "+" cannot be combined`, origin, `"@x" already includes every ancestor of x's descendants; write "@x" or "+x+".`);
  }
  let method: MethodName;
  let methodArgs: string[] = [];
  if (g.method !== undefined) {
    const [name, ...args] = g.method.split('.');
    method = checkMethod(name, raw, origin);
    methodArgs = args;
    if (method === 'config' && args.length === 0) {
      throw selectorError(`Invalid selector "${raw}": config needs a key, like config.materialized:table`, origin);
    }
  } else {
    method = defaultMethod(g.value);
  }
  const value = g.value;
  if (value === '') throw selectorError(`Invalid selector "${raw}": nothing to select after the method`, origin, 'Write method:value, e.g. tag:nightly.');
  return {
    kind: 'criteria',
    method,
    methodArgs,
    value,
    parents: Boolean(g.plus),
    parentsDepth: g.pdepth ? Number(g.pdepth) : undefined,
    children: Boolean(g.cplus),
    childrenDepth: g.cdepth ? Number(g.cdepth) : undefined,
    childrensParents: Boolean(g.at),
    indirectSelection: indirect,
    implicitMethod: g.method === undefined,
    raw,
    ...origin,
  };
}

export function checkMethod(name: string, raw: string, origin: SpecOrigin): MethodName {
  if ((METHOD_NAMES as readonly string[]).includes(name)) return name as MethodName;
  if (name in UNSUPPORTED_DBT_METHODS) {
    throw selectorError(`Selection method "${name}" in "${raw}" is not supported: ${UNSUPPORTED_DBT_METHODS[name]}`, origin, `Supported methods: ${METHOD_NAMES.join(', ')}.`);
  }
  const guess = closest(name, METHOD_NAMES);
  throw selectorError(
    `Unknown selection method "${name}" in "${raw}"${guess ? `. Did you mean "${guess}"?` : ''}`,
    origin,
    `Supported methods: ${METHOD_NAMES.join(', ')}.`,
  );
}

export function checkIndirect(value: unknown, origin: SpecOrigin): IndirectSelection {
  if (typeof value === 'string' && (INDIRECT_SELECTION_MODES as readonly string[]).includes(value)) return value as IndirectSelection;
  const guess = typeof value === 'string' ? closest(value, INDIRECT_SELECTION_MODES) : undefined;
  throw selectorError(`Invalid indirect_selection "${String(value)}"${guess ? `. Did you mean "${guess}"?` : ''}`, origin, `Use one of: ${INDIRECT_SELECTION_MODES.join(', ')}.`);
}

/**
 * Parse `--select`/`--exclude` values: every list entry and every space-separated word is a union
 * member, commas inside a word intersect. Each word is expected to match something (warned otherwise).
 */
export function parseUnion(values: readonly string[], indirect?: IndirectSelection, origin: SpecOrigin = {}): SelectionSet {
  const words = values.flatMap((v) => v.split(/\s+/)).filter((w) => w !== '');
  const components: SelectionSpec[] = words.map((word) => {
    const parts = word.split(',').filter((p) => p !== '');
    const criteria = parts.map((p) => parseCriteria(p, origin, indirect));
    const set: SelectionSet = { kind: 'intersection', components: criteria, indirectSelection: indirect, expectExists: true, raw: word, ...origin };
    return set;
  });
  return { kind: 'union', components, indirectSelection: indirect, raw: values.join(' '), ...origin };
}

export function selectorError(message: string, origin: SpecOrigin, hint?: string): MflowError {
  return new MflowError('SELECTOR', message, { file: origin.file, line: origin.line, column: origin.column, hint });
}
