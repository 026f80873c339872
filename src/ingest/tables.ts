import type { DuckDBConnection } from '@duckdb/node-api';
import { MflowError } from '../errors.js';
import { qi, ql } from './sql.js';

/** Lineage columns every RAW table carries after the declared ones. */
export const LINEAGE_COLUMNS = ['_source_file', '_row_number', '_load_id', '_loaded_at'] as const;

export interface RawTarget {
  database: string | null;
  schema: string;
  identifier: string;
}

export function relationOf(t: RawTarget): string {
  return [t.database, t.schema, t.identifier].filter((x): x is string => !!x).map(qi).join('.');
}

export function auditRelation(t: RawTarget, table: '_mflow_loads' | '_mflow_rejects'): string {
  return [t.database, t.schema, table].filter((x): x is string => !!x).map(qi).join('.');
}

export async function ensureAuditTables(conn: DuckDBConnection, t: RawTarget): Promise<void> {
  const schema = [t.database, t.schema].filter((x): x is string => !!x).map(qi).join('.');
  await conn.run(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  await conn.run(`CREATE TABLE IF NOT EXISTS ${auditRelation(t, '_mflow_loads')} (
    load_id VARCHAR, source VARCHAR, relation VARCHAR, file VARCHAR, sha256 VARCHAR, bytes BIGINT,
    rows_in_file BIGINT, rows_loaded BIGINT, rows_rejected BIGINT, status VARCHAR, message VARCHAR,
    started_at TIMESTAMP, finished_at TIMESTAMP)`);
  await conn.run(`CREATE TABLE IF NOT EXISTS ${auditRelation(t, '_mflow_rejects')} (
    load_id VARCHAR, source VARCHAR, file VARCHAR, line BIGINT, column_name VARCHAR, error_type VARCHAR,
    reason VARCHAR, raw_line VARCHAR)`);
}

export async function existingColumns(conn: DuckDBConnection, t: RawTarget): Promise<string[] | null> {
  const db = t.database ? ` AND table_catalog = ${ql(t.database)}` : '';
  const r = await conn.runAndReadAll(
    `SELECT column_name FROM information_schema.columns WHERE table_schema = ${ql(t.schema)} AND table_name = ${ql(t.identifier)}${db} ORDER BY ordinal_position`,
  );
  const cols = r.getRows().map((row) => String(row[0]));
  return cols.length ? cols : null;
}

/**
 * Creates the RAW table (every declared column as text, then lineage) or checks that the existing
 * one still has the declared columns: appending files of a changed layout would mix shapes.
 */
export async function ensureRawTable(conn: DuckDBConnection, t: RawTarget, columns: string[], sourceId: string): Promise<void> {
  const want = [...columns, ...LINEAGE_COLUMNS];
  const have = await existingColumns(conn, t);
  if (have) {
    const same = have.length === want.length && have.every((c, i) => c.toLowerCase() === want[i].toLowerCase());
    if (!same) {
      throw new MflowError('INGEST', `RAW table ${relationOf(t)} has columns (${have.join(', ')}) but ${sourceId} now declares (${columns.join(', ')})`, {
        node: sourceId,
        hint: 'run mflow ingest --full-refresh to rebuild it with the declared columns',
      });
    }
    return;
  }
  const defs = [...columns.map((c) => `${qi(c)} VARCHAR`), '_source_file VARCHAR', '_row_number BIGINT', '_load_id VARCHAR', '_loaded_at TIMESTAMP'];
  await conn.run(`CREATE TABLE ${relationOf(t)} (${defs.join(', ')})`);
}
