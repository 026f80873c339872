-- One row per inpatient admission, with the 30-day readmission rule of models/README.md
-- (spec §7, SynPUF-adapted) evaluated on collapsed stays. Keep this file, the README and
-- src/checks/readmission.ts in step: the independent check re-implements the same rule.
{% set window = var('readmission_window_days', 30) %}
with admissions as (
    select
        a.*,
        p.death_date,
        -- the claim's Medicare payment, all segments summed, exactly as fact_claim reports it
        c.paid_amount
    from {{ ref('stg_admissions') }} as a
    left join {{ ref('dim_patient') }} as p on p.patient_id = a.patient_id
    left join {{ ref('fact_claim') }} as c on c.claim_id = a.admission_id
),

-- Rule 2: an admission that starts on or before the latest discharge so far (overlap, transfer,
-- same-day readmission) continues the current stay; otherwise it starts a new one.
ordered as (
    select
        admissions.*,
        max(discharge_date) over (
            partition by patient_id order by admit_date, discharge_date, admission_id
            rows between unbounded preceding and 1 preceding
        ) as previous_max_discharge
    from admissions
),

numbered as (
    select
        ordered.*,
        sum(case when previous_max_discharge is null or admit_date > previous_max_discharge then 1 else 0 end) over (
            partition by patient_id order by admit_date, discharge_date, admission_id
            rows between unbounded preceding and current row
        ) as stay_number,
        row_number() over (
            partition by patient_id order by admit_date, discharge_date, admission_id
        ) as admission_seq
    from ordered
),

ranked as (
    select
        numbered.*,
        -- the stay is attributed to its last hospital (CMS: in a transfer chain the last
        -- discharge is the index), i.e. the member with the latest discharge
        row_number() over (
            partition by patient_id, stay_number order by discharge_date desc, admit_date desc, admission_id desc
        ) as rank_from_last,
        row_number() over (
            partition by patient_id, stay_number order by admit_date, discharge_date, admission_id
        ) as rank_from_first
    from numbered
),

stays as (
    select
        patient_id,
        stay_number,
        min(admit_date) as stay_admit_date,
        max(discharge_date) as stay_discharge_date,
        count(*) as stay_admission_count,
        max(case when rank_from_last = 1 then admission_id end) as anchor_admission_id,
        max(case when rank_from_last = 1 then principal_dx end) as anchor_principal_dx,
        max(case when rank_from_first = 1 then admission_id end) as first_admission_id,
        max(case when rank_from_first = 1 then principal_dx end) as first_principal_dx,
        max(death_date) as death_date
    from ranked
    group by patient_id, stay_number
),

data_end as (
    select max(discharge_date) as max_discharge_date from admissions
),

stays_with_next as (
    select
        s.*,
        lead(s.stay_admit_date) over (partition by s.patient_id order by s.stay_number) as next_stay_admit_date,
        lead(s.first_admission_id) over (partition by s.patient_id order by s.stay_number) as next_first_admission_id,
        lead(s.first_principal_dx) over (partition by s.patient_id order by s.stay_number) as next_first_principal_dx
    from stays as s
),

evaluated as (
    select
        s.*,
        -- Rule 3: index eligibility, first failing reason wins
        case
            when s.death_date is not null
                and s.death_date >= {{ date_trunc('month', 's.stay_admit_date') }}
                and s.death_date <= s.stay_discharge_date then 'died_in_stay'
            when s.stay_discharge_date > cast({{ dateadd('day', -window, 'e.max_discharge_date') }} as date) then 'insufficient_follow_up'
            when s.anchor_principal_dx like 'V57%'
                or s.anchor_principal_dx like 'V581%'
                or substr(s.anchor_principal_dx, 1, 3) between '290' and '319' then 'excluded_diagnosis'
        end as index_exclusion_reason,
        {{ datediff('s.stay_discharge_date', 's.next_stay_admit_date', 'day') }} as days_to_next_stay,
        -- Rule 5: a planned next stay (rehabilitation V57.x, maintenance chemotherapy V58.11/V58.12)
        -- is not a readmission
        coalesce(s.next_first_principal_dx like 'V57%' or s.next_first_principal_dx in ('V5811', 'V5812'), false) as next_stay_is_planned
    from stays_with_next as s
    cross join data_end as e
)

select
    r.admission_id,
    r.patient_id,
    r.provider_id,
    r.attending_npi,
    r.admit_date,
    r.discharge_date,
    {{ datediff('r.admit_date', 'r.discharge_date', 'day') }} as length_of_stay_days,
    case
        when r.principal_dx like 'V57%' or r.principal_dx in ('V5811', 'V5812') then 'planned'
        else 'unplanned'
    end as admission_type,
    r.principal_dx,
    r.admitting_dx,
    r.drg_code,
    r.utilization_days,
    r.paid_amount,
    r.patient_id || '-' || cast(r.stay_number as {{ type_string() }}) as stay_id,
    e.stay_admit_date,
    e.stay_discharge_date,
    e.stay_admission_count,
    r.admission_id = e.anchor_admission_id as is_stay_anchor,
    r.admission_id = e.anchor_admission_id and e.index_exclusion_reason is null as is_index_admission,
    case
        when r.admission_id <> e.anchor_admission_id then 'not_last_admission_of_stay'
        else e.index_exclusion_reason
    end as index_exclusion_reason,
    case when r.admission_id = e.anchor_admission_id and e.index_exclusion_reason is null
        then cast(extract(year from e.stay_discharge_date) as integer) end as index_year,
    -- Rule 4: the next stay begins 1..window days after this stay's discharge
    coalesce(
        r.admission_id = e.anchor_admission_id
        and e.index_exclusion_reason is null
        and e.days_to_next_stay between 1 and {{ window }}
        and not e.next_stay_is_planned,
        false
    ) as readmitted_30d,
    case when r.admission_id = e.anchor_admission_id and e.index_exclusion_reason is null
        and e.days_to_next_stay between 1 and {{ window }} and not e.next_stay_is_planned
        then e.days_to_next_stay end as days_to_readmission,
    case when r.admission_id = e.anchor_admission_id and e.index_exclusion_reason is null
        and e.days_to_next_stay between 1 and {{ window }} and not e.next_stay_is_planned
        then e.next_first_admission_id end as readmission_admission_id
from ranked as r
inner join evaluated as e
    on e.patient_id = r.patient_id and e.stay_number = r.stay_number
