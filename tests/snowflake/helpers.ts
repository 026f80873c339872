import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Connection as SfConnection } from 'snowflake-sdk';
import { CaptureConsole } from '../../src/console/console.js';
import { type SnowflakeEmulator, startSnowflakeEmulator } from '../emulator/snowflake/index.js';
import { connect, destroy, exec } from '../emulator/snowflake/driver.js';

/** The target block of a project that builds in the emulator; the password comes from SF_PW as users write it. */
export function snowflakeTarget(emu: SnowflakeEmulator, opts: { database?: string; schema?: string; threads?: number; extra?: string } = {}): string {
  return [
    'targets:',
    '  default: sf',
    '  sf:',
    '    type: snowflake',
    '    account: emulator',
    '    user: mflow',
    `    password: "{{ env_var('SF_PW') }}"`,
    `    host: ${emu.host}`,
    `    port: ${emu.port}`,
    '    protocol: http',
    '    warehouse: WH',
    `    database: ${opts.database ?? 'MFLOW'}`,
    `    schema: ${opts.schema ?? 'ANALYTICS'}`,
    `    threads: ${opts.threads ?? 2}`,
    ...(opts.extra ? opts.extra.split('\n').map((l) => `    ${l}`) : []),
    '',
  ].join('\n');
}

/** An inline project in a temp folder targeting the emulator. */
export function makeSfProject(emu: SnowflakeEmulator, files: Record<string, string>, opts: { database?: string; schema?: string; threads?: number; extra?: string; name?: string } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'mflow-sf-'));
  const project = files['project.yml'] ?? `name: ${opts.name ?? 'sf'}\nversion: 1.0.0\n${snowflakeTarget(emu, opts)}`;
  for (const [p, text] of Object.entries({ ...files, 'project.yml': project })) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), text);
  }
  return { dir, console: new CaptureConsole(), env: { ...process.env, SF_PW: 'emulator' } };
}

/** A plain driver session on the emulator, to read back what a run built. */
export async function reader(emu: SnowflakeEmulator): Promise<{ q(sql: string): Promise<Record<string, unknown>[]>; close(): Promise<void> }> {
  const c: SfConnection = await connect(emu.connectionOptions({ database: 'MFLOW', schema: 'PUBLIC' }));
  return {
    q: async (sql) => (await exec(c, sql)).rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k.toLowerCase(), v]))),
    close: () => destroy(c),
  };
}

export { startSnowflakeEmulator, type SnowflakeEmulator };
