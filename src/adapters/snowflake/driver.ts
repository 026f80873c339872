/**
 * Lazy loading of `snowflake-sdk` (an optional dependency: DuckDB users never load it), with the
 * driver's logger silenced so no request (and no credential) lands on the console or in a
 * `snowflake.log` file in the project.
 */
import type * as SnowflakeSdk from 'snowflake-sdk';
import { MflowError } from '../../errors.js';

export type Sdk = typeof SnowflakeSdk;
let loaded: Promise<Sdk> | undefined;

export function loadSdk(): Promise<Sdk> {
  loaded ??= (async () => {
    // Without this the driver probes cloud metadata endpoints on load (200 ms timeouts each).
    process.env.SNOWFLAKE_DISABLE_PLATFORM_DETECTION ??= 'true';
    let mod: { default?: Sdk } & Sdk;
    try {
      mod = (await import('snowflake-sdk')) as unknown as { default?: Sdk } & Sdk;
    } catch (e) {
      throw new MflowError('CONFIG', 'The Snowflake target needs the snowflake-sdk package, which is not installed.', {
        hint: 'Run `npm install snowflake-sdk` (it is an optional dependency of mflow).',
        cause: e,
      });
    }
    const sdk = mod.default ?? mod;
    sdk.configure({ logLevel: 'OFF', additionalLogToConsole: false } as Parameters<Sdk['configure']>[0]);
    return sdk;
  })();
  return loaded;
}
