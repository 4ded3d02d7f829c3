-- One row per NATO release × ally × year: NATO's series side by side (wide), for allies only, with
-- the release's definition (core defence from July 2026) and price base carried on every row so no
-- mart compares vintages without them.
-- Table 4 is left out: it reprints Tables 2 and 3 for two years (a singular test proves they
-- agree).
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
        -- noqa: disable=LT02
        {%- for _, column in nato_measures() %}
        max(value) filter (where measure = '{{ column }}') as {{ column }}{{ "," if not loop.last }}
        {%- endfor %}
    -- noqa: enable=LT02
    from cells
    group by release_id, country_code, year
)

select
    pivoted.*,
    allies.has_armed_forces,
    allies.is_europe_or_canada,
    allies.nato_accession_year <= pivoted.year as is_member_in_year,
    releases.is_latest as is_latest_release,
    releases.defence_definition,
    releases.price_base_year as release_price_base_year,
    releases.release_date,
    releases.release_rank
from pivoted
inner join {{ ref('int_nato_allies_flagged') }} as allies using (country_code)
inner join {{ ref('int_releases_ranked') }} as releases using (release_id)
