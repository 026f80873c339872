/**
 * sqlglot (Snowflake dialect) as an outside parser of what mflow sends: statements it cannot
 * parse are returned with its error. Runs in the pinned oracle environment (tests/oracles).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pythonEnv } from '../oracles/python-env.js';

const SCRIPT = `
import json, sys
import sqlglot
from sqlglot.errors import ParseError
out = []
for sql in json.load(open(sys.argv[1])):
    try:
        sqlglot.parse_one(sql, read="snowflake", error_level=sqlglot.ErrorLevel.RAISE)
    except ParseError as e:
        out.append({"sql": sql, "error": str(e).splitlines()[0]})
print(json.dumps(out))
`;

export async function unparsableBySqlglot(statements: string[]): Promise<{ sql: string; error: string }[]> {
  const py = await pythonEnv();
  const dir = mkdtempSync(join(tmpdir(), 'mflow-sqlglot-'));
  try {
    writeFileSync(join(dir, 'statements.json'), JSON.stringify([...new Set(statements)]));
    writeFileSync(join(dir, 'parse.py'), SCRIPT);
    const out = execFileSync(py.python, [join(dir, 'parse.py'), join(dir, 'statements.json')], { env: py.env(), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    return JSON.parse(out) as { sql: string; error: string }[];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
