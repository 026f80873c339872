-- 30-day readmission rates by year (of the index discharge) and by one grouping at a time:
-- overall, hospital, DRG and ICD-9 chapter of the principal diagnosis. Denominator = index
-- admissions (fact_admission.is_index_admission), numerator = those with readmitted_30d.
{% set threshold = var('small_denominator_threshold', 11) %}
with idx as (
    select
        f.index_year as year,
        f.provider_id,
        coalesce(f.drg_code, 'unknown') as drg_code,
        coalesce(ch.chapter, 'unknown') as icd9_chapter,
        coalesce(ch.chapter_name, 'Unknown or invalid ICD-9 code') as icd9_chapter_name,
        -- every DRG code is named: by the MS-DRG v25 list, or as a code that list lacks (v26/v27)
        case
            when f.drg_code is null then 'No DRG on the claim'
            else coalesce(drg.drg_description, 'MS-DRG ' || f.drg_code || ' (not in the MS-DRG v25 list)')
        end as drg_description,
        case when f.readmitted_30d then 1 else 0 end as readmitted
    from {{ ref('fact_admission') }} as f
    left join {{ ref('icd9_chapters') }} as ch
        on length(f.principal_dx) >= 3
        and {{ icd9_chapter_key('f.principal_dx') }} between ch.code_from and ch.code_to
    left join {{ ref('drg_codes') }} as drg on drg.drg_code = f.drg_code
    where f.is_index_admission
),

grouped as (
    select year, 'overall' as grouping, 'all' as group_key, 'All index admissions' as group_label,
           count(*) as denominator, sum(readmitted) as numerator
    from idx group by year
    union all
    select year, 'hospital', provider_id, provider_id, count(*), sum(readmitted)
    from idx group by year, provider_id
    union all
    select year, 'drg', drg_code, drg_description, count(*), sum(readmitted)
    from idx group by year, drg_code, drg_description
    union all
    select year, 'icd9_chapter', icd9_chapter, icd9_chapter_name, count(*), sum(readmitted)
    from idx group by year, icd9_chapter, icd9_chapter_name
)

select
    year || '-' || grouping || '-' || group_key as readmission_group_id,
    year,
    grouping,
    group_key,
    group_label,
    numerator,
    denominator,
    cast(numerator as {{ type_float() }}) / denominator as readmission_rate,
    denominator < {{ threshold }} as is_small_denominator
from grouped
