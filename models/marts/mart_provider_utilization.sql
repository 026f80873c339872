-- Utilization by year (of the claim), provider specialty, provider state and provider kind.
-- Institutional claims count at their facility (PRVDR_NUM), carrier claims at the performing
-- physician of their first line; claims without a provider are in the 'unknown' row.
with claims as (
    select
        f.claim_year as year,
        p.specialty,
        p.state,
        p.provider_kind,
        f.provider_id,
        f.patient_id,
        f.claim_id,
        f.service_count,
        f.allowed_amount,
        f.paid_amount
    from {{ ref('fact_claim') }} as f
    inner join {{ ref('dim_provider') }} as p on p.provider_id = f.provider_id
),

grouped as (
    select
        year, specialty, state, provider_kind,
        count(distinct provider_id) as providers,
        count(distinct patient_id) as patients,
        count(*) as claims,
        sum(service_count) as services,
        sum(allowed_amount) as total_allowed,
        sum(paid_amount) as total_paid
    from claims
    group by year, specialty, state, provider_kind
)

select
    cast(year as {{ type_string() }}) || '|' || specialty || '|' || state || '|' || provider_kind as utilization_group_id,
    year,
    specialty,
    state,
    provider_kind,
    providers,
    patients,
    claims,
    services,
    total_allowed,
    total_paid,
    round(total_paid / patients, 2) as paid_per_patient,
    round(cast(claims as {{ type_float() }}) / patients, 3) as claims_per_patient,
    round(cast(services as {{ type_float() }}) / patients, 3) as services_per_patient,
    round(total_paid / providers, 2) as paid_per_provider
from grouped
