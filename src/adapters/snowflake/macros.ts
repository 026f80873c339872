/**
 * Snowflake's implementations of the cross-database macros (dbt's dispatch: \`adapter.dispatch('x')\`
 * picks \`snowflake__x\` over \`default__x\`). The defaults live in src/jinja/builtin-macros.ts.
 */
export const SNOWFLAKE_MACROS = String.raw`
{% macro snowflake__type_string() %}{{ return('varchar') }}{% endmacro %}
{% macro snowflake__type_timestamp() %}{{ return('timestamp_ntz') }}{% endmacro %}
{% macro snowflake__type_float() %}{{ return('float') }}{% endmacro %}
{% macro snowflake__current_timestamp() %}convert_timezone('UTC', current_timestamp())::timestamp_ntz{% endmacro %}
{% macro snowflake__safe_cast(field, type) %}try_cast({{ field }} as {{ type }}){% endmacro %}
{% macro snowflake__bool_or(expression) %}boolor_agg({{ expression }}){% endmacro %}
{% macro snowflake__listagg(measure, delimiter_text, order_by_clause, limit_num) %}listagg({{ measure }}, {{ delimiter_text }}){% if order_by_clause %} within group ({{ order_by_clause }}){% endif %}{% endmacro %}
{% macro snowflake__escape_single_quotes(expression) %}{{ expression | string | replace("\\", "\\\\") | replace("'", "''") }}{% endmacro %}
{% macro snowflake__date(year, month, day) %}date_from_parts({{ year }}, {{ month }}, {{ day }}){% endmacro %}
`;
