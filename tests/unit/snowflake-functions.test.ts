/**
 * The strict emulator's list of accepted Snowflake functions is data; these checks keep it a clean
 * list (upper case, sorted, no duplicates) and pin entries of each category that were re-read
 * against SHOW FUNCTIONS of a real account and the docs.snowflake.com category pages (see `about`).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const list = JSON.parse(readFileSync(new URL('../emulator/snowflake/snowflake-functions.json', import.meta.url), 'utf8')) as { about: string; functions: string[] };

describe('snowflake-functions.json', () => {
  it('is upper case, sorted and without duplicates', () => {
    expect(list.functions.every((f) => f === f.toUpperCase())).toBe(true);
    expect(list.functions).toEqual([...new Set(list.functions)].sort());
  });

  it('holds string, aggregate, window and semi-structured functions of the reference', () => {
    for (const f of ['REGEXP_SUBSTR', 'SPLIT_PART', 'COMPRESS', 'MAX_BY', 'REGR_SLOPE', 'HLL_ESTIMATE', 'ARRAY_UNION_AGG', 'RATIO_TO_REPORT', 'LAG', 'MAP_KEYS', 'IS_INTEGER', 'XMLGET', 'PARSE_JSON', 'BITAND']) {
      expect(list.functions, f).toContain(f);
    }
  });

  it('holds no DuckDB-only function', () => {
    for (const f of ['REGEXP_EXTRACT', 'STRFTIME', 'LIST_VALUE', 'EPOCH_MS', 'STRING_AGG', 'ARG_MAX']) expect(list.functions).not.toContain(f);
  });
});
