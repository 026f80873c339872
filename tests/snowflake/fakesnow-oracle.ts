/**
 * fakesnow (an independent Snowflake emulator, Python) as an oracle: the tables a build reads
 * are loaded into it, the statements mflow sent are replayed through fakesnow's Snowflake
 * connector, and the figures are read back. Why not its HTTP server with mflow itself: see
 * docs/snowflake.md ("fakesnow").
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pythonEnv } from '../oracles/python-env.js';

export interface OracleTable {
  /** DB.SCHEMA.NAME as Snowflake stores it. */
  name: string;
  columns: { name: string; type: string }[];
  rows: Record<string, unknown>[];
}

const SCRIPT = `
import json, sys
import fakesnow, snowflake.connector
spec = json.load(open(sys.argv[1]))
out = {"rejected": [], "figures": []}
with fakesnow.patch():
    conn = snowflake.connector.connect(database=spec["database"], schema="PUBLIC")
    cur = conn.cursor()
    for schema in spec["schemas"]:
        cur.execute(f"create schema if not exists {spec['database']}.{schema}")
    for t in spec["tables"]:
        db, schema, name = t["name"].split(".")
        cur.execute(f"create schema if not exists {db}.{schema}")
        cols = ", ".join(f'"{c["name"]}" {c["type"]}' for c in t["columns"])
        cur.execute(f"create or replace table {db}.{schema}.{name} ({cols})")
        if t["rows"]:
            # fakesnow's executemany runs one statement per row: load through its DuckDB instead.
            names = ", ".join(f'"{c["name"]}"' for c in t["columns"])
            typed = ", ".join(f'"{c["name"]}": \\'VARCHAR\\'' for c in t["columns"])
            conn._duck_conn.execute(f"insert into {db}.{schema}.{name} ({names}) select {names} from read_json('{t['file']}', format='newline_delimited', columns={{{typed}}})")
    for sql in spec["statements"]:
        try:
            cur.execute(sql)
        except Exception as e:
            out["rejected"].append({"sql": sql, "error": str(e).splitlines()[0]})
    for f in spec["figures"]:
        try:
            cur.execute(f)
            cols = [d[0].lower() for d in cur.description]
            out["figures"].append([dict(zip(cols, [None if v is None else str(v) for v in r])) for r in cur.fetchall()])
        except Exception as e:
            out["figures"].append([{"error": str(e).splitlines()[0]}])
print(json.dumps(out))
`;

function text(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v.toISOString().replace('T', ' ').replace('Z', '');
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

export async function replayInFakesnow(a: { database: string; schemas: string[]; tables: OracleTable[]; statements: string[]; figures: string[] }): Promise<{ rejected: { sql: string; error: string }[]; figures: Record<string, string | null>[][] }> {
  const py = await pythonEnv();
  const dir = mkdtempSync(join(tmpdir(), 'mflow-fakesnow-'));
  try {
    const tables = a.tables.map((t, i) => {
      const file = join(dir, `t${i}.ndjson`);
      writeFileSync(file, t.rows.map((r) => JSON.stringify(Object.fromEntries(t.columns.map((c) => [c.name, text(r[c.name])])))).join('\n') + '\n');
      return { name: t.name, columns: t.columns, rows: t.rows.length, file };
    });
    writeFileSync(join(dir, 'spec.json'), JSON.stringify({ database: a.database, schemas: a.schemas, tables, statements: a.statements, figures: a.figures }));
    writeFileSync(join(dir, 'replay.py'), SCRIPT);
    const out = execFileSync(py.python, [join(dir, 'replay.py'), join(dir, 'spec.json')], { env: py.env(), encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
    return JSON.parse(out.trim().split('\n').pop()!) as never;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
