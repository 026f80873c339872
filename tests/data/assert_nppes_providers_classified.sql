-- NPPES rows must be classified: an entity type other than 1 (individual) or 2 (organization)
-- after normalisation means the file was read wrongly (issue 14: a re-saved copy with 1.0/2.0
-- once turned every provider into 'unknown' without a failing test). Deactivated NPIs carry no
-- entity type by design and do not count. Fails when the unclassified share exceeds
-- var nppes_max_unclassified_share.
{% set max_share = var('nppes_max_unclassified_share', 0.01) %}
with nppes as (
    select provider_kind, is_deactivated from {{ ref('dim_provider') }} where provider_source = 'nppes'
),
shares as (
    select
        count(*) as nppes_rows,
        sum(case when provider_kind = 'unknown' and not is_deactivated then 1 else 0 end) as unclassified_rows
    from nppes
)
select nppes_rows, unclassified_rows, {{ max_share }} as max_share
from shares
where nppes_rows > 0 and cast(unclassified_rows as {{ type_float() }}) / nppes_rows > {{ max_share }}
