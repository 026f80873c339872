-- Rates are proportions and the numerator is a subset of the denominator.
select readmission_group_id, numerator, denominator, readmission_rate
from {{ ref('mart_readmission') }}
where readmission_rate < 0 or readmission_rate > 1 or numerator > denominator or denominator <= 0
