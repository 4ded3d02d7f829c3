-- One row per ally, latest NATO release: the first year its published share reached 2%, whether
-- it has stayed at or above 2% every year since, and how many years it has met 2%. Years before
-- accession count (NATO publishes them) and are flagged separately. Iceland: NULLs.
with

shares as (
    select
        country_code,
        year,
        is_member_in_year,
        assessed_share_gdp_pct as share_gdp_pct,
        target_2pct as threshold_pct
    from {{ ref('int_nato_latest_assessed') }}
),

firsts as (
    select
        country_code,
        min(year) filter (where share_gdp_pct >= threshold_pct) as first_year_at_2pct,
        min(year) filter (where share_gdp_pct >= threshold_pct and is_member_in_year)
            as first_member_year_at_2pct,
        count(*) filter (where share_gdp_pct >= threshold_pct) as years_at_2pct,
        count(share_gdp_pct) as years_with_data,
        min(year) as first_year,
        max(year) as last_year
    from shares
    group by country_code
)

select
    firsts.*,
    case
        when firsts.first_year_at_2pct is not null then
            not exists (
                select 1 from shares
                where
                    shares.country_code = firsts.country_code
                    and shares.year > firsts.first_year_at_2pct
                    and shares.share_gdp_pct < shares.threshold_pct
            )
    end as has_stayed_at_2pct
from firsts
