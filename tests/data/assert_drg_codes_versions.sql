-- Seed drg_codes: one row per code and grouper version; each version has one effective period,
-- the periods follow each other day after day (a discharge date finds at most one version); and
-- each version holds as many MS-DRGs as CMS lists for it (v25 FY2008: the 745 MS-DRGs CMS adopted;
-- v26 adds 265; v27 no change; v28 splits 009 into 014 and 015), plus the junk codes 000 and OTH.
with dup as (
    select 'duplicate ' || drg_code || ' v' || cast(grouper_version as {{ type_string() }}) as problem
    from {{ ref('drg_codes') }}
    group by drg_code, grouper_version
    having count(*) > 1
),

periods as (
    select grouper_version, min(effective_from) as effective_from, max(effective_to) as effective_to,
           count(distinct effective_from) + count(distinct effective_to) as n_dates,
           sum(case when is_valid_drg then 1 else 0 end) as valid_codes,
           sum(case when is_valid_drg then 0 else 1 end) as junk_codes
    from {{ ref('drg_codes') }}
    group by grouper_version
),

ordered as (
    select p.*, lag(effective_to) over (order by grouper_version) as previous_to
    from periods as p
)

select problem from dup
union all
select 'v' || cast(grouper_version as {{ type_string() }}) || ' has more than one effective period' from ordered where n_dates <> 2
union all
select 'v' || cast(grouper_version as {{ type_string() }}) || ' does not start the day after the previous version ends'
from ordered where previous_to is not null and effective_from <> {{ dateadd('day', 1, 'previous_to') }}
union all
select 'v' || cast(grouper_version as {{ type_string() }}) || ' has ' || cast(valid_codes as {{ type_string() }}) || ' MS-DRGs'
from ordered
where valid_codes <> case grouper_version when 25 then 745 when 26 then 746 when 27 then 746 when 28 then 747 end
union all
select 'v' || cast(grouper_version as {{ type_string() }}) || ' lacks the junk codes 000 and OTH' from ordered where junk_codes <> 2
