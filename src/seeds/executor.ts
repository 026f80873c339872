import { join } from 'node:path';
import type { Connection, Statement } from '../contracts/adapter.js';
import { sqlText } from '../contracts/statements.js';
import type { ManifestNode } from '../contracts/manifest.js';
import { writeNodeSql } from '../artifacts/write.js';
import { MflowError, closest } from '../errors.js';
import { registerExecutor, renderHooks, runStatements, type NodeExecutor } from '../run/executors.js';
import { readHeader, type CsvDialect } from './csv-file.js';
import { csvError, type SeedFile } from './errors.js';
import { castExpr, inferenceSql, kindOf, passed, statsOf, survivors, typeNameOf, type Check, type ColumnStats, type SeedKind } from './infer.js';
import { planSeed } from './plan.js';

const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;
const SIMPLE = /^[A-Za-z_][A-Za-z0-9_$]*$/;

/** DuckDB's own parallel CSV reader, told the columns so it never sniffs and reports bad rows exactly. */
export function readCsvSql(path: string, header: string[], d: CsvDialect, types: Record<string, string> = {}): string {
  const cols = header.map((h) => `${lit(h)}: ${lit(types[h] ?? 'VARCHAR')}`).join(', ');
  return `read_csv(${lit(path)}, header = true, auto_detect = false, columns = {${cols}}, delim = ${lit(d.delimiter)}, quote = ${lit(d.quote)}, escape = ${lit(d.quote)}, strict_mode = true)`;
}

/** column_types keys matched to header names (exactly, else ignoring case); unknown keys are errors. */
export function columnTypes(node: ManifestNode, header: string[]): Record<string, string> {
  const raw = (node.config.column_types as Record<string, unknown> | undefined) ?? {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    const h = header.includes(k) ? k : header.find((x) => x.toLowerCase() === k.toLowerCase());
    if (!h) {
      const s = closest(k, header);
      throw new MflowError('CONFIG', `column_types of seed '${node.name}' names column '${k}', which is not in the header of ${node.original_file_path}`, {
        file: node.patch_path ?? node.original_file_path,
        node: node.unique_id,
        hint: s ? `Did you mean '${s}'?` : `The columns are: ${header.join(', ')}`,
      });
    }
    out[h] = String(v);
  }
  return out;
}

/** quote_columns (default true, as dbt): exact names; false: bare names, which must be plain identifiers. */
export function columnSql(node: ManifestNode, header: string[], quote: (s: string) => string): string[] {
  const q = node.config.quote_columns;
  if (q === false) {
    return header.map((h, i) => {
      if (!SIMPLE.test(h)) throw new MflowError('CONFIG', `Column '${h}' of seed '${node.name}' cannot be used unquoted (quote_columns: false)`, { file: node.original_file_path, line: 1, column: i + 1, node: node.unique_id, hint: 'Rename the column to letters, digits and underscores, or set quote_columns: true.' });
      return h;
    });
  }
  return header.map(quote);
}

/**
 * Seeds: the CSV is staged as text by DuckDB's reader in one pass, types are inferred by one
 * aggregate over it, and the typed rows replace the table's rows in one transaction, so a bad
 * file leaves the previous table exactly as it was.
 */
/** The seed's CSV as configured (delimiter, header, column_types), checked before anything loads. */
export function openSeedFile(root: string, node: ManifestNode, quote = '"'): { file: SeedFile; header: string[]; overrides: ReturnType<typeof columnTypes> } {
  const delimiter = String(node.config.delimiter ?? ',');
  if (delimiter.length === 0 || /["\r\n]/.test(delimiter)) throw new MflowError('CONFIG', `Seed '${node.name}' has delimiter ${JSON.stringify(delimiter)}, which cannot separate CSV fields`, { file: node.patch_path ?? node.original_file_path, node: node.unique_id, hint: "Use a character such as ',', ';', '|' or '\\t'." });
  const dialect: CsvDialect = { delimiter, quote };
  const path = join(root, node.original_file_path);
  const header = readHeader(path, node.original_file_path, dialect);
  const file: SeedFile = { path, display: node.original_file_path, node: node.unique_id, header, dialect };
  return { file, header, overrides: columnTypes(node, header) };
}

/**
 * The quote character as dbt-duckdb reads a seed: it loads the file with `COPY ... FROM`, whose
 * sniffer picks the quote, so a file quoting with ' (dbt_utils' data_nullcheck_table: `a,'',1`)
 * loads `''` as NULL. Only the quote comes from the sniffer; the columns stay explicit and the
 * reader strict, and a file the sniffer cannot read keeps the double quote.
 */
async function sniffQuote(conn: Connection, path: string, delimiter: string): Promise<string> {
  try {
    const r = await conn.execute(`select "Quote" as q from sniff_csv(${lit(path)}, delim = ${lit(delimiter)}, header = true)`);
    const q = String(r.rows[0]?.q ?? '');
    return q.length === 1 && q !== delimiter ? q : '"';
  } catch {
    return '"';
  }
}

/** Pre-hooks (or post-hooks), each rendered just before it runs as dbt does: a post-hook sees the loaded table, and may drop it. */
export async function runSeedHooks(ctx: Parameters<NodeExecutor>[0], node: ManifestNode, conn: Connection, kind: 'pre_hook' | 'post_hook'): Promise<Statement[]> {
  const statements = (await renderHooks(ctx, node, kind)).filter((h) => h.trim()).map((sql) => sqlText(sql, kind.replace('_', '-')));
  await runStatements(conn, statements, ctx.session.dialect.rollback());
  return statements;
}

export const runSeed: NodeExecutor = async (ctx, node, conn) => {
  const s = ctx.session;
  const d = s.dialect;
  // Other warehouses: the CSV is read and typed by a local DuckDB, then loaded with bound inserts.
  if (!d.capabilities.localEngine) return (await import('./remote.js')).runSeedRemote(ctx, node, conn);
  let { file, header, overrides } = openSeedFile(s.project.root, node);
  const quote = await sniffQuote(conn, file.path, file.dialect.delimiter);
  if (quote !== file.dialect.quote) ({ file, header, overrides } = openSeedFile(s.project.root, node, quote));
  const columnsSql = columnSql(node, header, (x) => d.quote(x));
  const stage = `temp.${d.quote(`mflow_seed__${node.unique_id.replace(/\W+/g, '_')}`)}`;
  try {
    await conn.execute(`create or replace temp table ${stage} as select * from ${readCsvSql(file.path, header, file.dialect)}`);
  } catch (e) {
    throw csvError(e, file);
  }
  try {
    const inferred = header.filter((h) => !(h in overrides));
    // A sample rules most types out; the full pass then tests what is left (usually one type per column).
    const sample = statsOf((await conn.execute(inferenceSql(stage, inferred, d, undefined, 10_000))).rows[0] ?? {}, inferred);
    const { stats, rows } = await fullInference(conn, stage, inferred, sample.map(survivors), d);
    const kinds = new Map<string, SeedKind>(inferred.map((h, i) => [h, kindOf(stats[i])]));
    const select = `select\n  ${header.map((h, i) => `${h in overrides ? `cast(${d.quote(h)} as ${overrides[h]})` : castExpr(d.quote(h), kinds.get(h)!, typeNameOf(kinds.get(h)!, d))} as ${columnsSql[i]}`).join(',\n  ')}\nfrom ${stage}`;
    const target = d.relation({ database: node.database, schema: node.schema, identifier: node.alias });
    const existing = await ctx.relations.get(node.database, node.schema, node.alias);
    const existingColumns = existing && existing.type === 'table' && !ctx.fullRefresh ? await s.adapter!.introspector.getColumns(existing) : undefined;
    const statements = planSeed({ node, dialect: d, target, select, columnsSql, columnNames: header, existing, existingColumns, fullRefresh: ctx.fullRefresh });
    writeNodeSql(s.targetDir, 'run', node, statements.map((x) => `-- ${x.purpose}\n${x.sql};`).join('\n\n'));
    if (ctx.dryRun) return { status: 'success', message: 'dry run', statements, detail: 'DRY RUN' };
    const pre = await runSeedHooks(ctx, node, conn, 'pre_hook');
    try {
      await runStatements(conn, statements, d.rollback());
    } catch (e) {
      throw Object.keys(overrides).length ? await locateCastError(conn, e, file, overrides) : e;
    }
    ctx.relations.set({ database: node.database, schema: node.schema, identifier: node.alias, type: 'table' });
    const post = await runSeedHooks(ctx, node, conn, 'post_hook');
    return { status: 'success', message: `INSERT ${rows}`, rowsAffected: rows, statements: [...pre, ...statements, ...post], detail: `INSERT ${rows}` };
  } finally {
    await conn.execute(`drop table if exists ${stage}`).catch(() => undefined);
  }
};

/**
 * Full passes test each column's best remaining type only; a column whose best type fails on some
 * row falls back to its next one in another pass (rare: the sample usually decides).
 */
export async function fullInference(conn: Connection, stage: string, columns: string[], cands: Check[][], d: import('../contracts/adapter.js').Dialect): Promise<{ stats: ColumnStats[]; rows: number }> {
  const stats: ColumnStats[] = new Array(columns.length);
  let rows = 0;
  let open = columns.map((_, i) => i);
  for (let first = true; first || open.length; first = false) {
    const r = (await conn.execute(inferenceSql(stage, open.map((i) => columns[i]), d, open.map((i) => cands[i].slice(0, 1))))).rows[0] ?? {};
    rows = Number(r.mflow_rows ?? 0);
    const st = statsOf(r, open.map((i) => columns[i]));
    open = open.filter((i, k) => {
      stats[i] = st[k];
      if (cands[i].length === 0 || passed(st[k], cands[i][0])) return false;
      cands[i] = cands[i].slice(1);
      return true;
    });
  }
  return { stats, rows };
}

/** A column_types cast failed: DuckDB's reader, given those types, names the record and column. */
async function locateCastError(conn: Connection, e: unknown, f: SeedFile, overrides: Record<string, string>): Promise<unknown> {
  try {
    // Counting each typed column makes the reader convert it (a bare count(*) would skip parsing).
    const counts = Object.keys(overrides).map((c) => `count("${c.replace(/"/g, '""')}")`).join(', ');
    await conn.execute(`select ${counts} from ${readCsvSql(f.path, f.header, f.dialect, overrides)}`);
  } catch (located) {
    return csvError(located, f);
  }
  return e;
}

registerExecutor('seed', runSeed);
