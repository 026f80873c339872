export { startSnowflakeEmulator, type Fault, type EmulatorOptions, type EmulatorStats, type SnowflakeEmulator } from './server.js';
export { splitStatements } from './sql-tokens.js';
