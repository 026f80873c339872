// The oracle environment builds from the lock on a fresh machine and holds the versions the issues
// name: a test that uses an oracle can trust what it runs.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { pythonEnv, PYENV_TIMEOUT_MS, type PythonEnv } from './python-env.js';

const run = promisify(execFile);
let py: PythonEnv;

beforeAll(async () => {
  py = await pythonEnv();
}, PYENV_TIMEOUT_MS);

describe('python oracle environment', () => {
  it('has dbt-core 1.12 with dbt-duckdb 1.11 and dbt-snowflake', async () => {
    const { stdout } = await run(py.bin('dbt'), ['--version'], { env: py.env() });
    expect(stdout).toMatch(/installed:\s+1\.12\.\d+/);
    expect(stdout).toMatch(/duckdb:\s+1\.11\.\d+/);
    expect(stdout).toMatch(/snowflake:\s+1\.12\.\d+/);
  });

  it('has sqlglot (Snowflake dialect), fakesnow and Airflow 3.3', async () => {
    const script = [
      'import sqlglot, fakesnow, airflow',
      'print(sqlglot.parse_one("select iff(a, 1, 2) from t", read="snowflake").sql("snowflake"))',
      'print(airflow.__version__)',
    ].join('\n');
    const { stdout } = await run(py.python, ['-c', script], { env: py.env() });
    const [sql, airflowVersion] = stdout.trim().split('\n');
    expect(sql).toBe('SELECT IFF(a, 1, 2) FROM t');
    expect(airflowVersion).toMatch(/^3\.3\./);
  });
});
