-- One row per SIPRI edition × country × year: SIPRI's five series side by side. The estimate and
-- uncertainty flags are true when any of the country-year's figures is so marked.
with

figures as (
    select * from {{ ref('stg_sipri__military_expenditure') }}
),

pivoted as (
    select
        release_id,
        country_name,
        year,
        any_value(country_code) as country_code,
        any_value(sipri_region) as sipri_region,
        any_value(sipri_subregion) as sipri_subregion,
        max(value) filter (where measure = 'share_gdp_pct') as share_gdp_pct,
        max(value) filter (where measure = 'spending_usd_m') as spending_usd_m,
        max(value) filter (where measure = 'spending_usd_const_m') as spending_usd_const_m,
        max(price_base_year) as price_base_year,
        max(value) filter (where measure = 'per_capita_usd') as per_capita_usd,
        max(value) filter (where measure = 'share_govt_spending_pct') as share_govt_spending_pct,
        bool_or(is_sipri_estimate) as is_sipri_estimate,
        bool_or(is_highly_uncertain) as is_highly_uncertain,
        bool_or(is_sipri_estimate) filter (where measure = 'share_gdp_pct')
            as is_share_gdp_sipri_estimate,
        any_value(sipri_notes) as sipri_notes
    from figures
    group by release_id, country_name, year
)

select
    pivoted.*,
    releases.is_latest as is_latest_edition
from pivoted
inner join {{ ref('int_releases_ranked') }} as releases using (release_id)
