/**
 * DuckDB's implementations of the cross-database macros (dbt's dispatch: \`adapter.dispatch('x')\`
 * picks \`duckdb__x\` over \`default__x\`). The defaults live in src/jinja/builtin-macros.ts.
 */
export const DUCKDB_MACROS = String.raw`
{% macro duckdb__current_timestamp() %}now()::timestamp{% endmacro %}
{% macro duckdb__dateadd(datepart, interval, from_date_or_timestamp) %}date_add({{ from_date_or_timestamp }}, interval ({{ interval }}) {{ datepart }}){% endmacro %}
{% macro duckdb__datediff(first_date, second_date, datepart) %}date_diff('{{ datepart }}', {{ first_date }}::timestamp, {{ second_date }}::timestamp){% endmacro %}
{% macro duckdb__safe_cast(field, type) %}try_cast({{ field }} as {{ type }}){% endmacro %}
`;
