-- A stay cannot end before it starts; rows returned are failures.
select admission_id, admit_date, discharge_date
from {{ ref('fact_admission') }}
where discharge_date < admit_date
