import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestSources } from '../../src/ingest/index.js';
import { sourceTable } from '../functional/ingest-helpers/source-table.js';
import { SEED, cleanup, rng, scratch } from './helpers.js';

/**
 * Bad data files: every data record of a file is either loaded or rejected (loaded + rejected =
 * records), whatever is wrong with it, and a file that cannot be read loads nothing.
 * Record counts here are computed independently of mflow's scanner.
 */
const random = rng(SEED);
const good = (i: number) => `${i},name ${i},${(i * 1.5).toFixed(2)}`;
const BAD_ROWS = [
  '1,too,many,fields,here',
  'only_one_field',
  '2,"unterminated quote,3.0',
  '',
  '\r',
  '3,"quoted ""inner"" quote",4.5',
  '4,"line\nbreak inside",5.5',
  '5,ümlaut ok,6.5',
  '6,,',
];

function makeFile(n: number): { text: string; records: number } {
  const rows: string[] = [];
  for (let i = 0; i < n; i++) rows.push(random() < 0.3 ? BAD_ROWS[Math.floor(random() * BAD_ROWS.length)] : good(i));
  const text = 'id,name,amount\n' + rows.join('\n') + '\n';
  return { text, records: countRecords(text) - 1 };
}

/** RFC 4180 records (line breaks inside quotes do not end one), blank lines excluded. */
function countRecords(text: string): number {
  let n = 0;
  let inQ = false;
  let len = 0;
  for (const ch of text) {
    if (ch === '"') inQ = !inQ;
    if (ch === '\n' && !inQ) {
      if (len > 0) n++;
      len = 0;
    } else if (ch !== '\r') len++;
  }
  return n + (len > 0 ? 1 : 0);
}

describe(`bad data files: loaded + rejected = records (FAULT_SEED=${SEED})`, () => {
  let dir: string;
  let inst: DuckDBInstance;
  let conn: DuckDBConnection;
  let files = 0;
  beforeAll(async () => {
    dir = scratch('baddata');
    inst = await DuckDBInstance.create(':memory:');
    conn = await inst.connect();
  });
  afterAll(() => {
    console.log(`bad-data: FAULT_SEED=${SEED} files=${files}`);
    conn.closeSync();
    inst.closeSync();
    cleanup(dir);
  });

  it.each(Array.from({ length: 12 }, (_, i) => [i]))('random bad file #%i', async (i) => {
    const { text, records } = makeFile(20 + Math.floor(random() * 200));
    writeFileSync(join(dir, `bad_${i}.csv`), text);
    const src = [sourceTable(`bad_${i}`, ['id', 'name', 'amount'], { location: `bad_${i}.csv` })];
    const rep = await ingestSources(conn, src, { projectDir: dir, targetDir: join(dir, 'target') });
    const r = rep.results[0];
    if (r.status === 'success') {
      expect(r.rows_loaded + r.rows_rejected, `${r.message} (FAULT_SEED=${SEED})`).toBe(records);
      const n = Number((await conn.runAndReadAll(`select count(*) from raw.bad_${i}`)).getRows()[0][0]);
      expect(n).toBe(r.rows_loaded);
    } else {
      // A file that cannot be accounted for row by row loads nothing.
      expect(r.status).toBe('error');
      const n = Number((await conn.runAndReadAll(`select count(*) from raw.bad_${i}`)).getRows()[0][0]);
      expect(n, r.message ?? '').toBe(0);
    }
    files++;
  });

  it.each([
    ['empty file', ''],
    ['header only', 'id,name,amount\n'],
    ['BOM and CRLF', '\uFEFFid,name,amount\r\n1,a,1\r\n2,b,2\r\n'],
    ['invalid UTF-8', Buffer.concat([Buffer.from('id,name,amount\n1,'), Buffer.from([0xff, 0xfe]), Buffer.from(',1\n2,b,2\n')]).toString('latin1')],
  ])('%s', async (name, text) => {
    const f = `edge_${String(name).replace(/\W+/g, '_')}.csv`;
    writeFileSync(join(dir, f), text, name === 'invalid UTF-8' ? 'latin1' : 'utf8');
    const rep = await ingestSources(conn, [sourceTable(f.replace('.csv', ''), ['id', 'name', 'amount'], { location: f })], { projectDir: dir, targetDir: join(dir, 'target') });
    const r = rep.results[0];
    if (r.status === 'success') expect(r.rows_loaded + r.rows_rejected).toBe(Math.max(0, countRecords(text.replace(/^\uFEFF/, '')) - 1));
    else expect(r.rows_loaded).toBe(0);
    files++;
  });
});
