-- One row per ally, latest NATO release: where the ally stands (base year = its latest year with a
-- published share, an estimate in most releases), the yearly increase needed to reach 3.5% core
-- and 5% by 2035, its own pace since 2014, and where that pace puts it at the 2029 review and in
-- 2035 (the pace runs from the Wales pledge year, 2014, to the base year). On track = the
-- straight-line projection at its own pace reaches the target by 2035.
-- In money (int_gdp_projected_2035: NATO's base-year GDP grown by the IMF WEO): GDP in 2035, what
-- 3.5% core and 5% of it would be, and the increase over base-year spending that takes (floored
-- at 0, like the gaps), in the NATO release's constant prices.
-- Iceland (no armed forces) gets NULLs: it is never assessed.
with

base as (
    select
        country_code,
        max(year) filter (where assessed_share_gdp_pct is not null) as base_year,
        arg_max(assessed_share_gdp_pct, year) filter (where assessed_share_gdp_pct is not null)
            as base_share_gdp_pct,
        arg_max(is_estimate, year) filter (where assessed_share_gdp_pct is not null)
            as base_is_estimate,
        max(assessed_share_gdp_pct) filter (where year = wales_pledge_year) as share_gdp_pct_2014,
        any_value(wales_pledge_year) as pace_start_year,
        any_value(target_3_5pct) as target_3_5pct,
        any_value(target_5pct) as target_5pct,
        any_value(hague_deadline_year) as deadline_year,
        any_value(hague_review_year) as review_year
    from {{ ref('int_nato_latest_assessed') }}
    group by country_code
),

paced as (
    select
        *,
        (base_share_gdp_pct - share_gdp_pct_2014) / nullif(base_year - pace_start_year, 0)
            as historical_pp_per_year
    from base
),

gdp_2035 as (
    select
        country_code,
        weo_release_id,
        base_spending_usd_const_m,
        projected_gdp_usd_const_m as projected_gdp_2035_usd_const_m
    from {{ ref('int_gdp_projected_2035') }}
    where year = deadline_year
),

projected as (
    select
        *,
        base_share_gdp_pct + historical_pp_per_year * (review_year - base_year)
            as projected_share_gdp_pct_2029,
        base_share_gdp_pct + historical_pp_per_year * (deadline_year - base_year)
            as projected_share_gdp_pct_2035
    from paced
),

joined as (
    select
        projected.*,
        gdp_2035.weo_release_id,
        gdp_2035.projected_gdp_2035_usd_const_m,
        gdp_2035.base_spending_usd_const_m
    from projected
    left join gdp_2035 on projected.country_code = gdp_2035.country_code
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
    projected_share_gdp_pct_2029,
    projected_share_gdp_pct_2035,
    projected_share_gdp_pct_2035 >= target_3_5pct as is_on_track_3_5pct,
    projected_share_gdp_pct_2035 >= target_5pct as is_on_track_5pct,
    projected_share_gdp_pct_2029 >= target_3_5pct as reaches_3_5pct_by_2029_review,
    projected_share_gdp_pct_2029 >= target_5pct as reaches_5pct_by_2029_review,
    weo_release_id,
    projected_gdp_2035_usd_const_m,
    target_3_5pct * projected_gdp_2035_usd_const_m / 100
        as required_core_spending_2035_usd_const_m,
    target_5pct * projected_gdp_2035_usd_const_m / 100
        as required_spending_2035_5pct_usd_const_m,
    {{ gap_pp(
        'target_3_5pct * projected_gdp_2035_usd_const_m / 100',
        'base_spending_usd_const_m'
    ) }} as spending_increase_needed_3_5pct_usd_const_m,
    {{ gap_pp(
        'target_5pct * projected_gdp_2035_usd_const_m / 100',
        'base_spending_usd_const_m'
    ) }} as spending_increase_needed_5pct_usd_const_m
from joined
