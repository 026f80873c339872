-- Inpatient stays: one row per inpatient claim, taken from its SEGMENT 1 row (segment 2 rows have
-- no dates or diagnoses, spec §3.2). Admission and discharge use CLM_ADMSN_DT and
-- NCH_BENE_DSCHRG_DT, falling back to CLM_FROM_DT and CLM_THRU_DT. The payment is the whole
-- claim's (all segments), the same figure fact_claim carries. The six ICD-9 procedure codes feed
-- the Planned Readmission Algorithm (fact_admission).
with segment_one as (
    select
        {{ clean_text('CLM_ID') }} as admission_id,
        {{ clean_text('DESYNPUF_ID') }} as patient_id,
        {{ clean_text('PRVDR_NUM') }} as provider_number,
        coalesce({{ yyyymmdd_to_date('CLM_ADMSN_DT') }}, {{ yyyymmdd_to_date('CLM_FROM_DT') }}) as admit_date,
        coalesce({{ yyyymmdd_to_date('NCH_BENE_DSCHRG_DT') }}, {{ yyyymmdd_to_date('CLM_THRU_DT') }}) as discharge_date,
        {{ clean_text('CLM_DRG_CD') }} as drg_code,
        {{ clean_text('ICD9_DGNS_CD_1') }} as principal_dx,
        {{ clean_text('ADMTNG_ICD9_DGNS_CD') }} as admitting_dx,
        {{ clean_text('AT_PHYSN_NPI') }} as attending_npi,
        {{ safe_cast(clean_text('CLM_UTLZTN_DAY_CNT'), 'integer') }} as utilization_days,
        {%- for i in range(1, 7) %}
        {{ clean_text('ICD9_PRCDR_CD_' ~ i) }} as procedure_code_{{ i }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from {{ source('raw', 'inpatient') }}
    where {{ clean_text('SEGMENT') }} = '1'
)

select
    s.admission_id,
    s.patient_id,
    s.provider_number,
    case when s.provider_number is not null then 'I-' || s.provider_number else 'UNKNOWN' end as provider_id,
    s.admit_date,
    s.discharge_date,
    s.drg_code,
    s.principal_dx,
    s.admitting_dx,
    s.attending_npi,
    s.utilization_days,
    {%- for i in range(1, 7) %}
    s.procedure_code_{{ i }}{% if not loop.last %},{% endif %}
    {%- endfor %}
from segment_one as s
