-- One row per beneficiary. Static attributes (birth, sex, race, state, county) and the chronic
-- conditions come from the latest year the beneficiary appears in; the death date from any year
-- (it is only in the file of the year of death). SynPUF has no ZIP codes: the finest geography is
-- the 5-character SSA county key (state + county), which stands in for the ERD's zip3.
{% set conditions = ['alzheimers', 'heart_failure', 'chronic_kidney_disease', 'cancer', 'copd', 'depression',
    'diabetes', 'ischemic_heart_disease', 'osteoporosis', 'ra_oa', 'stroke_tia'] %}
with ranked as (
    select
        p.*,
        row_number() over (partition by patient_id order by year desc) as rn,
        max(death_date) over (partition by patient_id) as any_death_date,
        min(year) over (partition by patient_id) as first_year
    from {{ ref('stg_patients') }} as p
)

select
    patient_id,
    birth_date as dob,
    sex_code,
    gender,
    race_code,
    race,
    ssa_state_code,
    state_code,
    state_name,
    ssa_county_key,
    ssa_county_key as zip3_substitute,
    any_death_date as death_date,
    any_death_date is not null as is_deceased,
    first_year,
    year as latest_year,
    age as age_in_latest_year,
    age_band,
    has_esrd,
    {%- for key in conditions %}
    has_{{ key }},
    {%- endfor %}
    chronic_condition_count
from ranked
where rn = 1
