-- One row per provider plus the 'UNKNOWN' member, so that a claim whose provider is missing
-- still joins (fact_claim.provider_id falls back to it) and no fact row is lost.
with providers as (
    select * from {{ ref('stg_providers') }}
)

select
    p.provider_id,
    p.npi,
    p.provider_number,
    p.provider_kind,
    p.provider_name,
    p.taxonomy_code,
    case
        when p.provider_source = 'claims_provider_number' then 'Institutional provider (hospital / facility)'
        when p.provider_source = 'claims_npi_not_in_nppes' then 'Unknown (NPI not in NPPES)'
        when p.is_deactivated then 'Unknown (deactivated NPI)'
        else coalesce(t.specialty, 'Unmapped taxonomy')
    end as specialty,
    coalesce(p.state_code, 'unknown') as state,
    p.provider_source,
    p.is_in_nppes,
    p.is_deactivated,
    p.enumeration_date
from providers as p
left join {{ ref('provider_taxonomy') }} as t on t.taxonomy_code = p.taxonomy_code

union all

select
    'UNKNOWN' as provider_id,
    cast(null as {{ type_string() }}) as npi,
    cast(null as {{ type_string() }}) as provider_number,
    'unknown' as provider_kind,
    'Unknown provider' as provider_name,
    cast(null as {{ type_string() }}) as taxonomy_code,
    'Unknown (no provider on the claim)' as specialty,
    'unknown' as state,
    'unknown_member' as provider_source,
    false as is_in_nppes,
    false as is_deactivated,
    cast(null as date) as enumeration_date
