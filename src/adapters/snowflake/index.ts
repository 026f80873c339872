export { createSnowflakeAdapter, SnowflakeAdapter } from './adapter.js';
export { SnowflakeDialect, type QuotingConfig } from './dialect.js';
export { SnowflakeConnection, SnowflakeQueryError } from './connection.js';
export { SnowflakeIntrospector } from './introspector.js';
export { resolveSnowflakeTarget, describeTarget } from './config.js';
export { diffGrants, grantsFromShow, type GrantMap, type GrantChanges } from './grants.js';
