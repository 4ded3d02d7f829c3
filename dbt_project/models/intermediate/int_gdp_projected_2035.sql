-- One row per ally × year, from its base year (the latest NATO release's newest year with a
-- published share) to the Hague deadline (2035): GDP in constant prices projected from NATO's own
-- base-year GDP (the release's price base) by the latest IMF WEO's real growth, year by year, to
-- the WEO's last year; beyond it, the WEO's last-year growth held constant (gdp_basis
-- 'extrapolated'). The WEO's GDP in current US dollars beside it, where the WEO has the year.
-- An ally without armed forces (Iceland) is never assessed and has no path.
with

base as (
    select
        country_code,
        any_value(release_id) as release_id,
        max(year) filter (where assessed_share_gdp_pct is not null) as base_year,
        arg_max(assessed_share_gdp_pct, year) filter (where assessed_share_gdp_pct is not null)
            as base_share_gdp_pct,
        arg_max(gdp_usd_const_m, year) filter (where assessed_share_gdp_pct is not null)
            as base_gdp_usd_const_m,
        arg_max(spending_usd_const_m, year) filter (where assessed_share_gdp_pct is not null)
            as base_spending_usd_const_m,
        any_value(hague_deadline_year) as deadline_year
    from {{ ref('int_nato_latest_assessed') }}
    group by country_code
    having base_year is not null
),

weo_release as (
    select release_id as weo_release_id
    from {{ ref('int_releases_ranked') }}
    where source = 'imf_weo' and is_latest
),

weo as (
    select
        stg.country_code,
        stg.year,
        stg.real_gdp_growth_pct,
        stg.gdp_usd_bn,
        stg.is_projection,
        max(stg.year) over (partition by stg.country_code) as weo_last_year
    from {{ ref('stg_imf_weo__gdp') }} as stg
    inner join weo_release on stg.release_id = weo_release.weo_release_id
),

years as (
    select
        base.*,
        nato_release.price_base_year,
        weo_release.weo_release_id,
        cast(years.year as integer) as year
    from base
    inner join {{ ref('int_releases_ranked') }} as nato_release
        on base.release_id = nato_release.release_id
    cross join weo_release
    cross join generate_series(base.base_year, base.deadline_year) as years (year)
),

growth as (
    select
        years.*,
        weo_last.weo_last_year,
        case
            when years.year = years.base_year then 'nato'
            when years.year <= weo_last.weo_last_year then 'imf_weo'
            else 'extrapolated'
        end as gdp_basis,
        case
            when years.year = years.base_year then null
            when years.year <= weo_last.weo_last_year then weo.real_gdp_growth_pct
            else weo_last.real_gdp_growth_pct
        end as real_gdp_growth_pct,
        weo.gdp_usd_bn * 1000 as weo_gdp_usd_m
    from years
    left join weo
        on years.country_code = weo.country_code and years.year = weo.year
    left join weo as weo_last
        on years.country_code = weo_last.country_code and weo_last.year = weo_last.weo_last_year
)

select
    country_code,
    year,
    release_id,
    weo_release_id,
    base_year,
    base_share_gdp_pct,
    base_spending_usd_const_m,
    price_base_year,
    deadline_year,
    gdp_basis,
    real_gdp_growth_pct,
    base_gdp_usd_const_m * exp(
        sum(ln(1 + coalesce(real_gdp_growth_pct, 0) / 100)) over (
            partition by country_code
            order by year
        )
    ) as projected_gdp_usd_const_m,
    weo_gdp_usd_m
from growth
