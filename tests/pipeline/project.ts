import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { query } from '../functional/helpers.js';

/** Replaces the `pipeline:` section of a scratch project's project.yml (it is the file's last section). */
export function setPipeline(dir: string, yaml: string): void {
  const f = join(dir, 'project.yml');
  const text = readFileSync(f, 'utf8');
  const at = text.indexOf('\npipeline:');
  writeFileSync(f, (at >= 0 ? text.slice(0, at) : text) + '\npipeline:\n' + yaml.replace(/^\n/, ''));
}

export const MARTS = ['mart_cost_of_care', 'mart_readmission', 'mart_provider_utilization'];

/** Row count and an order-independent hash of each table of a schema's marts. */
export async function fingerprint(db: string, schema = 'marts'): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const t of MARTS) {
    const [r] = await query(db, `select count(*) as n, md5(coalesce(string_agg(x, '|' order by x), '')) as h from (select t::varchar as x from ${schema}.${t} as t)`);
    out[t] = `${r.n}:${r.h}`;
  }
  return out;
}
