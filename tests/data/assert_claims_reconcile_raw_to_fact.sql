-- No claim is lost between RAW and fact_claim: distinct CLM_IDs per claim type must match.
with raw_counts as (
    select 'inpatient' as claim_type, count(distinct {{ clean_text('CLM_ID') }}) as n from {{ source('raw', 'inpatient') }}
    union all
    select 'outpatient', count(distinct {{ clean_text('CLM_ID') }}) from {{ source('raw', 'outpatient') }}
    union all
    select 'carrier', count(distinct {{ clean_text('CLM_ID') }}) from {{ source('raw', 'carrier') }}
),
fact_counts as (
    select claim_type, count(*) as n from {{ ref('fact_claim') }} group by claim_type
)
select r.claim_type, r.n as raw_claims, f.n as fact_claims
from raw_counts as r
left join fact_counts as f on f.claim_type = r.claim_type
where f.n is null or f.n <> r.n
