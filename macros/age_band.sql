{# Age bands used by every cohort figure; < 65 are the disability/ESRD entitled. #}
{% macro age_band(age) -%}
  case
    when {{ age }} is null then 'unknown'
    when {{ age }} < 65 then '<65'
    when {{ age }} < 75 then '65-74'
    when {{ age }} < 85 then '75-84'
    else '85+'
  end
{%- endmacro %}
