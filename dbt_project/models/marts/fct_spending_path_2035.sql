-- One row per ally × year, base year to 2035: what 3.5% core and 5% of GDP would take in money on
-- a straight line from the ally's base-year share (never below it) to the target in 2035, on GDP
-- projected from NATO's base-year GDP by the IMF WEO's real growth (int_gdp_projected_2035: the
-- method, and which years are the WEO's and which extrapolated). Constant prices are the NATO
-- release's; current US dollars only where the WEO prints the year's GDP.
with

projected as (
    select * from {{ ref('int_gdp_projected_2035') }}
),

targets as (
    select
        target_3_5pct,
        target_5pct
    from {{ ref('int_targets_pivoted') }}
),

paths as (
    select
        projected.*,
        projected.base_share_gdp_pct
        + {{ gap_pp('targets.target_3_5pct', 'projected.base_share_gdp_pct') }}
        * (projected.year - projected.base_year)
        / (projected.deadline_year - projected.base_year) as share_path_3_5pct,
        projected.base_share_gdp_pct
        + {{ gap_pp('targets.target_5pct', 'projected.base_share_gdp_pct') }}
        * (projected.year - projected.base_year)
        / (projected.deadline_year - projected.base_year) as share_path_5pct
    from projected
    cross join targets
)

select
    country_code,
    year,
    release_id,
    weo_release_id,
    base_year,
    price_base_year,
    gdp_basis,
    real_gdp_growth_pct,
    projected_gdp_usd_const_m,
    share_path_3_5pct,
    share_path_3_5pct * projected_gdp_usd_const_m / 100 as spending_path_3_5pct_usd_const_m,
    share_path_5pct,
    share_path_5pct * projected_gdp_usd_const_m / 100 as spending_path_5pct_usd_const_m,
    weo_gdp_usd_m,
    share_path_3_5pct * weo_gdp_usd_m / 100 as spending_path_3_5pct_usd_m,
    share_path_5pct * weo_gdp_usd_m / 100 as spending_path_5pct_usd_m
from paths
