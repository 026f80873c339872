import { createRequire } from 'node:module';
import type Nunjucks from 'nunjucks';
import { MflowError } from '../errors.js';
import { isSecretEnvName, isSecretKey, registerSecret } from './secrets.js';

/**
 * project.yml and profiles.yml may use `{{ env_var('X') }}` and `{{ var('x') }}` in values, as
 * dbt allows. Secrets therefore live in the environment, never in files.
 */
export interface YamlRenderCtx {
  file: string;
  vars: Record<string, unknown>;
  env: NodeJS.ProcessEnv;
  /** Called with the dotted path of every value that used env_var(), so it can be masked. */
  onEnvVar?: (path: string) => void;
}

// Loaded on the first value with Jinja in it: most project files have none, and a compile with
// nothing changed then never loads nunjucks at all.
let env: Nunjucks.Environment | null = null;
const yamlEnv = (): Nunjucks.Environment => (env ??= new (createRequire(import.meta.url)('nunjucks') as typeof Nunjucks).Environment(null, { autoescape: false, throwOnUndefined: false }));

export function envVarLookup(envs: NodeJS.ProcessEnv, name: string, dflt: unknown, where: { file?: string; line?: number }): string {
  const v = envs[name] ?? (dflt !== undefined ? String(dflt) : undefined);
  if (v !== undefined) {
    // Provenance: whatever a secret-named variable holds is masked in every output.
    if (isSecretEnvName(name)) registerSecret(v);
    return v;
  }
  throw new MflowError('MISSING_ENV_VAR', `Env var required but not provided: '${name}'`, {
    ...where,
    hint: `Set it (export ${name}=...) or give env_var('${name}', 'default') a default.`,
  });
}

export function renderYamlValues<T>(value: T, ctx: YamlRenderCtx, lineOf: (p: (string | number)[]) => number, path: (string | number)[] = []): T {
  if (typeof value === 'string') {
    if (!value.includes('{{') && !value.includes('{%')) return value;
    let usedEnv = false;
    let thrown: MflowError | undefined;
    const globals = {
      env_var: (name: string, dflt?: unknown) => {
        usedEnv = true;
        try {
          return envVarLookup(ctx.env, name, dflt, { file: ctx.file, line: lineOf(path) });
        } catch (e) {
          thrown = e as MflowError;
          throw e;
        }
      },
      var: (name: string, dflt?: unknown) => (name in ctx.vars ? ctx.vars[name] : dflt),
    };
    let out: string;
    try {
      out = yamlEnv().renderString(value, globals);
    } catch (e) {
      if (thrown) throw thrown;
      const cause = (e as { cause?: unknown }).cause;
      if (cause instanceof MflowError) throw cause;
      if (e instanceof MflowError) throw e;
      throw new MflowError('JINJA_SYNTAX', `cannot render ${JSON.stringify(value)}: ${(e as Error).message.split('\n').pop()?.trim()}`, {
        file: ctx.file,
        line: lineOf(path),
      });
    }
    if (usedEnv) {
      ctx.onEnvVar?.(path.join('.'));
      if (path.some((p) => typeof p === 'string' && isSecretKey(p))) registerSecret(out.trim());
    }
    // Typed values stay typed: `threads: "{{ env_var('T', 4) }}"` becomes 4.
    if (/^-?\d+$/.test(out.trim())) return Number(out.trim()) as unknown as T;
    if (out.trim() === 'true' || out.trim() === 'True') return true as unknown as T;
    if (out.trim() === 'false' || out.trim() === 'False') return false as unknown as T;
    return out as unknown as T;
  }
  if (Array.isArray(value)) return value.map((v, i) => renderYamlValues(v, ctx, lineOf, [...path, i])) as unknown as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = renderYamlValues(v, ctx, lineOf, [...path, k]);
    return out as T;
  }
  return value;
}
