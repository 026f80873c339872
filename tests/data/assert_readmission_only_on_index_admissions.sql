-- A readmission flag only makes sense on an index admission, and its next stay lies 1-30 days out.
select admission_id, is_index_admission, readmitted_30d, days_to_readmission
from {{ ref('fact_admission') }}
where (readmitted_30d and not is_index_admission)
   or (readmitted_30d and (days_to_readmission < 1 or days_to_readmission > {{ var('readmission_window_days', 30) }}))
