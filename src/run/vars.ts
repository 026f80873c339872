import { parse as parseYamlText } from 'yaml';
import { MflowError } from '../errors.js';

/** `--vars` as an object or a YAML string; in a module of its own so the CLI can read it without loading the runner. */
export function parseVars(v: Record<string, unknown> | string | undefined): Record<string, unknown> {
  if (!v) return {};
  if (typeof v === 'object') return v;
  let parsed: unknown;
  try {
    parsed = parseYamlText(v);
  } catch (e) {
    throw new MflowError('USAGE', `--vars is not valid YAML: ${(e as Error).message.split('\n')[0]}`, { hint: `Example: --vars '{year: 2009, state: CA}'` });
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new MflowError('USAGE', '--vars must be a YAML mapping', { hint: `Example: --vars '{year: 2009}'` });
  return parsed as Record<string, unknown>;
}
