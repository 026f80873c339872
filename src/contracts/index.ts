export * from './manifest.js';
export * from './results.js';
export * from './adapter.js';
