export * from './manifest.js';
export * from './results.js';
export * from './adapter.js';
export * from './statements.js';
