import { describe, expect, test } from 'vitest';
import { dbtTestHash, pyRepr } from '../../src/parse/test-names.js';

/** Cases copied from dbt-core 1.12's manifest of dbt_expectations' integration project (name, test_metadata, the id's hash). */
const DBT: [string, Record<string, unknown>, string][] = [
  ['dbt_expectations_expect_column_values_to_match_regex_data_text_email_address___', { name: 'expect_column_values_to_match_regex', kwargs: { regex: '@[^.]*', column_name: 'email_address', model: "{{ get_where_subquery(ref('data_text')) }}" }, namespace: 'dbt_expectations' }, '77c66b57c2'],
  ['dbt_expectations_expect_column_values_to_match_regex_data_text_postal_code_5__True___d_5_', { name: 'expect_column_values_to_match_regex', kwargs: { regex: '^\\d{5}', is_raw: true, column_name: 'postal_code_5', model: "{{ get_where_subquery(ref('data_text')) }}" }, namespace: 'dbt_expectations' }, '3607321629'],
  ['dbt_expectations_expect_column_values_to_match_regex_list_data_text_email_address______', { name: 'expect_column_values_to_match_regex_list', kwargs: { regex_list: ['@[^.]*', '&[^.]*'], column_name: 'email_address', model: "{{ get_where_subquery(ref('data_text')) }}" }, namespace: 'dbt_expectations' }, 'cf139f0062'],
];

describe("generic tests' unique_id hashes are dbt-core's", () => {
  test.each(DBT)('%s', (name, md, hash) => {
    expect(dbtTestHash(name, md)).toBe(hash);
  });

  test("repr() of a str as Python writes it: quote choice and escapes", () => {
    expect(pyRepr('plain')).toBe("'plain'");
    expect(pyRepr("ref('x')")).toBe(`"ref('x')"`);
    expect(pyRepr(`both ' and "`)).toBe(`'both \\' and "'`);
    expect(pyRepr('a\\d\n\t')).toBe("'a\\\\d\\n\\t'");
    expect(pyRepr('zoë')).toBe("'zoë'");
  });
});
