import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node, type YAMLMap } from 'yaml';
import { closest, MflowError } from '../errors.js';
import { checkIndirect, checkMethod, parseCriteria, parseUnion, selectorError } from './selector-parse.js';
import type { IndirectSelection, SelectionCriteria, SelectionSet, SelectionSpec, SpecOrigin } from './selector-spec.js';

/** One named selector from selectors.yml, its definition already parsed (and references resolved). */
export interface SelectorDefinition {
  name: string;
  description?: string;
  default: boolean;
  definition: SelectionSpec;
  line?: number;
}

export interface SelectorsFile {
  file: string;
  selectors: Record<string, SelectorDefinition>;
  /** The selector marked `default: true`, used when no --select/--selector is given. */
  defaultSelector?: string;
}

const SELECTOR_KEYS = ['name', 'description', 'default', 'definition'];
const CRITERIA_KEYS = ['method', 'value', 'children', 'parents', 'children_depth', 'parents_depth', 'childrens_parents', 'indirect_selection', 'exclude'];

/**
 * Parse dbt's selectors.yml. Jinja in the file (e.g. `default: "{{ target.name == 'prod' }}"`) must
 * be rendered by the caller first: selection has no target or vars to render it with.
 * Every problem is reported with the file and line of the offending entry.
 */
export function parseSelectorsYaml(text: string, file: string): SelectorsFile {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    throw new MflowError('YAML_SYNTAX', `Invalid YAML in ${file}: ${e.message.split('\n')[0]}`, {
      file,
      line: e.linePos?.[0]?.line,
      column: e.linePos?.[0]?.col,
      hint: 'Fix the YAML syntax; selectors.yml holds a `selectors:` list of {name, definition}.',
    });
  }
  const p = new SelectorsParser(doc, lineCounter, file);
  return p.parse();
}

class SelectorsParser {
  private readonly raw = new Map<string, { node: Node; map: YAMLMap }>();
  private readonly resolved = new Map<string, SelectionSpec>();
  private readonly resolving: string[] = [];

  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
    private readonly file: string,
  ) {}

  parse(): SelectorsFile {
    const out: SelectorsFile = { file: this.file, selectors: {} };
    const root = this.deref(this.doc.contents as Node | null);
    if (root === null || (isScalar(root) && (root.value === null || root.value === ''))) return out;
    if (!isMap(root)) throw this.err(root, `${this.file} must be a mapping with a "selectors:" list`);
    const list = this.deref(root.get('selectors', true) as Node | undefined);
    for (const pair of root.items) {
      const k = keyOf(pair.key);
      if (k !== 'selectors') throw this.err(pair.key as Node, `Unknown top-level key "${k}" in ${this.file}`, 'The file holds only a `selectors:` list.');
    }
    if (list === null || list === undefined) return out;
    if (!isSeq(list)) throw this.err(list, '"selectors" must be a list of {name, definition} entries');

    const entries: { name: string; map: YAMLMap; line?: number }[] = [];
    for (const item of list.items) {
      const map = this.deref(item as Node);
      if (!isMap(map)) throw this.err(map, 'Each selector must be a mapping with "name" and "definition"');
      for (const pair of map.items) {
        const k = keyOf(pair.key);
        if (!SELECTOR_KEYS.includes(k)) throw this.err(pair.key as Node, `Unknown key "${k}" in a selector${didYouMean(k, SELECTOR_KEYS)}`, `Allowed keys: ${SELECTOR_KEYS.join(', ')}.`);
      }
      const nameNode = this.deref(map.get('name', true) as Node | undefined);
      if (!isScalar(nameNode) || typeof nameNode.value !== 'string' || nameNode.value === '') throw this.err(map, 'A selector needs a "name" (a string)');
      const name = nameNode.value;
      if (this.raw.has(name)) throw this.err(nameNode, `Selector "${name}" is defined twice`, 'Selector names must be unique; rename or remove one.');
      if (!map.has('definition')) throw this.err(map, `Selector "${name}" has no "definition"`, 'Add `definition:` with a selector string, a method: value pair or a union/intersection.');
      this.raw.set(name, { node: map.get('definition', true) as Node, map });
      entries.push({ name, map, line: this.pos(map).line });
    }

    for (const { name, map, line } of entries) {
      const definition = this.resolve(name, map);
      const desc = this.deref(map.get('description', true) as Node | undefined);
      const isDefault = this.parseDefault(map, name);
      out.selectors[name] = { name, description: isScalar(desc) && desc.value != null ? String(desc.value) : undefined, default: isDefault, definition, line };
      if (isDefault) {
        if (out.defaultSelector) {
          throw this.err(map, `Selectors "${out.defaultSelector}" and "${name}" both set default: true`, 'Only one selector can be the default.');
        }
        out.defaultSelector = name;
      }
    }
    return out;
  }

  private parseDefault(map: YAMLMap, name: string): boolean {
    const node = this.deref(map.get('default', true) as Node | undefined);
    if (node === undefined || node === null) return false;
    if (isScalar(node)) {
      if (typeof node.value === 'boolean') return node.value;
      if (typeof node.value === 'string' && /^(true|false)$/i.test(node.value.trim())) return node.value.trim().toLowerCase() === 'true';
    }
    throw this.err(node, `"default" of selector "${name}" must be true or false`, 'Render Jinja in selectors.yml before selecting, or write a literal true/false.');
  }

  private resolve(name: string, at: Node): SelectionSpec {
    const done = this.resolved.get(name);
    if (done) return done;
    const entry = this.raw.get(name);
    if (!entry) {
      const guess = closest(name, this.raw.keys());
      throw this.err(at, `Selector "${name}" is referenced but not defined${guess ? `. Did you mean "${guess}"?` : ''}`);
    }
    if (this.resolving.includes(name)) {
      throw this.err(at, `Selectors reference each other in a loop: ${[...this.resolving.slice(this.resolving.indexOf(name)), name].join(' -> ')}`);
    }
    this.resolving.push(name);
    const spec = this.definition(entry.node, true);
    this.resolving.pop();
    this.resolved.set(name, spec);
    return spec;
  }

  private definition(input: Node | undefined, root = false): SelectionSpec {
    const node = this.deref(input);
    const origin = this.pos(node);
    if (isScalar(node)) {
      if (typeof node.value !== 'string' || node.value.trim() === '') throw this.err(node, 'A selector definition string must not be empty');
      const s = node.value.trim();
      if (/[\s,]/.test(s)) {
        // CLI-style string with several terms; only --select terms warn when empty, as in dbt.
        const u = parseUnion([s], undefined, origin);
        for (const c of u.components) if (c.kind !== 'criteria') c.expectExists = false;
        return { ...u, raw: s };
      }
      return parseCriteria(s, origin);
    }
    if (isSeq(node)) throw this.err(node, 'A definition cannot be a bare list', 'Wrap the list in `union:` or `intersection:`.');
    if (!isMap(node)) throw this.err(node, 'Expected a selector string, a method: value pair or a union/intersection');
    const keys = node.items.map((p) => keyOf(p.key));
    if (keys.includes('union') || keys.includes('intersection')) {
      if (keys.length !== 1) throw this.err(node, `"union"/"intersection" must be the only key in its mapping (found ${keys.join(', ')})`);
      return this.setOperation(keys[0] as 'union' | 'intersection', node.get(keys[0], true) as Node, origin);
    }
    if (keys.length === 1 && keys[0] === 'exclude') {
      throw this.err(node, `"exclude" can only be an item of a union or intersection${root ? ' or a key next to method/value' : ''}`, 'Write `union: [<what to include>, {exclude: [...]}]`.');
    }
    if (keys.includes('method') || keys.includes('value')) return this.fullCriteria(node, keys, origin);
    if (keys.length === 1) {
      // Key-value shorthand: `tag: nightly`, `config.materialized: table`.
      return this.criteria(keys[0], this.scalarString(node.get(keys[0], true) as Node, keys[0]), {}, node, origin);
    }
    throw this.err(node, `Expected either one "method: value" key or "method" and "value" keys, found ${keys.join(', ')}`);
  }

  private setOperation(kind: 'union' | 'intersection', input: Node, origin: SpecOrigin): SelectionSpec {
    const list = this.deref(input);
    if (!isSeq(list)) throw this.err(list ?? input, `"${kind}" must be a list`);
    const include: SelectionSpec[] = [];
    let exclude: SelectionSpec | undefined;
    for (const item of list.items) {
      const n = this.deref(item as Node);
      if (isMap(n) && n.items.length === 1 && keyOf(n.items[0].key) === 'exclude') {
        if (exclude) throw this.err(n, `Only one "exclude" is allowed per ${kind}`, 'List everything to exclude under a single `exclude:`.');
        exclude = this.exclusions(n.items[0].value as Node, this.pos(n));
      } else {
        include.push(this.definition(n));
      }
    }
    const set: SelectionSet = { kind, components: include, raw: kind, ...origin };
    if (!exclude) return set;
    return { kind: 'difference', components: [set, exclude], raw: `${kind} minus exclude`, ...origin };
  }

  private exclusions(input: Node, origin: SpecOrigin): SelectionSpec {
    const list = this.deref(input);
    if (!isSeq(list)) throw this.err(list ?? input, '"exclude" must be a list of definitions');
    return { kind: 'union', components: list.items.map((i) => this.definition(i as Node)), raw: 'exclude', ...origin };
  }

  private fullCriteria(node: YAMLMap, keys: string[], origin: SpecOrigin): SelectionSpec {
    for (const k of keys) {
      if (!CRITERIA_KEYS.includes(k)) throw this.err(node.items.find((p) => keyOf(p.key) === k)!.key as Node, `Unknown key "${k}" in a selector criterion${didYouMean(k, CRITERIA_KEYS)}`, `Allowed keys: ${CRITERIA_KEYS.join(', ')}.`);
    }
    if (!keys.includes('method') || !keys.includes('value')) throw this.err(node, 'A criterion needs both "method" and "value"');
    const method = this.scalarString(node.get('method', true) as Node, 'method');
    const value = this.scalarString(node.get('value', true) as Node, 'value');
    if (method === 'selector') {
      const ref = this.resolve(value, node.get('value', true) as Node);
      if (keys.length > 2) throw this.err(node, '"method: selector" takes only "value" (the selector name)');
      return ref;
    }
    const opts = {
      children: this.bool(node, 'children'),
      parents: this.bool(node, 'parents'),
      childrensParents: this.bool(node, 'childrens_parents'),
      childrenDepth: this.int(node, 'children_depth'),
      parentsDepth: this.int(node, 'parents_depth'),
      indirect: node.has('indirect_selection') ? checkIndirect(this.scalarString(node.get('indirect_selection', true) as Node, 'indirect_selection'), this.pos(node.get('indirect_selection', true) as Node)) : undefined,
    };
    const base = this.criteria(method, value, opts, node, origin);
    if (!node.has('exclude')) return base;
    return { kind: 'difference', components: [base, this.exclusions(node.get('exclude', true) as Node, origin)], raw: `${base.raw} minus exclude`, ...origin };
  }

  private criteria(
    methodKey: string,
    value: string,
    o: { children?: boolean; parents?: boolean; childrensParents?: boolean; childrenDepth?: number; parentsDepth?: number; indirect?: IndirectSelection },
    at: Node,
    origin: SpecOrigin,
  ): SelectionCriteria {
    const [name, ...args] = methodKey.split('.');
    const raw = `${methodKey}:${value}`;
    const method = checkMethod(name, raw, origin);
    if (o.childrensParents && o.parents) throw this.err(at, `"childrens_parents" and "parents" cannot both be set in ${raw}`, '"childrens_parents" already includes the ancestors.');
    if (method === 'config' && args.length === 0) throw this.err(at, `"config" needs a key, like config.materialized`);
    if (value === '') throw this.err(at, `Empty value for ${methodKey}`);
    return {
      kind: 'criteria',
      method,
      methodArgs: args,
      value,
      parents: Boolean(o.parents || o.parentsDepth !== undefined),
      parentsDepth: o.parentsDepth,
      children: Boolean(o.children || o.childrenDepth !== undefined),
      childrenDepth: o.childrenDepth,
      childrensParents: Boolean(o.childrensParents),
      indirectSelection: o.indirect,
      raw,
      ...origin,
    };
  }

  private scalarString(input: Node | undefined, what: string): string {
    const n = this.deref(input);
    if (isScalar(n) && n.value !== null && typeof n.value !== 'object') return String(n.value);
    throw this.err(n ?? input, `"${what}" must be a single value`);
  }

  private bool(map: YAMLMap, key: string): boolean | undefined {
    if (!map.has(key)) return undefined;
    const n = this.deref(map.get(key, true) as Node);
    if (isScalar(n) && typeof n.value === 'boolean') return n.value;
    throw this.err(n, `"${key}" must be true or false`);
  }

  private int(map: YAMLMap, key: string): number | undefined {
    if (!map.has(key)) return undefined;
    const n = this.deref(map.get(key, true) as Node);
    if (isScalar(n) && typeof n.value === 'number' && Number.isInteger(n.value) && n.value >= 0) return n.value;
    throw this.err(n, `"${key}" must be a whole number of generations (0 or more)`);
  }

  private deref<T extends Node | null | undefined>(n: T): Node | T {
    if (n && isAlias(n)) return n.resolve(this.doc) as Node;
    return n;
  }

  private pos(n: Node | null | undefined): SpecOrigin {
    const start = n?.range?.[0];
    if (start === undefined) return { file: this.file };
    const { line, col } = this.lines.linePos(start);
    return { file: this.file, line, column: col };
  }

  private err(n: Node | null | undefined, message: string, hint?: string): MflowError {
    return selectorError(message, this.pos(n), hint);
  }
}

function keyOf(k: unknown): string {
  return isScalar(k) ? String(k.value) : String(k);
}

function didYouMean(k: string, options: string[]): string {
  const g = closest(k, options, 2);
  return g ? `. Did you mean "${g}"?` : '';
}
