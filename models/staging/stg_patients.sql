-- One row per beneficiary-year. The year is not a column of the Beneficiary Summary file: CMS
-- ships one file per year, so it is read from the file name kept in _source_file.
{% set conditions = [
  ('SP_ALZHDMTA', 'alzheimers'), ('SP_CHF', 'heart_failure'), ('SP_CHRNKIDN', 'chronic_kidney_disease'),
  ('SP_CNCR', 'cancer'), ('SP_COPD', 'copd'), ('SP_DEPRESSN', 'depression'), ('SP_DIABETES', 'diabetes'),
  ('SP_ISCHMCHT', 'ischemic_heart_disease'), ('SP_OSTEOPRS', 'osteoporosis'), ('SP_RA_OA', 'ra_oa'),
  ('SP_STRKETIA', 'stroke_tia')
] %}
with src as (
    select * from {{ source('raw', 'beneficiary') }}
),

typed as (
    select
        {{ clean_text('DESYNPUF_ID') }} as patient_id,
        cast({{ regex_group('_source_file', "'DE1_0_([0-9]{4})_Beneficiary'", 1) }} as integer) as year,
        {{ yyyymmdd_to_date('BENE_BIRTH_DT') }} as birth_date,
        {{ yyyymmdd_to_date('BENE_DEATH_DT') }} as death_date,
        {{ clean_text('BENE_SEX_IDENT_CD') }} as sex_code,
        {{ clean_text('BENE_RACE_CD') }} as race_code,
        {{ clean_text('BENE_ESRD_IND') }} = 'Y' as has_esrd,
        -- zero-padded as CMS writes them; some re-hosted copies (the OHDSI fixtures) drop the zeros
        lpad({{ clean_text('SP_STATE_CODE') }}, 2, '0') as ssa_state_code,
        lpad({{ clean_text('BENE_COUNTY_CD') }}, 3, '0') as ssa_county_code,
        {{ safe_cast(clean_text('BENE_HI_CVRAGE_TOT_MONS'), 'integer') }} as part_a_months,
        {{ safe_cast(clean_text('BENE_SMI_CVRAGE_TOT_MONS'), 'integer') }} as part_b_months,
        {{ safe_cast(clean_text('BENE_HMO_CVRAGE_TOT_MONS'), 'integer') }} as hmo_months,
        {{ safe_cast(clean_text('PLAN_CVRG_MOS_NUM'), 'integer') }} as part_d_months,
        {%- for col, key in conditions %}
        {{ clean_text(col) }} = '1' as has_{{ key }},
        {%- endfor %}
        ({% for col, key in conditions %}(case when {{ clean_text(col) }} = '1' then 1 else 0 end){% if not loop.last %} + {% endif %}{% endfor %}) as chronic_condition_count,
        {{ to_amount('MEDREIMB_IP') }} as medicare_paid_ip,
        {{ to_amount('BENRES_IP') }} as beneficiary_paid_ip,
        {{ to_amount('PPPYMT_IP') }} as primary_payer_paid_ip,
        {{ to_amount('MEDREIMB_OP') }} as medicare_paid_op,
        {{ to_amount('BENRES_OP') }} as beneficiary_paid_op,
        {{ to_amount('PPPYMT_OP') }} as primary_payer_paid_op,
        {{ to_amount('MEDREIMB_CAR') }} as medicare_paid_carrier,
        {{ to_amount('BENRES_CAR') }} as beneficiary_paid_carrier,
        {{ to_amount('PPPYMT_CAR') }} as primary_payer_paid_carrier,
        _loaded_at as loaded_at
    from src
)

select
    typed.patient_id,
    typed.year,
    typed.patient_id || '-' || cast(typed.year as {{ type_string() }}) as patient_year_id,
    typed.birth_date,
    typed.death_date,
    typed.year - extract(year from typed.birth_date) as age,
    {{ age_band('typed.year - extract(year from typed.birth_date)') }} as age_band,
    typed.sex_code,
    coalesce(sex.gender, 'unknown') as gender,
    typed.race_code,
    coalesce(race.race, 'unknown') as race,
    typed.has_esrd,
    typed.ssa_state_code,
    st.state_code,
    st.state_name,
    typed.ssa_county_code,
    typed.ssa_state_code || typed.ssa_county_code as ssa_county_key,
    typed.part_a_months,
    typed.part_b_months,
    typed.hmo_months,
    typed.part_d_months,
    {%- for col, key in conditions %}
    typed.has_{{ key }},
    {%- endfor %}
    typed.chronic_condition_count,
    typed.medicare_paid_ip,
    typed.beneficiary_paid_ip,
    typed.primary_payer_paid_ip,
    typed.medicare_paid_op,
    typed.beneficiary_paid_op,
    typed.primary_payer_paid_op,
    typed.medicare_paid_carrier,
    typed.beneficiary_paid_carrier,
    typed.primary_payer_paid_carrier,
    typed.loaded_at
from typed
left join {{ ref('sex_codes') }} as sex on sex.sex_code = typed.sex_code
left join {{ ref('race_codes') }} as race on race.race_code = typed.race_code
left join {{ ref('ssa_state_codes') }} as st on st.ssa_state_code = typed.ssa_state_code
