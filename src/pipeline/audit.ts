import { closeSync, openSync, readSync } from 'node:fs';
import { relative } from 'node:path';
import type { Adapter } from '../contracts/adapter.js';
import type { SourceTable } from '../contracts/manifest.js';
import { expandGlob } from '../ingest/glob.js';
import { parseHeader } from '../ingest/header.js';
import { readExternal } from '../ingest/external.js';
import type { AuditRow } from './history.js';
import { isOptional } from './sources.js';

/**
 * The audit after the RAW load: each RAW table's row count against the last successful run (a
 * drop of more than N % fails), and the columns of the delivered files against the columns of
 * that run (a change warns or fails, as configured). The first run has no baseline and passes.
 */
export interface AuditFinding {
  source: string;
  level: 'fail' | 'warn';
  message: string;
}

export interface AuditOutcome {
  rows: AuditRow[];
  findings: AuditFinding[];
}

export async function auditRaw(adapter: Adapter, sources: SourceTable[], projectDir: string, runId: string, baseline: Map<string, AuditRow>, policy: { rowCountDropPct: number; schemaChange: 'warn' | 'fail' }): Promise<AuditOutcome> {
  const rows: AuditRow[] = [];
  const findings: AuditFinding[] = [];
  const c = await adapter.acquire();
  try {
    for (const s of sources) {
      const name = `${s.source_name}.${s.name}`;
      const relation = adapter.dialect.relation({ database: s.database ?? null, schema: s.schema, identifier: s.identifier || s.name });
      let count: number;
      try {
        const r = await c.execute(`select count(*) as n from ${relation}`);
        count = Number(Object.values(r.rows[0])[0]);
      } catch {
        continue; // not loaded (an optional source that is absent): nothing to audit
      }
      const columns = fileColumns(s, projectDir);
      // An optional source with no file was recorded absent by the load: no count to compare.
      if (isOptional(s) && expandGlob(readExternal(s).location, projectDir).length === 0) continue;
      rows.push({ run_id: runId, source: name, relation, row_count: count, columns: columns.join(',') });
      const prev = baseline.get(name);
      if (!prev) continue;
      const before = Number(prev.row_count);
      if (before > 0) {
        const dropPct = ((before - count) / before) * 100;
        if (dropPct > policy.rowCountDropPct) findings.push({ source: name, level: 'fail', message: `${relation} has ${count} rows, ${dropPct.toFixed(1)} % fewer than the ${before} of the last successful load (limit ${policy.rowCountDropPct} %)` });
      }
      if (prev.columns && columns.length && prev.columns !== columns.join(',')) {
        const was = prev.columns.split(',');
        const added = columns.filter((x) => !was.includes(x));
        const removed = was.filter((x) => !columns.includes(x));
        const what = [added.length ? `added ${added.join(', ')}` : '', removed.length ? `removed ${removed.join(', ')}` : '', !added.length && !removed.length ? 'columns reordered' : ''].filter(Boolean).join('; ');
        findings.push({ source: name, level: policy.schemaChange, message: `schema of ${name} changed since the last successful load (${what}) in ${fileOf(s, projectDir)}` });
      }
    }
  } finally {
    adapter.release(c);
  }
  return { rows, findings };
}

/** Header of the last file the location matches (the newest delivery), CSV only. */
function fileColumns(s: SourceTable, projectDir: string): string[] {
  try {
    const spec = readExternal(s);
    if (spec.format !== 'csv' || /^https?:/i.test(spec.location) || !spec.header) return [];
    const files = expandGlob(spec.location, projectDir).filter((f) => /\.csv$/i.test(f));
    if (!files.length) return [];
    const fd = openSync(files[files.length - 1], 'r');
    const buf = Buffer.alloc(65536);
    const n = readSync(fd, buf, 0, buf.length, 0);
    closeSync(fd);
    const line = buf.subarray(0, n).toString('utf8').split(/\r?\n/)[0].replace(/^\uFEFF/, '');
    return parseHeader(line, spec.delimiter, spec.quote);
  } catch {
    return [];
  }
}

function fileOf(s: SourceTable, projectDir: string): string {
  try {
    const files = expandGlob(readExternal(s).location, projectDir);
    return files.length ? relative(projectDir, files[files.length - 1]) : String(s.external?.location);
  } catch {
    return String(s.external?.location);
  }
}
