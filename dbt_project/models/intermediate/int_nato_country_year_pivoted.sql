-- One row per NATO release × ally × year: NATO's series side by side (wide), for allies only, with
-- the release's definition (core defence from July 2026) and price base carried on every row so no
-- mart compares vintages without them.
-- Table 4 is left out: it reprints Tables 2 and 3 for two years (a singular test proves they agree).
with

cells as (
    select * from {{ ref('stg_nato__defence_expenditure') }}
    where not is_aggregate and table_id <> '4'
),

pivoted as (
    select
        release_id,
        country_code,
        year,
        any_value(country_name) as country_name,
        bool_or(has_national_2pct_law) as has_national_2pct_law,
        bool_or(is_estimate) as is_estimate,
        max(price_base_year) as price_base_year,
        {%- for measure, column in [
            ('defence_exp_share_gdp_pct', 'share_gdp_pct'),
            ('defence_exp_real_change_pct', 'real_change_pct'),
            ('defence_exp_usd_current_m', 'spending_usd_m'),
            ('defence_exp_usd_const_m', 'spending_usd_const_m'),
            ('defence_exp_nac_current_m', 'spending_nac_m'),
            ('defence_exp_nac_const_m', 'spending_nac_const_m'),
            ('gdp_usd_current_m', 'gdp_usd_m'),
            ('gdp_usd_const_m', 'gdp_usd_const_m'),
            ('gdp_per_capita_usd_const_k', 'gdp_per_capita_usd_const_k'),
            ('defence_exp_per_capita_usd_const', 'spending_per_capita_usd_const'),
            ('military_personnel_k', 'military_personnel_k'),
            ('equipment_share_pct', 'equipment_share_pct'),
            ('personnel_share_pct', 'personnel_share_pct'),
            ('infrastructure_share_pct', 'infrastructure_share_pct'),
            ('other_share_pct', 'other_share_pct'),
        ] %}
        max(value) filter (where measure = '{{ measure }}') as {{ column }}{{ "," if not loop.last }}
        {%- endfor %}
    from cells
    group by release_id, country_code, year
)

select
    pivoted.*,
    allies.has_armed_forces,
    year(allies.nato_accession_date) <= pivoted.year as is_member_in_year,
    releases.is_latest as is_latest_release,
    releases.defence_definition,
    releases.price_base_year as release_price_base_year,
    releases.release_date,
    releases.release_rank
from pivoted
inner join {{ ref('nato_allies') }} as allies using (country_code)
inner join {{ ref('int_releases_ranked') }} as releases using (release_id)
