-- One row per ally × year of the latest NATO release, every alliance target beside it. The share
-- assessed against a target is NULL for an ally without armed forces (Iceland: never met, never
-- missed). Every ally of the seed has at least one row: an ally the latest release prints nothing
-- for (Iceland in the July 2026 edition) gets one row with a NULL year and NULL figures.
-- A table, unlike the other intermediate models: six models read it, and as a view each of them
-- would pivot every vintage again to keep the latest (docs/performance.md, the scale rows).
{{ config(materialized='table') }}

with

latest as (
    select * from {{ ref('int_nato_country_year_pivoted') }}
    where is_latest_release
)

select
    allies.country_code,
    latest.year,
    latest.release_id,
    latest.country_name,
    latest.defence_definition,
    latest.is_member_in_year,
    latest.is_estimate,
    latest.share_gdp_pct,
    latest.equipment_share_pct,
    latest.spending_usd_m,
    latest.spending_usd_const_m,
    latest.gdp_usd_m,
    latest.gdp_usd_const_m,
    case when allies.has_armed_forces then latest.share_gdp_pct end as assessed_share_gdp_pct,
    case when allies.has_armed_forces then latest.equipment_share_pct end
        as assessed_equipment_share_pct,
    allies.has_armed_forces,
    allies.is_europe_or_canada,
    allies.is_eastern_flank,
    allies.borders_russia_or_belarus,
    allies.ottawa_status,
    targets.*
from {{ ref('int_nato_allies_flagged') }} as allies
left join latest on allies.country_code = latest.country_code
cross join {{ ref('int_targets_pivoted') }} as targets
