-- One row per inpatient admission, with the 30-day readmission cohort of CMS's Hospital-Wide
-- Readmission measure as models/README.md writes it rule by rule (what SynPUF allows). The
-- independent check tests/oracles/cms_check.py implements the README's rules, not this file.
{% set window = var('readmission_window_days', 30) %}
{% set study_start = var('study_period_start', '2008-01-01') %}
{% set study_end = var('study_period_end', '2010-12-31') %}
with admissions as (
    select
        a.*,
        p.death_date,
        p.dob as birth_date,
        dx.ccs_category as principal_dx_ccs,
        -- the claim's Medicare payment, all segments summed, exactly as fact_claim reports it
        c.paid_amount
    from {{ ref('stg_admissions') }} as a
    left join {{ ref('dim_patient') }} as p on p.patient_id = a.patient_id
    left join {{ ref('fact_claim') }} as c on c.claim_id = a.admission_id
    left join {{ ref('ccs_icd9_dx') }} as dx on dx.icd9_dx_code = a.principal_dx
),

-- Rule 4 (Planned Readmission Algorithm v4.0): every procedure code of the admission, matched to
-- the PR tables by its CCS category (planned_readmission_ccs) and by the code itself
-- (planned_readmission_icd9, the code-level rows of PR.3)
procedure_codes as (
    {%- for i in range(1, 7) %}
    select a.admission_id, a.procedure_code_{{ i }} as icd9_pr_code
    from admissions as a
    where a.procedure_code_{{ i }} is not null
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

procedure_flags as (
    select
        p.admission_id,
        max(case when t.pra_table = 'PR1' then 1 else 0 end) as has_always_planned_procedure,
        max(case when t.pra_table = 'PR3' or c.pra_table = 'PR3' then 1 else 0 end) as has_potentially_planned_procedure
    from procedure_codes as p
    left join {{ ref('ccs_icd9_pr') }} as pr on pr.icd9_pr_code = p.icd9_pr_code
    left join {{ ref('planned_readmission_ccs') }} as t on t.ccs_kind = 'procedure' and t.ccs_category = pr.ccs_category
    left join {{ ref('planned_readmission_icd9') }} as c on c.code_kind = 'procedure' and c.icd9_code = p.icd9_pr_code
    group by p.admission_id
),

-- the principal diagnosis: PR.2 by CCS category, PR.4 by CCS category or by the code itself
diagnosis_flags as (
    select
        a.admission_id,
        max(case when t.pra_table = 'PR2' then 1 else 0 end) as has_always_planned_diagnosis,
        max(case when t.pra_table = 'PR4' or c.pra_table = 'PR4' then 1 else 0 end) as has_acute_diagnosis
    from admissions as a
    left join {{ ref('planned_readmission_ccs') }} as t on t.ccs_kind = 'diagnosis' and t.ccs_category = a.principal_dx_ccs
    left join {{ ref('planned_readmission_icd9') }} as c on c.code_kind = 'diagnosis' and c.icd9_code = a.principal_dx
    where a.principal_dx is not null
    group by a.admission_id
),

classified as (
    select
        a.*,
        coalesce(pf.has_always_planned_procedure, 0) = 1
            or coalesce(df.has_always_planned_diagnosis, 0) = 1
            or (coalesce(pf.has_potentially_planned_procedure, 0) = 1 and coalesce(df.has_acute_diagnosis, 0) = 0) as is_planned
    from admissions as a
    left join procedure_flags as pf on pf.admission_id = a.admission_id
    left join diagnosis_flags as df on df.admission_id = a.admission_id
),

-- Rule 2: an admission that starts on or before the latest discharge so far (overlap, transfer,
-- same-day readmission) continues the current stay; otherwise it starts a new one.
ordered as (
    select
        classified.*,
        max(discharge_date) over (
            partition by patient_id order by admit_date, discharge_date, admission_id
            rows between unbounded preceding and 1 preceding
        ) as previous_max_discharge
    from classified
),

numbered as (
    select
        ordered.*,
        sum(case when previous_max_discharge is null or admit_date > previous_max_discharge then 1 else 0 end) over (
            partition by patient_id order by admit_date, discharge_date, admission_id
            rows between unbounded preceding and current row
        ) as stay_number
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
        max(case when rank_from_last = 1 then admit_date end) as anchor_admit_date,
        max(case when rank_from_last = 1 then principal_dx_ccs end) as anchor_principal_dx_ccs,
        max(case when rank_from_first = 1 then admission_id end) as first_admission_id,
        max(case when rank_from_first = 1 and is_planned then 1 else 0 end) as first_admission_planned,
        max(death_date) as death_date,
        max(birth_date) as birth_date
    from ranked
    group by patient_id, stay_number
),

stays_with_next as (
    select
        s.*,
        lead(s.stay_admit_date) over (partition by s.patient_id order by s.stay_number) as next_stay_admit_date,
        lead(s.first_admission_id) over (partition by s.patient_id order by s.stay_number) as next_first_admission_id,
        lead(s.first_admission_planned) over (partition by s.patient_id order by s.stay_number) as next_first_admission_planned
    from stays as s
),

-- Rule 3.5: Part A fee-for-service enrolment. SynPUF has yearly month counts only; a year
-- with no HMO month covers its first part_a_months months (models/README.md, rule 3.5).
enrollment as (
    select patient_id, year, coalesce(part_a_months, 0) as part_a_months, coalesce(hmo_months, 0) as hmo_months
    from {{ ref('stg_patients') }}
),

dated as (
    select
        s.*,
        cast(extract(year from s.anchor_admit_date) as integer) as admit_year,
        cast(extract(month from s.anchor_admit_date) as integer) as admit_month,
        cast(extract(year from s.stay_discharge_date) as integer) as discharge_year,
        cast({{ dateadd('day', window, 's.stay_discharge_date') }} as date) as follow_up_end
    from stays_with_next as s
),

evaluated as (
    select
        s.*,
        -- Rule 3: index eligibility, first failing reason wins
        case
            when s.death_date is not null
                and s.death_date >= {{ date_trunc('month', 's.stay_admit_date') }}
                and s.death_date <= s.stay_discharge_date then 'died_in_stay'
            when s.stay_discharge_date < cast('{{ study_start }}' as date)
                or s.stay_discharge_date > cast('{{ study_end }}' as date) then 'outside_study_period'
            when s.stay_discharge_date > cast({{ dateadd('day', -window, "cast('" ~ study_end ~ "' as date)") }} as date) then 'insufficient_follow_up'
            when s.birth_date is null
                or extract(year from s.anchor_admit_date) - extract(year from s.birth_date)
                   - case when extract(month from s.anchor_admit_date) * 100 + extract(day from s.anchor_admit_date)
                              < extract(month from s.birth_date) * 100 + extract(day from s.birth_date) then 1 else 0 end < 65
                then 'age_under_65'
            when e.patient_id is null or e.hmo_months > 0 or e.part_a_months < s.admit_month then 'not_fee_for_service'
            when ep.patient_id is null or ep.hmo_months > 0 or ep.part_a_months < 12 then 'no_part_a_prior_12_months'
            when not (s.death_date is not null and s.death_date > s.stay_discharge_date and s.death_date <= s.follow_up_end)
                and (
                    ed.patient_id is null or ed.hmo_months > 0
                    or ed.part_a_months < case when extract(year from s.follow_up_end) > s.discharge_year then 12
                                               else extract(month from s.follow_up_end) end
                    or (extract(year from s.follow_up_end) > s.discharge_year
                        and (ef.patient_id is null or ef.hmo_months > 0 or ef.part_a_months < extract(month from s.follow_up_end)))
                ) then 'no_part_a_after_discharge'
            when x.exclusion = 'cancer' then 'excluded_cancer'
            when x.exclusion = 'psychiatric' then 'excluded_psychiatric'
            when x.exclusion = 'rehabilitation' then 'excluded_rehabilitation'
        end as index_exclusion_reason,
        {{ datediff('s.stay_discharge_date', 's.next_stay_admit_date', 'day') }} as days_to_next_stay,
        -- Rule 5: a planned next stay is not a readmission, and later stays are not looked at
        coalesce(s.next_first_admission_planned, 0) = 1 as next_stay_is_planned
    from dated as s
    left join enrollment as e on e.patient_id = s.patient_id and e.year = s.admit_year
    left join enrollment as ep on ep.patient_id = s.patient_id and ep.year = s.admit_year - 1
    left join enrollment as ed on ed.patient_id = s.patient_id and ed.year = s.discharge_year
    left join enrollment as ef on ef.patient_id = s.patient_id and ef.year = s.discharge_year + 1
    left join {{ ref('readmission_exclusion_ccs') }} as x on x.ccs_category = s.anchor_principal_dx_ccs
)

select
    r.admission_id,
    r.patient_id,
    r.provider_id,
    r.attending_npi,
    r.admit_date,
    r.discharge_date,
    {{ datediff('r.admit_date', 'r.discharge_date', 'day') }} as length_of_stay_days,
    case when r.is_planned then 'planned' else 'unplanned' end as admission_type,
    r.principal_dx,
    r.principal_dx_ccs,
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
    -- Rule 5: the next stay begins 1..window days after this stay's discharge and is unplanned
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
