/** Unit-test fixtures run in DuckDB with the warehouse's column types translated (here: Snowflake's). */
import { describe, expect, it } from 'vitest';
import { duckType } from '../../src/unit-tests/fixtures.js';

describe('duckType', () => {
  it('drops the precision Snowflake reports on timestamps', () => {
    expect(duckType('TIMESTAMP_NTZ(9)')).toBe('TIMESTAMP');
    expect(duckType('timestamp_ltz(3)')).toBe('TIMESTAMPTZ');
    expect(duckType('TIMESTAMP_NTZ')).toBe('TIMESTAMP');
    expect(duckType('NUMBER(38,2)')).toBe('DECIMAL(38,2)');
  });
});
