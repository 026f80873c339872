-- mart_provider_utilization loses no claim, service or dollar of fact_claim.
with fact as (
    select claim_year as year, count(*) as claims, sum(service_count) as services, sum(paid_amount) as paid
    from {{ ref('fact_claim') }} group by claim_year
),
mart as (
    select year, sum(claims) as claims, sum(services) as services, sum(total_paid) as paid
    from {{ ref('mart_provider_utilization') }} group by year
)
select f.year, f.claims, m.claims as mart_claims, f.paid, m.paid as mart_paid
from fact as f
left join mart as m on m.year = f.year
where m.claims is null or m.claims <> f.claims or m.services <> f.services or m.paid <> f.paid
