-- Every provider a claim can name, in one shape:
--   * NPPES providers from the monthly full file and the weekly files (the newest file's row of
--     an NPI wins), individuals and organizations; deactivated NPIs keep only NPI and date, and
--     NPIs in the newest Deactivated NPI Report are deactivated whatever the full file says;
--   * institutional provider numbers (PRVDR_NUM) of inpatient and outpatient claims: they are not
--     NPIs, so NPPES cannot know them; their state is the SSA code in the first two characters;
--   * physician NPIs on claims that NPPES does not know (most SynPUF NPIs are synthetic).
-- provider_id: 'N-' || npi for NPIs, 'I-' || PRVDR_NUM for institutions.
{% set taxonomy_slots = 15 %}
{% set nppes_files = [source('raw', 'nppes'), source('raw', 'nppes_weekly')] %}
with nppes_rows as (
    {%- for rel in nppes_files %}
    select
        {{ code_text(raw_column('NPI')) }} as npi,
        -- codes normalised: real copies spell the entity type 1, 1.0 or "1"
        {{ code_text(raw_column('Entity Type Code')) }} as entity_type_code,
        {{ clean_text(raw_column('Provider Organization Name (Legal Business Name)')) }} as organization_name,
        {{ clean_text(raw_column('Provider Last Name (Legal Name)')) }} as last_name,
        {{ clean_text(raw_column('Provider First Name')) }} as first_name,
        {{ clean_text(raw_column('Provider Credential Text')) }} as credential,
        upper({{ code_text(raw_column('Provider Business Practice Location Address State Name')) }}) as practice_state,
        {{ mdy_to_date(raw_column('NPI Deactivation Date')) }} as deactivation_date,
        {{ mdy_to_date(raw_column('Provider Enumeration Date')) }} as enumeration_date,
        -- the primary taxonomy is the slot whose switch is Y (spec §6), else the first one filled
        coalesce(
            {%- for i in range(1, taxonomy_slots + 1) %}
            case when upper({{ code_text(raw_column('Healthcare Provider Primary Taxonomy Switch_' ~ i)) }}) = 'Y' then {{ code_text(raw_column('Healthcare Provider Taxonomy Code_' ~ i)) }} end,
            {%- endfor %}
            {{ code_text(raw_column('Healthcare Provider Taxonomy Code_1')) }}
        ) as taxonomy_code,
        -- the file's end date (npidata_pfile_<from>-<to>.csv): a newer weekly file replaces the
        -- full file's row of the same NPI
        substr(_source_file, length(_source_file) - 11, 8) as file_end_date,
        _loaded_at,
        _row_number
    from {{ rel }}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

-- Each Deactivated NPI Report lists every NPI deactivated as of its date (a reactivated NPI drops
-- out), so only the newest report loaded counts: the date in its workbook's name
-- ("NPPES Deactivated NPI Report 20260209.xlsx"), else the latest load.
deactivation_reports as (
    select
        _source_file,
        {{ regex_group('_source_file', "'Report[ _]([0-9]{8})[^/]*$'", 1) }} as report_date,
        max(_loaded_at) as loaded_at
    from {{ source('raw', 'nppes_deactivated') }}
    group by _source_file
),

newest_report as (
    select _source_file from deactivation_reports
    order by report_date desc nulls last, loaded_at desc, _source_file desc
    limit 1
),

deactivated as (
    select {{ code_text(raw_column('NPI')) }} as npi, max({{ mdy_to_date(raw_column('NPPES Deactivation Date')) }}) as deactivation_date
    from {{ source('raw', 'nppes_deactivated') }}
    where _source_file in (select _source_file from newest_report)
    group by {{ code_text(raw_column('NPI')) }}
),

nppes as (
    select
        r.*,
        row_number() over (partition by r.npi order by r.file_end_date desc, r._loaded_at desc, r._row_number desc) as rn
    from nppes_rows as r
),

nppes_providers as (
    select
        'N-' || nppes.npi as provider_id,
        nppes.npi,
        cast(null as {{ type_string() }}) as provider_number,
        case entity_type_code when '1' then 'individual' when '2' then 'institution' else 'unknown' end as provider_kind,
        case
            when entity_type_code = '2' then organization_name
            when entity_type_code = '1' then last_name || coalesce(', ' || first_name, '') || coalesce(' ' || credential, '')
        end as provider_name,
        taxonomy_code,
        practice_state as state_code,
        'nppes' as provider_source,
        true as is_in_nppes,
        (nppes.deactivation_date is not null and entity_type_code is null) or d.npi is not null as is_deactivated,
        enumeration_date
    from nppes
    left join deactivated as d on d.npi = nppes.npi
    where rn = 1 and nppes.npi is not null
),

institution_numbers as (
    select {{ clean_text('PRVDR_NUM') }} as provider_number from {{ source('raw', 'inpatient') }}
    union
    select {{ clean_text('PRVDR_NUM') }} as provider_number from {{ source('raw', 'outpatient') }}
),

institutions as (
    select
        'I-' || i.provider_number as provider_id,
        cast(null as {{ type_string() }}) as npi,
        i.provider_number,
        'institution' as provider_kind,
        cast(null as {{ type_string() }}) as provider_name,
        cast(null as {{ type_string() }}) as taxonomy_code,
        st.state_code,
        'claims_provider_number' as provider_source,
        false as is_in_nppes,
        false as is_deactivated,
        cast(null as date) as enumeration_date
    from institution_numbers as i
    left join {{ ref('ssa_state_codes') }} as st on st.ssa_state_code = substr(i.provider_number, 1, 2)
    where i.provider_number is not null
),

claim_npis as (
    {%- for col in ['AT_PHYSN_NPI', 'OP_PHYSN_NPI', 'OT_PHYSN_NPI'] %}
    select {{ clean_text(col) }} as npi from {{ source('raw', 'inpatient') }}
    union
    select {{ clean_text(col) }} as npi from {{ source('raw', 'outpatient') }}
    union
    {%- endfor %}
    {%- for i in range(1, 14) %}
    select {{ clean_text('PRF_PHYSN_NPI_' ~ i) }} as npi from {{ source('raw', 'carrier') }}
    {% if not loop.last %}union{% endif %}
    {%- endfor %}
),

unknown_npis as (
    select
        'N-' || c.npi as provider_id,
        c.npi,
        cast(null as {{ type_string() }}) as provider_number,
        'individual' as provider_kind,
        cast(null as {{ type_string() }}) as provider_name,
        cast(null as {{ type_string() }}) as taxonomy_code,
        cast(null as {{ type_string() }}) as state_code,
        'claims_npi_not_in_nppes' as provider_source,
        false as is_in_nppes,
        false as is_deactivated,
        cast(null as date) as enumeration_date
    from claim_npis as c
    where c.npi is not null
      and not exists (select 1 from nppes_providers as n where n.npi = c.npi)
)

select * from nppes_providers
union all
select * from institutions
union all
select * from unknown_npis
