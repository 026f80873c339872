-- A table, not a view like the other staging models: fact_claim and five data tests read it, and
-- as a view the 13-slot carrier unpivot ran once per reader (about half of the build's time).
{{ config(materialized='table') }}
-- Inpatient, outpatient and carrier claims in one shape, one row per claim.
-- Institutional claims: SEGMENT 2 rows reuse the CLM_ID of segment 1 and carry their own
-- payment; every segment's money is summed into the claim, while dates, codes and providers come
-- from segment 1. Carrier claims: the 13 wide line slots are unpivoted (a slot is a line when its
-- HCPCS code or performing NPI is filled, spec §3.4) and summed per claim.
{% set n_lines = 13 %}
{% set n_hcpcs_op = 45 %}
with inpatient as (
    select
        {{ clean_text('CLM_ID') }} as claim_id,
        'inpatient' as claim_type,
        max({{ clean_text('DESYNPUF_ID') }}) as patient_id,
        count(*) as segment_count,
        max(case when {{ clean_text('SEGMENT') }} = '1' then {{ yyyymmdd_to_date('CLM_FROM_DT') }} end) as from_date,
        max(case when {{ clean_text('SEGMENT') }} = '1' then {{ yyyymmdd_to_date('CLM_THRU_DT') }} end) as thru_date,
        max(case when {{ clean_text('SEGMENT') }} = '1' then {{ yyyymmdd_to_date('CLM_ADMSN_DT') }} end) as admission_date,
        max(case when {{ clean_text('SEGMENT') }} = '1' then {{ yyyymmdd_to_date('NCH_BENE_DSCHRG_DT') }} end) as discharge_date,
        max(case when {{ clean_text('SEGMENT') }} = '1' then {{ clean_text('PRVDR_NUM') }} end) as provider_number,
        max(case when {{ clean_text('SEGMENT') }} = '1' then {{ clean_text('AT_PHYSN_NPI') }} end) as physician_npi,
        max(case when {{ clean_text('SEGMENT') }} = '1' then {{ clean_text('CLM_DRG_CD') }} end) as drg_code,
        max(case when {{ clean_text('SEGMENT') }} = '1' then {{ clean_text('ICD9_DGNS_CD_1') }} end) as principal_dx,
        sum(coalesce({{ to_amount('CLM_PMT_AMT') }}, 0)) as paid_amount,
        sum(coalesce({{ to_amount('NCH_PRMRY_PYR_CLM_PD_AMT') }}, 0)) as primary_payer_paid_amount,
        sum(coalesce({{ to_amount('NCH_BENE_IP_DDCTBL_AMT') }}, 0)
            + coalesce({{ to_amount('NCH_BENE_PTA_COINSRNC_LBLTY_AM') }}, 0)
            + coalesce({{ to_amount('NCH_BENE_BLOOD_DDCTBL_LBLTY_AM') }}, 0)) as beneficiary_liability_amount,
        1 as service_count,
        max(_loaded_at) as loaded_at
    from {{ source('raw', 'inpatient') }}
    group by {{ clean_text('CLM_ID') }}
),

outpatient as (
    select
        {{ clean_text('CLM_ID') }} as claim_id,
        'outpatient' as claim_type,
        max({{ clean_text('DESYNPUF_ID') }}) as patient_id,
        count(*) as segment_count,
        max(case when {{ clean_text('SEGMENT') }} = '1' then {{ yyyymmdd_to_date('CLM_FROM_DT') }} end) as from_date,
        max(case when {{ clean_text('SEGMENT') }} = '1' then {{ yyyymmdd_to_date('CLM_THRU_DT') }} end) as thru_date,
        cast(null as date) as admission_date,
        cast(null as date) as discharge_date,
        max(case when {{ clean_text('SEGMENT') }} = '1' then {{ clean_text('PRVDR_NUM') }} end) as provider_number,
        max(case when {{ clean_text('SEGMENT') }} = '1' then {{ clean_text('AT_PHYSN_NPI') }} end) as physician_npi,
        cast(null as {{ type_string() }}) as drg_code,
        max(case when {{ clean_text('SEGMENT') }} = '1' then {{ clean_text('ICD9_DGNS_CD_1') }} end) as principal_dx,
        sum(coalesce({{ to_amount('CLM_PMT_AMT') }}, 0)) as paid_amount,
        sum(coalesce({{ to_amount('NCH_PRMRY_PYR_CLM_PD_AMT') }}, 0)) as primary_payer_paid_amount,
        sum(coalesce({{ to_amount('NCH_BENE_PTB_DDCTBL_AMT') }}, 0)
            + coalesce({{ to_amount('NCH_BENE_PTB_COINSRNC_AMT') }}, 0)
            + coalesce({{ to_amount('NCH_BENE_BLOOD_DDCTBL_LBLTY_AM') }}, 0)) as beneficiary_liability_amount,
        -- one service per revenue-center HCPCS code; at least one per claim
        greatest(sum(
            {%- for i in range(1, n_hcpcs_op + 1) %}
            (case when {{ clean_text('HCPCS_CD_' ~ i) }} is not null then 1 else 0 end){% if not loop.last %} +{% endif %}
            {%- endfor %}
        ), 1) as service_count,
        max(_loaded_at) as loaded_at
    from {{ source('raw', 'outpatient') }}
    group by {{ clean_text('CLM_ID') }}
),

carrier_header as (
    select
        {{ clean_text('CLM_ID') }} as claim_id,
        max({{ clean_text('DESYNPUF_ID') }}) as patient_id,
        max({{ yyyymmdd_to_date('CLM_FROM_DT') }}) as from_date,
        max({{ yyyymmdd_to_date('CLM_THRU_DT') }}) as thru_date,
        max({{ clean_text('ICD9_DGNS_CD_1') }}) as principal_dx,
        max(_loaded_at) as loaded_at
    from {{ source('raw', 'carrier') }}
    group by {{ clean_text('CLM_ID') }}
),

carrier_lines as (
    {%- for i in range(1, n_lines + 1) %}
    select
        {{ clean_text('CLM_ID') }} as claim_id,
        {{ i }} as line_number,
        {{ clean_text('PRF_PHYSN_NPI_' ~ i) }} as npi,
        coalesce({{ to_amount('LINE_NCH_PMT_AMT_' ~ i) }}, 0) as paid_amount,
        coalesce({{ to_amount('LINE_ALOWD_CHRG_AMT_' ~ i) }}, 0) as allowed_amount,
        coalesce({{ to_amount('LINE_BENE_PRMRY_PYR_PD_AMT_' ~ i) }}, 0) as primary_payer_paid_amount,
        coalesce({{ to_amount('LINE_BENE_PTB_DDCTBL_AMT_' ~ i) }}, 0) + coalesce({{ to_amount('LINE_COINSRNC_AMT_' ~ i) }}, 0) as beneficiary_liability_amount
    from {{ source('raw', 'carrier') }}
    where {{ clean_text('HCPCS_CD_' ~ i) }} is not null or {{ clean_text('PRF_PHYSN_NPI_' ~ i) }} is not null
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

carrier_line_totals as (
    select
        claim_id,
        count(*) as line_count,
        sum(paid_amount) as paid_amount,
        sum(allowed_amount) as allowed_amount,
        sum(primary_payer_paid_amount) as primary_payer_paid_amount,
        sum(beneficiary_liability_amount) as beneficiary_liability_amount,
        -- the claim's provider is the performing physician of its first line that names one
        min(case when npi is not null then line_number end) as first_npi_line
    from carrier_lines
    group by claim_id
),

carrier as (
    select
        h.claim_id,
        'carrier' as claim_type,
        h.patient_id,
        1 as segment_count,
        h.from_date,
        h.thru_date,
        cast(null as date) as admission_date,
        cast(null as date) as discharge_date,
        cast(null as {{ type_string() }}) as provider_number,
        l.npi as physician_npi,
        cast(null as {{ type_string() }}) as drg_code,
        h.principal_dx,
        coalesce(t.paid_amount, 0) as paid_amount,
        coalesce(t.primary_payer_paid_amount, 0) as primary_payer_paid_amount,
        coalesce(t.beneficiary_liability_amount, 0) as beneficiary_liability_amount,
        coalesce(t.allowed_amount, 0) as allowed_amount,
        coalesce(t.line_count, 0) as service_count,
        h.loaded_at
    from carrier_header as h
    left join carrier_line_totals as t on t.claim_id = h.claim_id
    left join carrier_lines as l on l.claim_id = h.claim_id and l.line_number = t.first_npi_line
),

institutional as (
    select * from inpatient
    union all
    select * from outpatient
),

unioned as (
    select
        claim_id, claim_type, patient_id, segment_count, from_date, thru_date, admission_date, discharge_date,
        provider_number, physician_npi, drg_code, principal_dx, paid_amount, primary_payer_paid_amount,
        beneficiary_liability_amount,
        -- institutional files carry no allowed amount: what Medicare, other payers and the
        -- beneficiary owe together is the amount the claim was allowed at
        paid_amount + primary_payer_paid_amount + beneficiary_liability_amount as allowed_amount,
        service_count, loaded_at
    from institutional
    union all
    select
        claim_id, claim_type, patient_id, segment_count, from_date, thru_date, admission_date, discharge_date,
        provider_number, physician_npi, drg_code, principal_dx, paid_amount, primary_payer_paid_amount,
        beneficiary_liability_amount, allowed_amount, service_count, loaded_at
    from carrier
)

select
    claim_id,
    claim_type,
    patient_id,
    segment_count,
    from_date,
    thru_date,
    admission_date,
    discharge_date,
    coalesce(from_date, admission_date, thru_date) as service_date,
    cast(extract(year from coalesce(thru_date, from_date, discharge_date)) as integer) as claim_year,
    provider_number,
    physician_npi,
    case
        when provider_number is not null then 'I-' || provider_number
        when physician_npi is not null then 'N-' || physician_npi
        else 'UNKNOWN'
    end as provider_id,
    drg_code,
    principal_dx,
    paid_amount,
    primary_payer_paid_amount,
    beneficiary_liability_amount,
    allowed_amount,
    service_count,
    loaded_at
from unioned
