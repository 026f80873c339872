{# Empty CSV fields arrive as NULL or '' depending on the loader; treat both as missing. #}
{% macro clean_text(col) -%}
  nullif(trim({{ col }}), '')
{%- endmacro %}

{# SynPUF dates are YYYYMMDD text; junk or empty values become NULL instead of failing the run. #}
{% macro yyyymmdd_to_date(col) -%}
  {{ return(adapter.dispatch('yyyymmdd_to_date')(col)) }}
{%- endmacro %}
{% macro default__yyyymmdd_to_date(col) -%}
  try_to_date(nullif(trim({{ col }}), ''), 'YYYYMMDD')
{%- endmacro %}
{% macro duckdb__yyyymmdd_to_date(col) -%}
  cast(try_strptime(nullif(trim({{ col }}), ''), '%Y%m%d') as date)
{%- endmacro %}

{# Amounts are text with 2 decimals and can be negative; decimal(14,2) keeps cents exact. #}
{% macro to_amount(col) -%}
  {{ safe_cast(clean_text(col), 'decimal(14,2)') }}
{%- endmacro %}

{# NPPES dates are MM/DD/YYYY. #}
{% macro mdy_to_date(col) -%}
  {{ return(adapter.dispatch('mdy_to_date')(col)) }}
{%- endmacro %}
{% macro default__mdy_to_date(col) -%}
  try_to_date(nullif(trim({{ col }}), ''), 'MM/DD/YYYY')
{%- endmacro %}
{% macro duckdb__mdy_to_date(col) -%}
  cast(try_strptime(nullif(trim({{ col }}), ''), '%m/%d/%Y') as date)
{%- endmacro %}

{# A code as real copies of a file spell it: NPPES re-saved through a spreadsheet turns the entity
   type 1 into 1.0, and some exports keep the quotes ("1"). All of these are the code 1. #}
{% macro code_text(col) -%}
  nullif(trim(regexp_replace(trim(trim({{ col }}), '"'), '[.]0+$', '')), '')
{%- endmacro %}
