import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ingestSources } from '../../src/ingest/index.js';
import type { IngestEvent } from '../../src/ingest/index.js';
import { PDE_COLUMNS } from '../../src/synpuf/layouts.js';
import { ingestScratch, rows, sourceTable } from './ingest-helpers/source-table.js';

const scratch = ingestScratch();
const HEADER = PDE_COLUMNS.map((c) => `"${c}"`).join(',');
const GOOD = ['00013D2EFD8E45D1,591011157031470,20080819,00093511406,30.000,30,0.00,10.00', '00013D2EFD8E45D1,591011157047215,20081019,00781750287,60.000,30,0.00,20.00'];
const write = (name: string, text: string) => writeFileSync(join(scratch.project, 'data', name), text);
const pde = (ext: object = {}) => [sourceTable('pde', PDE_COLUMNS, { location: 'data/pde_*.csv', ...ext })];
const count = async (rel = 'raw.pde') => (await rows(scratch.db.conn, `SELECT count(*) AS n FROM ${rel}`))[0].n;

describe('schema audit', () => {
  it('fails a file with a missing column, naming it, and loads nothing from it', async () => {
    write('pde_1.csv', [PDE_COLUMNS.filter((c) => c !== 'DAYS_SUPLY_NUM').join(','), '00013D2EFD8E45D1,591011157031470,20080819,00093511406,30.000,0.00,10.00'].join('\n') + '\n');
    write('pde_2.csv', [HEADER, ...GOOD].join('\n') + '\n');
    const report = await ingestSources(scratch.db.conn, pde(), scratch.opts());
    expect(report.success).toBe(false);
    const [bad, good] = report.results;
    expect(bad.status).toBe('error');
    expect(bad.message).toContain('data/pde_1.csv');
    expect(bad.message).toContain('missing column DAYS_SUPLY_NUM');
    expect(good.status).toBe('success');
    expect(await rows(scratch.db.conn, `SELECT DISTINCT _source_file AS f FROM raw.pde`)).toEqual([{ f: 'data/pde_2.csv' }]);
    expect(await rows(scratch.db.conn, `SELECT file, status FROM raw._mflow_loads ORDER BY file`)).toEqual([
      { file: 'data/pde_1.csv', status: 'error' },
      { file: 'data/pde_2.csv', status: 'success' },
    ]);
  });

  it('names extra and renamed columns', async () => {
    write('pde_1.csv', [HEADER + ',"NOTE"', GOOD[0] + ',x'].join('\n') + '\n');
    write('pde_2.csv', [HEADER.replace('"PTNT_PAY_AMT"', '"PATIENT_PAY"'), GOOD[0]].join('\n') + '\n');
    const report = await ingestSources(scratch.db.conn, pde(), scratch.opts());
    expect(report.results.map((r) => r.status)).toEqual(['error', 'error']);
    expect(report.results[0].message).toContain('unexpected column NOTE');
    expect(report.results[1].message).toContain('renamed column PTNT_PAY_AMT -> PATIENT_PAY');
    expect(await count()).toBe(0);
  });

  it('with on_schema_mismatch: warn skips the file with a warning and the load succeeds', async () => {
    write('pde_1.csv', [HEADER.replace('"PDE_ID",', ''), GOOD[0]].join('\n') + '\n');
    write('pde_2.csv', [HEADER, ...GOOD].join('\n') + '\n');
    const events: IngestEvent[] = [];
    const report = await ingestSources(scratch.db.conn, pde({ on_schema_mismatch: 'warn' }), scratch.opts({ onEvent: (e: IngestEvent) => events.push(e) }));
    expect(report.success).toBe(true);
    expect(report.results.map((r) => r.status)).toEqual(['warn', 'success']);
    const warn = events.find((e) => e.type === 'warn');
    expect(warn && 'message' in warn ? warn.message : '').toContain('missing column PDE_ID');
    expect(await count()).toBe(2);
  });

  it('rejects an unknown external key with a did-you-mean', async () => {
    write('pde_1.csv', [HEADER, ...GOOD].join('\n') + '\n');
    const report = await ingestSources(scratch.db.conn, pde({ on_schema_mismatc: 'warn' }), scratch.opts());
    expect(report.results[0].status).toBe('error');
    expect(report.results[0].message).toContain('unknown key external.on_schema_mismatc');
    expect(report.results[0].message).toContain('did you mean on_schema_mismatch?');
  });

  it('says which location matched nothing', async () => {
    const report = await ingestSources(scratch.db.conn, pde({ location: 'data/nothing_*.csv' }), scratch.opts());
    expect(report.results[0].status).toBe('error');
    expect(report.results[0].message).toContain("no file matches external.location 'data/nothing_*.csv'");
  });
});

describe('row-count audit and rejects', () => {
  it('keeps malformed rows with file, line and reason; rows in file = loaded + rejected; line numbers survive gaps', async () => {
    const lines = [HEADER, GOOD[0], '00013D2EFD8E45D1,591011157031471,20080819', '', GOOD[1], '00013D2EFD8E45D1,5,2,3,4,5,6,7,8,9', GOOD[0].replace('591011157031470', '591011157031479')];
    write('pde_1.csv', lines.join('\r\n'));
    const report = await ingestSources(scratch.db.conn, pde(), scratch.opts());
    expect(report.results[0]).toMatchObject({ status: 'success', rows_in_file: 5, rows_loaded: 3, rows_rejected: 2 });
    expect(await rows(scratch.db.conn, `SELECT PDE_ID, _row_number FROM raw.pde ORDER BY _row_number`)).toEqual([
      { PDE_ID: '591011157031470', _row_number: 2 },
      { PDE_ID: '591011157047215', _row_number: 5 },
      { PDE_ID: '591011157031479', _row_number: 7 },
    ]);
    const rej = await rows(scratch.db.conn, `SELECT file, line, error_type, raw_line FROM raw._mflow_rejects ORDER BY line`);
    expect(rej).toEqual([
      { file: 'data/pde_1.csv', line: 3, error_type: 'MISSING COLUMNS', raw_line: '00013D2EFD8E45D1,591011157031471,20080819' },
      { file: 'data/pde_1.csv', line: 6, error_type: 'TOO MANY COLUMNS', raw_line: '00013D2EFD8E45D1,5,2,3,4,5,6,7,8,9' },
    ]);
    const reasons = await rows(scratch.db.conn, `SELECT reason FROM raw._mflow_rejects ORDER BY line`);
    expect(String(reasons[0].reason)).toContain('Expected Number of Columns: 8 Found: 3');
    expect(await rows(scratch.db.conn, `SELECT rows_in_file, rows_loaded, rows_rejected FROM raw._mflow_loads`)).toEqual([{ rows_in_file: 5, rows_loaded: 3, rows_rejected: 2 }]);
    const artifact = JSON.parse(readFileSync(join(scratch.project, 'target', 'ingest_results.json'), 'utf8'));
    expect(artifact.results[0].message).toContain('2 malformed row(s) kept in "raw"."_mflow_rejects"');
  });

  it('counts records, not lines: a quoted line break is one row of a valid CSV (issue 17)', async () => {
    write('pde_1.csv', [HEADER, GOOD[0], `00013D2EFD8E45D1,"59101\n1157031471",20080819,00093511406,30.000,30,0.00,10.00`].join('\n') + '\n');
    const report = await ingestSources(scratch.db.conn, pde(), scratch.opts());
    expect(report.results[0]).toMatchObject({ status: 'success', rows_in_file: 2, rows_loaded: 2, rows_rejected: 0 });
    expect(await count()).toBe(2);
  });
});

describe('atomicity', () => {
  it('a failure inside a file load leaves RAW as it was', async () => {
    write('pde_1.csv', [HEADER, GOOD[0]].join('\n') + '\n');
    await ingestSources(scratch.db.conn, pde(), scratch.opts());
    write('pde_2.csv', [HEADER, GOOD[1], '1,2'].join('\n') + '\n');
    const before = await rows(scratch.db.conn, `SELECT * EXCLUDE (_loaded_at) FROM raw.pde ORDER BY ALL`);
    const report = await ingestSources(scratch.db.conn, pde(), scratch.opts({ beforeCommit: () => { throw new Error('disk full (injected)'); } }));
    expect(report.results.map((r) => r.status)).toEqual(['skipped', 'error']);
    expect(report.results[1].message).toContain('disk full (injected)');
    expect(await rows(scratch.db.conn, `SELECT * EXCLUDE (_loaded_at) FROM raw.pde ORDER BY ALL`)).toEqual(before);
    expect(await count('raw._mflow_rejects')).toBe(0);
    expect(await rows(scratch.db.conn, `SELECT status, count(*) AS n FROM raw._mflow_loads GROUP BY 1 ORDER BY 1`)).toEqual([{ status: 'error', n: 1 }, { status: 'success', n: 1 }]);
    // the failed file is not marked as loaded: the next run loads it
    const retry = await ingestSources(scratch.db.conn, pde(), scratch.opts());
    expect(retry.results.map((r) => r.status)).toEqual(['skipped', 'success']);
    expect(await count()).toBe(2);
  });

  it('a full refresh that fails half way keeps the previous table', async () => {
    write('pde_1.csv', [HEADER, GOOD[0]].join('\n') + '\n');
    write('pde_2.csv', [HEADER, GOOD[1]].join('\n') + '\n');
    await ingestSources(scratch.db.conn, pde(), scratch.opts());
    write('pde_3.csv', ['"DESYNPUF_ID","PDE_ID"', '1,2'].join('\n') + '\n');
    const report = await ingestSources(scratch.db.conn, pde(), scratch.opts({ fullRefresh: true }));
    expect(report.success).toBe(false);
    expect(report.results).toHaveLength(1);
    expect(report.results[0].message).toContain('data/pde_3.csv');
    expect(report.results[0].message).toContain('rolled back');
    expect(await count()).toBe(2);
    expect(await rows(scratch.db.conn, `SELECT count(*) AS n FROM raw._mflow_loads WHERE status = 'success'`)).toEqual([{ n: 2 }]);
  });

  it('refuses to append to a RAW table whose columns no longer match the declaration', async () => {
    write('pde_1.csv', [HEADER, GOOD[0]].join('\n') + '\n');
    await ingestSources(scratch.db.conn, pde(), scratch.opts());
    const changed = [sourceTable('pde', [...PDE_COLUMNS, 'NEW_COL'], { location: 'data/pde_*.csv' })];
    const report = await ingestSources(scratch.db.conn, changed, scratch.opts());
    expect(report.results[0].status).toBe('error');
    expect(report.results[0].message).toContain('--full-refresh');
  });
});
