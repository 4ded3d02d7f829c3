-- One row per ally, latest NATO release: where the ally stands (base year = its latest year with a
-- published share, an estimate in most releases), the yearly increase needed to reach 3.5% core
-- and 5% by 2035, its own pace since 2014, and where that pace puts it at the 2029 review and in
-- 2035 (the pace runs from the Wales pledge year, 2014, to the base year). On track = the straight-line projection at its own pace reaches the target by 2035.
-- Iceland (no armed forces) gets NULLs: it is never assessed.
with

-- Every ally from the seed, so an ally the latest release prints no row for (Iceland in the July
-- 2026 edition) still has its row of NULLs.
shares as (
    select allies.country_code, figures.year, figures.is_estimate,
        case when allies.has_armed_forces then figures.share_gdp_pct end as share_gdp_pct
    from {{ ref('nato_allies') }} as allies
    left join {{ ref('int_nato_country_year_pivoted') }} as figures
        on figures.country_code = allies.country_code and figures.is_latest_release
),

base as (
    select
        country_code,
        max(year) filter (where share_gdp_pct is not null) as base_year,
        arg_max(share_gdp_pct, year) filter (where share_gdp_pct is not null) as base_share_gdp_pct,
        arg_max(is_estimate, year) filter (where share_gdp_pct is not null) as base_is_estimate,
        max(share_gdp_pct) filter (where year = targets.wales_pledge_year) as share_gdp_pct_2014,
        any_value(targets.wales_pledge_year) as pace_start_year
    from shares
    cross join {{ ref('int_targets_pivoted') }} as targets
    group by country_code
),

paced as (
    select
        base.*,
        targets.target_3_5pct,
        targets.target_5pct,
        targets.hague_deadline_year as deadline_year,
        targets.hague_review_year as review_year,
        (base_share_gdp_pct - share_gdp_pct_2014) / nullif(base_year - pace_start_year, 0)
            as historical_pp_per_year
    from base
    cross join {{ ref('int_targets_pivoted') }} as targets
)

select
    country_code,
    base_year,
    base_share_gdp_pct,
    base_is_estimate,
    pace_start_year,
    share_gdp_pct_2014,
    historical_pp_per_year,
    {{ gap_pp('target_3_5pct', 'base_share_gdp_pct') }} / (deadline_year - base_year)
        as required_pp_per_year_to_3_5pct,
    {{ gap_pp('target_5pct', 'base_share_gdp_pct') }} / (deadline_year - base_year)
        as required_pp_per_year_to_5pct,
    base_share_gdp_pct + historical_pp_per_year * (review_year - base_year)
        as projected_share_gdp_pct_2029,
    base_share_gdp_pct + historical_pp_per_year * (deadline_year - base_year)
        as projected_share_gdp_pct_2035,
    base_share_gdp_pct + historical_pp_per_year * (deadline_year - base_year) >= target_3_5pct
        as is_on_track_3_5pct,
    base_share_gdp_pct + historical_pp_per_year * (deadline_year - base_year) >= target_5pct
        as is_on_track_5pct,
    base_share_gdp_pct + historical_pp_per_year * (review_year - base_year) >= target_3_5pct
        as reaches_3_5pct_by_2029_review,
    base_share_gdp_pct + historical_pp_per_year * (review_year - base_year) >= target_5pct
        as reaches_5pct_by_2029_review
from paced
