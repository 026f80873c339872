/** Promise helpers around the real `snowflake-sdk`, for tests that talk to the emulator directly. */
import type { Connection as SfConnection, Bind } from 'snowflake-sdk';

export type SnowflakeSdk = typeof import('snowflake-sdk');

let sdk: SnowflakeSdk | undefined;

export async function loadSnowflakeSdk(): Promise<SnowflakeSdk> {
  if (sdk) return sdk;
  // Set before the module loads: it probes cloud metadata endpoints and sends telemetry otherwise.
  process.env.SNOWFLAKE_DISABLE_PLATFORM_DETECTION = 'true';
  process.env.SF_TELEMETRY_DISABLE_CONNECTION_SHAPE = 'true';
  const mod = (await import('snowflake-sdk')) as unknown as { default?: SnowflakeSdk } & SnowflakeSdk;
  sdk = mod.default ?? mod;
  sdk.configure({ logLevel: 'OFF' as never, additionalLogToConsole: false } as never);
  return sdk;
}

export async function connect(options: Record<string, unknown>): Promise<SfConnection> {
  const snowflake = await loadSnowflakeSdk();
  const conn = snowflake.createConnection(options as never);
  await new Promise<void>((resolve, reject) => conn.connect((err) => (err ? reject(err) : resolve())));
  return conn;
}

export interface ExecResult {
  rows: Record<string, unknown>[];
  columns: { name: string; type: string }[];
  updated: number;
  queryId: string;
}

export function exec(conn: SfConnection, sqlText: string, binds?: Bind[] | Bind[][], extra: Record<string, unknown> = {}): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    conn.execute({
      sqlText,
      binds: binds as never,
      ...extra,
      complete: (err, stmt, rows) => {
        if (err) return reject(err);
        resolve({
          rows: (rows ?? []) as Record<string, unknown>[],
          columns: (stmt.getColumns() ?? []).map((c) => ({ name: c.getName(), type: c.getType() })),
          updated: stmt.getNumUpdatedRows() ?? -1,
          queryId: stmt.getQueryId(),
        });
      },
    });
  });
}

export function destroy(conn: SfConnection): Promise<void> {
  return new Promise((resolve, reject) => conn.destroy((err) => (err ? reject(err) : resolve())));
}
