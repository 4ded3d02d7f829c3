-- One row per country: the 32 NATO allies, with the reference flags of seeds/nato_allies.csv and
-- the national 2%-law marker ('*') as printed in the latest NATO release.
with

latest_law as (
    select country_code, bool_or(has_national_2pct_law) as has_national_2pct_law
    from {{ ref('int_nato_country_year_pivoted') }}
    where is_latest_release
    group by country_code
)

select
    allies.country_code,
    allies.country_name,
    true as is_nato_ally,
    allies.nato_accession_date,
    year(allies.nato_accession_date) as nato_accession_year,
    allies.region,
    allies.country_code <> 'USA' as is_europe_or_canada,
    allies.has_armed_forces,
    allies.is_eastern_flank,
    allies.borders_russia_or_belarus,
    allies.ottawa_status,
    coalesce(latest_law.has_national_2pct_law, false) as has_national_2pct_law
from {{ ref('nato_allies') }} as allies
left join latest_law using (country_code)
