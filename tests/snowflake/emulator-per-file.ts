import { afterAll, beforeAll } from 'vitest';
import { reader, startSnowflakeEmulator, type SnowflakeEmulator } from './helpers.js';

/**
 * Registers, in the calling test file, one emulator and a reader session on it for all its tests;
 * read them through the returned object, as they exist only once beforeAll has run.
 */
export function emulatorWithReader(): { readonly emu: SnowflakeEmulator; readonly db: Awaited<ReturnType<typeof reader>> } {
  let emu: SnowflakeEmulator;
  let db: Awaited<ReturnType<typeof reader>>;
  beforeAll(async () => {
    emu = await startSnowflakeEmulator();
    db = await reader(emu);
  });
  afterAll(async () => {
    await db.close();
    await emu.close();
  });
  return {
    get emu() { return emu; },
    get db() { return db; },
  };
}
