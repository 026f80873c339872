import { MflowError } from '../errors.js';

/**
 * Target values every adapter reads, checked where the profile is loaded so `threads: "two"` is a
 * located error instead of `NaN threads` and a confusing scheduler failure later. Adapter-specific
 * keys are checked by the adapter's own config reader.
 */
export function validateTarget(rendered: Record<string, unknown>, where: { file: string; line: (key: string) => number | undefined; name: string }): void {
  const t = rendered.threads;
  if (t !== undefined && t !== null && !(typeof t === 'number' && Number.isInteger(t) && t >= 1 && t <= 1024)) {
    throw new MflowError('CONFIG', `Target '${where.name}' has threads: ${JSON.stringify(t)}, which is not a whole number of threads`, { file: where.file, line: where.line('threads'), hint: 'Write threads: 4 (a whole number from 1 to 1024).' });
  }
  for (const key of ['schema', 'database', 'path'] as const) {
    const v = rendered[key];
    if (v !== undefined && v !== null && typeof v !== 'string') {
      throw new MflowError('CONFIG', `Target '${where.name}' has ${key}: ${JSON.stringify(v)}, which is not a name`, { file: where.file, line: where.line(key), hint: `Write ${key} as text, e.g. ${key}: ${key === 'path' ? 'data/dev.duckdb' : 'analytics'}.` });
    }
  }
}
