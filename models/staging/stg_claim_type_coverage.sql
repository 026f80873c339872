-- Which claim types were delivered: one row per claim type of seed claim_types with the RAW rows
-- loaded for it. A claim type whose files were absent (an optional source, see
-- models/raw/sources.yml) or header-only has no rows and is_loaded = false; the marts then report
-- it as not loaded (NULL measures) instead of as zero cost.
with loaded as (
    select 'inpatient' as claim_type, count(*) as raw_rows from {{ source('raw', 'inpatient') }}
    union all
    select 'outpatient', count(*) from {{ source('raw', 'outpatient') }}
    union all
    select 'carrier', count(*) from {{ source('raw', 'carrier') }}
)

select
    ct.claim_type,
    ct.claim_type_name,
    ct.coverage_part,
    coalesce(l.raw_rows, 0) as raw_rows,
    coalesce(l.raw_rows, 0) > 0 as is_loaded
from {{ ref('claim_types') }} as ct
left join loaded as l on l.claim_type = ct.claim_type
