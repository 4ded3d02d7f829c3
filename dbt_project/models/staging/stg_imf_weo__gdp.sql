-- One row per IMF WEO release x ally x year: the WEO's measures side by side, typed, with whether
-- the year is an IMF estimate or projection (from the release's own first projection year).
with

source as (
    select * from {{ source('raw', 'imf_weo__gdp') }}
),

measures as (
    select
        cast(release_id as varchar) as release_id,
        cast(country_code as varchar) as country_code,
        cast(year as integer) as year,
        max(case when measure = 'real_gdp_growth_pct' then value end) as real_gdp_growth_pct,
        max(case when measure = 'gdp_usd_bn' then value end) as gdp_usd_bn,
        max(case when measure = 'gdp_nac_const_bn' then value end) as gdp_nac_const_bn,
        max(case when measure = 'gdp_nac_bn' then value end) as gdp_nac_bn,
        max(case when measure = 'gdp_deflator_index' then value end) as gdp_deflator_index
    from source
    where measure != 'first_projection_year'
    group by 1, 2, 3
),

projection_start as (
    select
        cast(release_id as varchar) as release_id,
        cast(country_code as varchar) as country_code,
        cast(year as integer) as first_projection_year
    from source
    where measure = 'first_projection_year'
)

select
    measures.*,
    projection_start.first_projection_year,
    measures.year >= projection_start.first_projection_year as is_projection
from measures
left join projection_start
    on
        measures.release_id = projection_start.release_id
        and measures.country_code = projection_start.country_code
