-- No claim is lost between RAW and fact_claim: distinct CLM_IDs per claim type must match. A claim
-- type that was not delivered has 0 in RAW and none in the fact, which agrees.
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
where coalesce(f.n, 0) <> r.n
