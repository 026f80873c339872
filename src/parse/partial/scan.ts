/**
 * What a template's text says about its render, read without rendering it: the env vars it reads,
 * and whether its output can differ between two renders of the same inputs.
 */

const JINJA = /\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}/g;
// A literal name is the whole first argument: `env_var('A_' ~ x)` is computed, not 'A_'.
const ENV_LITERAL = /\benv_var\s*\(\s*(['"])([^'"]+)\1\s*[,)]/g;
const ENV_ANY = /\benv_var\s*\(/g;

export interface EnvUse {
  names: string[];
  /** env_var() with a name that is not a literal: no list of names can cover it. */
  dynamic: boolean;
}

export function envVarsRead(text: string): EnvUse {
  if (!text.includes('env_var')) return { names: [], dynamic: false };
  const names = new Set<string>();
  for (const m of text.matchAll(ENV_LITERAL)) names.add(m[2]);
  const all = [...text.matchAll(ENV_ANY)].length;
  const literal = [...text.matchAll(ENV_LITERAL)].length;
  return { names: [...names].sort(), dynamic: all > literal };
}

/**
 * Names in Jinja whose value changes from one invocation to the next (time, invocation id, the
 * graph or selection, flags), or that reach the warehouse or the console. A render that uses any
 * of them is never reused from the cache. SQL outside {{ }} / {% %} is not looked at (`log(x)` in
 * SQL is a function, not Jinja's log).
 */
const VOLATILE = /\b(run_started_at|invocation_id|modules|graph|selected_resources|flags|log|print|run_query|statement|load_result|adapter|exceptions|store_result|get_columns_in_relation|get_relation|load_relation|dbt_utils)\b/;

export function volatileJinja(text: string): boolean {
  if (!text.includes('{')) return false;
  for (const m of text.matchAll(JINJA)) if (VOLATILE.test(m[0])) return true;
  return false;
}

/** Reads of the node's own config or model dict while parsing: the parse then depends on more than the file. */
const SELF_READ = /\b(config\s*\.\s*(get|require)|model)\b/;

export function readsOwnConfig(text: string): boolean {
  if (!text.includes('{')) return false;
  for (const m of text.matchAll(JINJA)) if (SELF_READ.test(m[0])) return true;
  return false;
}
