-- 30-day readmission rates by year (of the index discharge) and by one grouping at a time:
-- overall, hospital, DRG and ICD-9 chapter of the principal diagnosis. Denominator = index
-- admissions (fact_admission.is_index_admission), numerator = those with readmitted_30d.
{% set threshold = var('small_denominator_threshold', 11) %}
with idx as (
    select
        f.index_year as year,
        f.provider_id,
        coalesce(f.drg_code, 'unknown') as drg_code,
        f.drg_code as claim_drg_code,
        f.discharge_date,
        coalesce(ch.chapter, 'unknown') as icd9_chapter,
        coalesce(ch.chapter_name, 'Unknown or invalid ICD-9 code') as icd9_chapter_name,
        case when f.readmitted_30d then 1 else 0 end as readmitted
    from {{ ref('fact_admission') }} as f
    left join {{ ref('icd9_chapters') }} as ch
        on length(f.principal_dx) >= 3
        and {{ icd9_chapter_key('f.principal_dx') }} between ch.code_from and ch.code_to
    where f.is_index_admission
),

-- Every DRG code is named by the MS-DRG grouper version in effect at the admission's discharge
-- (CMS groups a claim by its discharge date; seed drg_codes has one row per code and version).
-- A (year, DRG) group can span two versions (they change on 1 October): it takes the title of the
-- newest version that lists the code among those in effect at its discharges.
drg_in_effect as (
    select i.year, i.drg_code, max(d.grouper_version) as grouper_version
    from idx as i
    inner join {{ ref('drg_codes') }} as d
        on d.drg_code = i.claim_drg_code
        and i.discharge_date between d.effective_from and d.effective_to
    group by i.year, i.drg_code
),

-- for a code that no version in effect at its discharges lists: its newest version anywhere
drg_newest as (
    select d.drg_code, d.grouper_version, d.drg_description
    from {{ ref('drg_codes') }} as d
    inner join (
        select drg_code, max(grouper_version) as grouper_version from {{ ref('drg_codes') }} group by drg_code
    ) as n on n.drg_code = d.drg_code and n.grouper_version = d.grouper_version
),

drg_labels as (
    select
        g.year,
        g.drg_code,
        case
            when g.drg_code = 'unknown' then 'No DRG on the claim'
            when e.drg_code is not null then d.drg_description
            when n.drg_code is not null then
                n.drg_description || ' (MS-DRG v' || cast(n.grouper_version as {{ type_string() }})
                || ' title; the code is not in the grouper version in effect at discharge)'
            else 'MS-DRG ' || g.drg_code || ' (in no MS-DRG grouper version 25-28)'
        end as drg_description
    from (select distinct year, drg_code from idx) as g
    left join drg_in_effect as e on e.year = g.year and e.drg_code = g.drg_code
    left join {{ ref('drg_codes') }} as d on d.drg_code = e.drg_code and d.grouper_version = e.grouper_version
    left join drg_newest as n on n.drg_code = g.drg_code
),

grouped as (
    select year, 'overall' as grouping, 'all' as group_key, 'All index admissions' as group_label,
           count(*) as denominator, sum(readmitted) as numerator
    from idx group by year
    union all
    select year, 'hospital', provider_id, provider_id, count(*), sum(readmitted)
    from idx group by year, provider_id
    union all
    select i.year, 'drg', i.drg_code, l.drg_description, count(*), sum(i.readmitted)
    from idx as i
    inner join drg_labels as l on l.year = i.year and l.drg_code = i.drg_code
    group by i.year, i.drg_code, l.drg_description
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
