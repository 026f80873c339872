-- Each grouping of mart_readmission adds up to the index admissions and readmissions of fact_admission.
with fact as (
    select index_year as year, count(*) as denominator, sum(case when readmitted_30d then 1 else 0 end) as numerator
    from {{ ref('fact_admission') }} where is_index_admission group by index_year
),
mart as (
    select year, grouping, sum(denominator) as denominator, sum(numerator) as numerator
    from {{ ref('mart_readmission') }} group by year, grouping
)
select f.year, m.grouping, f.denominator, m.denominator as mart_denominator, f.numerator, m.numerator as mart_numerator
from fact as f
left join mart as m on m.year = f.year
where m.grouping is null or m.denominator <> f.denominator or m.numerator <> f.numerator
