{# Cross-warehouse helpers: the models call these, each warehouse gets SQL it knows. #}

{# The group-th capture group of the first match of pattern in text; NULL when nothing matches. #}
{% macro regex_group(text, pattern, group) -%}
  {{ return(adapter.dispatch('regex_group')(text, pattern, group)) }}
{%- endmacro %}
{% macro default__regex_group(text, pattern, group) -%}
  regexp_substr({{ text }}, {{ pattern }}, 1, 1, 'e', {{ group }})
{%- endmacro %}
{% macro duckdb__regex_group(text, pattern, group) -%}
  nullif(regexp_extract({{ text }}, {{ pattern }}, {{ group }}), '')
{%- endmacro %}

{# A RAW column named after a file header ("Entity Type Code"), as the loader stored the name:
   as written on DuckDB, in upper case on Snowflake (mflow's Snowflake ingest upper-cases headers,
   as unquoted names are stored there). #}
{% macro raw_column(name) -%}
  {{ return(adapter.dispatch('raw_column')(name)) }}
{%- endmacro %}
{% macro default__raw_column(name) -%}
  {{ adapter.quote(name) }}
{%- endmacro %}
{% macro snowflake__raw_column(name) -%}
  {{ adapter.quote(name | upper) }}
{%- endmacro %}
