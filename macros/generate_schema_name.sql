{#
  MediFlow's layers are schemas named exactly raw, stg, dim, fact, marts and ref. dbt's default
  prefixes the target schema (main_stg), which would make the lineage schemas differ per target;
  a custom schema is therefore used as is, and nodes without one land in the target schema.
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
  {%- if custom_schema_name is none -%}{{ target.schema }}{%- else -%}{{ custom_schema_name | trim }}{%- endif -%}
{%- endmacro %}
