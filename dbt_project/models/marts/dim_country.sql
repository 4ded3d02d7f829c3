-- One row per country: the 32 NATO allies (flags from seeds/nato_allies.csv, the national 2%-law
-- marker from the latest NATO release that prints it) and every other country SIPRI's latest
-- edition covers, as comparators. Flags the seed does not know for comparators are NULL (unknown),
-- not false.
with

-- The newest release that prints NATO's '*' at all (derived copies of the 2025 and 2026 editions
-- lost it, so their marker is NULL, not false).
latest_law as (
    select
        country_code,
        arg_max(has_national_2pct_law, release_rank) as has_national_2pct_law
    from {{ ref('int_nato_country_year_pivoted') }}
    where has_national_2pct_law is not null
    group by country_code
),

sipri_countries as (
    select
        country_code,
        arg_max(country_name, year) as country_name,
        arg_max(sipri_region, year) as sipri_region,
        arg_max(sipri_subregion, year) as sipri_subregion
    from {{ ref('int_sipri_country_year_pivoted') }}
    where is_latest_edition and country_code is not null
    group by country_code
),

allies as (
    select
        allies.country_code,
        allies.country_name,
        true as is_nato_ally,
        allies.nato_accession_date,
        allies.nato_accession_year,
        allies.region,
        allies.is_europe_or_canada,
        allies.has_armed_forces,
        allies.is_eastern_flank,
        allies.borders_russia_or_belarus,
        allies.ottawa_status,
        coalesce(latest_law.has_national_2pct_law, false) as has_national_2pct_law
    from {{ ref('int_nato_allies_flagged') }} as allies
    left join latest_law using (country_code)
),

comparators as (
    select
        country_code,
        country_name,
        false as is_nato_ally,
        cast(null as date) as nato_accession_date,
        cast(null as integer) as nato_accession_year,
        coalesce(sipri_subregion, sipri_region) as region,
        false as is_europe_or_canada,
        cast(null as boolean) as has_armed_forces,
        cast(null as boolean) as is_eastern_flank,
        cast(null as boolean) as borders_russia_or_belarus,
        cast(null as varchar) as ottawa_status,
        cast(null as boolean) as has_national_2pct_law
    from sipri_countries
    where country_code not in (select allies.country_code from allies)
)

select
    countries.*,
    sipri_countries.sipri_region,
    sipri_countries.sipri_subregion
from (
    select * from allies
    union all
    select * from comparators
) as countries
left join sipri_countries using (country_code)
