-- For every grouping that partitions the claims (all but chronic_condition), the mart rows of a
-- year and claim type add up to fact_claim exactly.
with fact as (
    select claim_year as year, claim_type, count(*) as claims, sum(allowed_amount) as allowed, sum(paid_amount) as paid
    from {{ ref('fact_claim') }}
    group by claim_year, claim_type
),
mart as (
    select year, claim_type, cohort_dimension, sum(claims) as claims, sum(total_allowed) as allowed, sum(total_paid) as paid
    from {{ ref('mart_cost_of_care') }}
    where cohort_dimension <> 'chronic_condition'
    group by year, claim_type, cohort_dimension
),
dims as (
    select distinct cohort_dimension from {{ ref('mart_cost_of_care') }} where cohort_dimension <> 'chronic_condition'
)
select f.year, f.claim_type, d.cohort_dimension, f.paid as fact_paid, m.paid as mart_paid, f.claims as fact_claims, m.claims as mart_claims
from fact as f
cross join dims as d
left join mart as m on m.year = f.year and m.claim_type = f.claim_type and m.cohort_dimension = d.cohort_dimension
where m.claims is null or m.claims <> f.claims or m.paid <> f.paid or m.allowed <> f.allowed
