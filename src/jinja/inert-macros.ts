/**
 * Macros whose output depends only on their arguments ("inert"): no ref/source/config, no
 * database, no node context, no var/env_var, no logging, no clock, no other template. Found by
 * scanning the identifiers inside the Jinja tags of each macro body and of the macros it calls, so
 * the answer errs on the safe side: a name merely mentioned in a string makes a macro not inert.
 *
 * The static fast path uses it twice: at parse time an inert macro call can be skipped (it records
 * nothing), and at compile time its output for the same literal arguments can be reused.
 */
import { findBlocks } from './blocks.js';

/** Context names whose value depends on the node, the database, the variables or the clock. */
const EFFECTFUL = new Set([
  'ref', 'source', 'config', 'this', 'model', 'execute', 'sql', 'compiled_code', 'column_name',
  'pre_hooks', 'post_hooks', 'sql_header', 'is_incremental', 'should_full_refresh', 'var', 'env_var',
  'modules', 'log', 'print', 'exceptions', 'run_query', 'statement', 'load_result', 'store_result',
  'adapter', 'api', 'graph', 'doc', 'caller', 'context', 'return', 'selected_resources', 'flags',
  // Other templates brought in by name may read any of the above.
  'include', 'import', 'from', 'extends',
]);

/** The text inside `{{ }}` and `{% %}`: SQL around the tags is output as written, whatever words it has. */
function tagContents(body: string): string {
  let out = '';
  for (const m of body.matchAll(/\{\{([\s\S]*?)\}\}|\{%([\s\S]*?)%\}/g)) out += ` ${m[1] ?? m[2]}`;
  return out;
}

export interface InertInfo {
  /** Inert macros with every macro they may call (themselves included), for depends_on.macros. */
  inert: Map<string, string[]>;
}

/** `sources`: macro file texts; `names`: every macro the runtime knows (project and built-in). */
export function findInertMacros(sources: string[], names: Set<string>): InertInfo {
  const calls = new Map<string, Set<string>>();
  const tainted = new Set<string>();
  for (const text of sources) {
    for (const b of findBlocks(text)) {
      if (b.kind !== 'macro' && b.kind !== 'test') continue;
      const name = b.kind === 'test' ? `test_${b.name}` : b.name;
      const used = new Set<string>();
      for (const m of tagContents(b.body).matchAll(/[A-Za-z_][A-Za-z0-9_]*/g)) {
        const id = m[0];
        if (EFFECTFUL.has(id)) tainted.add(name);
        else if (names.has(id) && id !== name) used.add(id);
      }
      // Two definitions of one name (a project macro over a built-in): trust neither.
      if (calls.has(name)) tainted.add(name);
      calls.set(name, used);
    }
  }
  // A macro is inert when it is not tainted and everything it calls is inert (cycles: not inert).
  const state = new Map<string, 'visiting' | boolean>();
  const closure = new Map<string, Set<string>>();
  const visit = (name: string): boolean => {
    const s = state.get(name);
    if (s === 'visiting') return false;
    if (s !== undefined) return s;
    state.set(name, 'visiting');
    const deps = calls.get(name);
    let ok = deps !== undefined && !tainted.has(name);
    const all = new Set<string>([name]);
    if (ok) {
      for (const d of deps!) {
        if (!visit(d)) {
          ok = false;
          break;
        }
        for (const x of closure.get(d)!) all.add(x);
      }
    }
    state.set(name, ok);
    if (ok) closure.set(name, all);
    return ok;
  };
  const inert = new Map<string, string[]>();
  for (const name of calls.keys()) if (visit(name)) inert.set(name, [...closure.get(name)!]);
  return { inert };
}
