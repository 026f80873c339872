-- Every Medicare dollar in RAW reaches fact_claim: paid totals per claim type must match to the cent.
with raw_paid as (
    select 'inpatient' as claim_type, sum(coalesce({{ to_amount('CLM_PMT_AMT') }}, 0)) as paid from {{ source('raw', 'inpatient') }}
    union all
    select 'outpatient', sum(coalesce({{ to_amount('CLM_PMT_AMT') }}, 0)) from {{ source('raw', 'outpatient') }}
    union all
    select 'carrier', sum(
        {%- for i in range(1, 14) %}
        coalesce({{ to_amount('LINE_NCH_PMT_AMT_' ~ i) }}, 0){% if not loop.last %} +{% endif %}
        {%- endfor %}
    ) from {{ source('raw', 'carrier') }}
),
fact_paid as (
    select claim_type, sum(paid_amount) as paid from {{ ref('fact_claim') }} group by claim_type
)
select r.claim_type, r.paid as raw_paid, f.paid as fact_paid
from raw_paid as r
left join fact_paid as f on f.claim_type = r.claim_type
where coalesce(f.paid, 0) <> coalesce(r.paid, 0)
