import { createHash } from 'node:crypto';

/**
 * Generic test names exactly as dbt makes them (`unique_dim_patient_patient_id`,
 * `relationships_fact_claim_patient_id__patient_id__ref_dim_patient_`; past 63 characters the
 * first 30 plus an md5), so results can be compared with a dbt run of the same project.
 */
export function synthesizeTestName(testType: string, targetName: string, args: Record<string, unknown>): { shortName: string; fullName: string } {
  const flat: string[] = [];
  for (const k of Object.keys(args).sort()) {
    if (k === 'model') continue;
    const v = args[k];
    const parts = v && typeof v === 'object' ? (Array.isArray(v) ? v : Object.values(v)) : [v];
    flat.push(...parts.map(pyStr));
  }
  const unique = flat.map((a) => a.replace(/[^0-9a-zA-Z_]+/g, '_')).join('__');
  const identifier = `${testType}_${targetName}`;
  const fullName = `${identifier}_${unique}`;
  if (fullName.length >= 64) {
    return { shortName: `${identifier.slice(0, 30)}_${createHash('md5').update(fullName).digest('hex')}`, fullName };
  }
  return { shortName: fullName, fullName };
}

/** str() of a Python value, as dbt builds the name from the YAML values. */
function pyStr(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (Array.isArray(v)) return `[${v.map((x) => (typeof x === 'string' ? `'${x}'` : pyStr(x))).join(', ')}]`;
  if (typeof v === 'object') return `{${Object.entries(v).map(([k, x]) => `'${k}': ${typeof x === 'string' ? `'${x}'` : pyStr(x)}`).join(', ')}}`;
  return String(v);
}
