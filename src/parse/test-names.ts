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

/** Python's repr() of a str: single quotes unless the text has ' and no ", escapes as Python writes them. */
export function pyRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += `\\${quote}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else if (c >= 0x80 && c < 0xa0) out += `\\x${c.toString(16)}`;
    else out += ch;
  }
  return quote + out + quote;
}

/**
 * The 10-character hash that ends a generic test's unique_id, as dbt-core makes it:
 * md5(name + repr(test_metadata with every leaf as str(), keys sorted)), last ten hex digits. Equal
 * ids let tools built for dbt (state comparison, result history) match mflow's tests with dbt's.
 * (A YAML float written 1.0 is the number 1 here, so its str() differs from Python's: such a test
 * gets another hash.)
 */
export function dbtTestHash(name: string, testMetadata: Record<string, unknown>): string {
  const md = (v: unknown): string => {
    if (Array.isArray(v)) return `[${v.map(md).join(', ')}]`;
    if (v && typeof v === 'object') return `{${Object.keys(v).sort().map((k) => `${pyRepr(k)}: ${md((v as Record<string, unknown>)[k])}`).join(', ')}}`;
    return pyRepr(pyStr(v));
  };
  return createHash('md5').update(name + md(testMetadata)).digest('hex').slice(-10);
}
