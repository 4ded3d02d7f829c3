-- One row per ally × year × NATO release: NATO's figures as published, every vintage kept, plus
-- two derived views of the same figures: a volume index (constant prices, 2014 = 100) and the
-- ally's share of what all allies that were members that year spent (current US dollars).
with

figures as (
    select * from {{ ref('int_nato_country_year_pivoted') }}
),

derived as (
    select
        *,
        100 * spending_usd_const_m / max(case when year = 2014 then spending_usd_const_m end)
            over (partition by release_id, country_code) as volume_index_2014,
        case
            when is_member_in_year then
                100 * spending_usd_m / sum(case when is_member_in_year then spending_usd_m end)
                    over (partition by release_id, year)
        end as share_of_alliance_spending_pct
    from figures
)

select
    country_code,
    year,
    release_id,
    country_name,
    share_gdp_pct,
    real_change_pct,
    spending_usd_m,
    spending_usd_const_m,
    price_base_year,
    defence_definition,
    volume_index_2014,
    share_of_alliance_spending_pct,
    spending_nac_m,
    gdp_usd_m,
    gdp_usd_const_m,
    spending_per_capita_usd_const,
    military_personnel_k,
    equipment_share_pct,
    personnel_share_pct,
    infrastructure_share_pct,
    other_share_pct,
    is_estimate,
    is_member_in_year,
    has_armed_forces,
    has_national_2pct_law,
    is_latest_release
from derived
