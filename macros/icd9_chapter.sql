{#
  The 3-character key compared with seed icd9_chapters.code_from/code_to: numeric codes keep
  their first 3 digits ('4280' -> '428'), V codes 'V' + 2 digits, E codes 'E' + 2 digits.
  Same-length keys compare correctly as text, and letters sort after digits, so a V or E key
  can never fall into a numeric range; junk such as 'OTHER' or 'XX000' matches no chapter.
  Callers must also require length(dx) >= 3 ('48' would otherwise sort inside 460-519).
#}
{% macro icd9_chapter_key(dx) -%}
  substr({{ dx }}, 1, 3)
{%- endmacro %}
