import { renderYamlValues } from '../project/yaml-jinja.js';

/** `{{ var('name') }}` or `{{ var('name', default) }}` alone: the value keeps its type (a list stays a list). */
const ONLY_VAR = /^\s*\{\{\s*var\(\s*['"]([^'"]+)['"]\s*(?:,\s*([\s\S]+?))?\s*\)\s*\}\}\s*$/;

/**
 * Generic test arguments may use `var()` and `env_var()`, as dbt renders them at parse:
 * `values: "{{ var('genders') }}"` becomes the project's list, `max_value: "{{ var('cap') }}"` its
 * number. Arguments holding ref()/source() or other Jinja are left for compile time.
 */
export function renderTestArgs(args: Record<string, unknown>, where: { file: string; line: number }, vars: Record<string, unknown>, env: NodeJS.ProcessEnv | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(args)) out[k] = renderArg(v, where, vars, env);
  return out;
}

function renderArg(v: unknown, where: { file: string; line: number }, vars: Record<string, unknown>, env: NodeJS.ProcessEnv | undefined): unknown {
  if (Array.isArray(v)) return v.map((x) => renderArg(x, where, vars, env));
  if (typeof v !== 'string' || !/\{\{[\s\S]*\b(var|env_var)\s*\(/.test(v) || /\b(ref|source)\s*\(/.test(v)) return v;
  const only = ONLY_VAR.exec(v);
  if (only && only[1] in vars) return vars[only[1]];
  return renderYamlValues(v, { file: where.file, vars, env: env ?? process.env }, () => where.line);
}
