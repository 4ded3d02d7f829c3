-- One row per NATO ally × year: NATO's share of GDP (latest NATO release) beside SIPRI's (latest
-- SIPRI edition). Two definitions and two GDP series: the difference is for comparison, never a
-- correction. Years SIPRI covers before NATO's tables begin have a NULL NATO share.
with

nato as (
    select
        country_code,
        year,
        release_id,
        share_gdp_pct,
        is_estimate,
        defence_definition
    from {{ ref('int_nato_latest_assessed') }}
    where has_armed_forces and year is not null
),

sipri as (
    select
        country_code,
        year,
        release_id,
        share_gdp_pct,
        is_share_gdp_sipri_estimate
    from {{ ref('int_sipri_country_year_pivoted') }}
    where
        is_latest_edition
        and country_code in (
            select allies.country_code from {{ ref('int_nato_allies_flagged') }} as allies
            where allies.has_armed_forces
        )
)

select
    coalesce(nato.country_code, sipri.country_code) as country_code,
    coalesce(nato.year, sipri.year) as year,
    nato.release_id as nato_release_id,
    nato.defence_definition as nato_defence_definition,
    sipri.release_id as sipri_release_id,
    nato.share_gdp_pct as nato_share_gdp_pct,
    sipri.share_gdp_pct as sipri_share_gdp_pct,
    nato.share_gdp_pct - sipri.share_gdp_pct as difference_pp,
    nato.is_estimate as nato_is_estimate,
    sipri.is_share_gdp_sipri_estimate as sipri_is_estimate,
    allies.nato_accession_year <= coalesce(nato.year, sipri.year) as is_member_in_year
from nato
full outer join sipri using (country_code, year)
inner join {{ ref('int_nato_allies_flagged') }} as allies
    on coalesce(nato.country_code, sipri.country_code) = allies.country_code
