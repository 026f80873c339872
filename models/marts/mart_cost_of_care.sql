-- Cost of care by year and claim type, for one cohort grouping at a time (long format):
-- age_band, sex, race, state, chronic_condition_count, chronic_condition (a patient with several
-- conditions is in several rows, so these rows do not add up), and provider.
-- A claim's cohort is its patient's attributes in the claim's year (stg_patients), falling back to
-- the latest known attributes (dim_patient) when the patient has no row for that year.
-- Member months come from all beneficiaries enrolled in the year, with or without claims:
-- fee-for-service Part A months for inpatient, fee-for-service Part B months for outpatient and
-- carrier (seed claim_types). SynPUF gives yearly counts only, so FFS months = coverage months
-- minus HMO (Medicare Advantage) months, floored at 0 (models/README.md, "Member months").
-- PMPM divides the money of claims whose beneficiary-year has member months by the member months;
-- claims of beneficiary-years without any are counted and summed separately, never divided by 0.
-- A claim type whose files were not delivered (stg_claim_type_coverage) keeps its rows with
-- claim_type_loaded = false and NULL claim measures: no data, not zero cost.
{% set conditions = ['alzheimers', 'heart_failure', 'chronic_kidney_disease', 'cancer', 'copd', 'depression',
    'diabetes', 'ischemic_heart_disease', 'osteoporosis', 'ra_oa', 'stroke_tia'] %}
{% set cohort_columns = ['age_band', 'sex', 'race', 'state', 'chronic_condition_count'] %}
with patient_year as (
    select
        patient_id,
        year,
        age_band,
        gender as sex,
        race,
        coalesce(state_code, 'unknown') as state,
        case when chronic_condition_count >= 4 then '4+' else cast(chronic_condition_count as {{ type_string() }}) end as chronic_condition_count,
        {%- for key in conditions %}
        has_{{ key }},
        {%- endfor %}
        greatest(coalesce(part_a_months, 0) - coalesce(hmo_months, 0), 0) as ffs_part_a_months,
        greatest(coalesce(part_b_months, 0) - coalesce(hmo_months, 0), 0) as ffs_part_b_months
    from {{ ref('stg_patients') }}
),

claims as (
    select
        f.claim_id,
        f.claim_year as year,
        f.claim_type,
        f.patient_id,
        f.provider_id,
        f.allowed_amount,
        f.paid_amount,
        coalesce(case when cov.coverage_part = 'A' then py.ffs_part_a_months else py.ffs_part_b_months end, 0) > 0 as has_member_months,
        coalesce(py.age_band, {{ age_band('f.claim_year - extract(year from dp.dob)') }}) as age_band,
        coalesce(py.sex, dp.gender, 'unknown') as sex,
        coalesce(py.race, dp.race, 'unknown') as race,
        coalesce(py.state, dp.state_code, 'unknown') as state,
        coalesce(py.chronic_condition_count,
            case when dp.chronic_condition_count >= 4 then '4+' else cast(dp.chronic_condition_count as {{ type_string() }}) end,
            'unknown') as chronic_condition_count,
        {%- for key in conditions %}
        coalesce(py.has_{{ key }}, dp.has_{{ key }}, false) as has_{{ key }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from {{ ref('fact_claim') }} as f
    left join patient_year as py on py.patient_id = f.patient_id and py.year = f.claim_year
    left join {{ ref('dim_patient') }} as dp on dp.patient_id = f.patient_id
    left join {{ ref('stg_claim_type_coverage') }} as cov on cov.claim_type = f.claim_type
),

claim_groups as (
    {%- for col in cohort_columns %}
    select year, claim_type, '{{ col }}' as cohort_dimension, {{ col }} as cohort_value, claim_id, patient_id, allowed_amount, paid_amount, has_member_months from claims
    union all
    {%- endfor %}
    {%- for key in conditions %}
    select year, claim_type, 'chronic_condition', '{{ key }}', claim_id, patient_id, allowed_amount, paid_amount, has_member_months from claims where has_{{ key }}
    union all
    {%- endfor %}
    select year, claim_type, 'provider', provider_id, claim_id, patient_id, allowed_amount, paid_amount, has_member_months from claims
),

claim_totals as (
    select
        year, claim_type, cohort_dimension, cohort_value,
        count(*) as claims,
        count(distinct patient_id) as patients,
        sum(allowed_amount) as total_allowed,
        sum(paid_amount) as total_paid,
        sum(case when has_member_months then paid_amount else 0 end) as covered_paid,
        sum(case when has_member_months then allowed_amount else 0 end) as covered_allowed,
        sum(case when has_member_months then 0 else 1 end) as claims_without_member_months,
        sum(case when has_member_months then 0 else paid_amount end) as paid_without_member_months
    from claim_groups
    group by year, claim_type, cohort_dimension, cohort_value
),

enrollment as (
    select
        py.*,
        ct.claim_type,
        case when ct.coverage_part = 'A' then py.ffs_part_a_months else py.ffs_part_b_months end as member_months
    from patient_year as py
    cross join {{ ref('claim_types') }} as ct
),

enrollment_groups as (
    {%- for col in cohort_columns %}
    select year, claim_type, '{{ col }}' as cohort_dimension, {{ col }} as cohort_value, patient_id, member_months from enrollment
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
    {%- for key in conditions %}
    union all
    select year, claim_type, 'chronic_condition', '{{ key }}', patient_id, member_months from enrollment where has_{{ key }}
    {%- endfor %}
),

enrollment_totals as (
    select
        year, claim_type, cohort_dimension, cohort_value,
        sum(member_months) as member_months,
        count(distinct case when member_months > 0 then patient_id end) as enrolled_patients
    from enrollment_groups
    group by year, claim_type, cohort_dimension, cohort_value
),

joined as (
    select
        coalesce(c.year, e.year) as year,
        coalesce(c.claim_type, e.claim_type) as claim_type,
        coalesce(c.cohort_dimension, e.cohort_dimension) as cohort_dimension,
        coalesce(c.cohort_value, e.cohort_value) as cohort_value,
        coalesce(c.claims, 0) as claims,
        coalesce(c.patients, 0) as patients,
        coalesce(c.total_allowed, 0) as total_allowed,
        coalesce(c.total_paid, 0) as total_paid,
        coalesce(c.covered_paid, 0) as covered_paid,
        coalesce(c.covered_allowed, 0) as covered_allowed,
        coalesce(c.claims_without_member_months, 0) as claims_without_member_months,
        coalesce(c.paid_without_member_months, 0) as paid_without_member_months,
        e.member_months,
        e.enrolled_patients
    from claim_totals as c
    full outer join enrollment_totals as e
        on e.year = c.year and e.claim_type = c.claim_type
        and e.cohort_dimension = c.cohort_dimension and e.cohort_value = c.cohort_value
)

select
    cast(j.year as {{ type_string() }}) || '|' || j.claim_type || '|' || j.cohort_dimension || '|' || j.cohort_value as cost_group_id,
    j.year,
    j.claim_type,
    j.cohort_dimension,
    j.cohort_value,
    cov.is_loaded as claim_type_loaded,
    case when cov.is_loaded then j.claims end as claims,
    case when cov.is_loaded then j.patients end as patients,
    case when cov.is_loaded then j.total_allowed end as total_allowed,
    case when cov.is_loaded then j.total_paid end as total_paid,
    case when cov.is_loaded and j.patients > 0 then round(j.total_paid / j.patients, 2) end as paid_per_patient,
    case when cov.is_loaded and j.patients > 0 then round(j.total_allowed / j.patients, 2) end as allowed_per_patient,
    j.member_months,
    j.enrolled_patients,
    case when cov.is_loaded then j.claims_without_member_months end as claims_without_member_months,
    case when cov.is_loaded then j.paid_without_member_months end as paid_without_member_months,
    case when cov.is_loaded and j.member_months > 0 then round(j.covered_paid / j.member_months, 2) end as paid_pmpm,
    case when cov.is_loaded and j.member_months > 0 then round(j.covered_allowed / j.member_months, 2) end as allowed_pmpm
from joined as j
inner join {{ ref('stg_claim_type_coverage') }} as cov on cov.claim_type = j.claim_type
