-- NATO's Table 4 reprints constant-price spending (Table 2) and shares of GDP (Table 3) for the
-- first and last years. They must agree to 1e-6; a failure means a table was parsed into the
-- wrong measure or year, so Table 4 is left out of the marts only because it adds nothing.
with t4 as (
    select
        release_id,
        country_code,
        year,
        measure,
        value
    from {{ ref('stg_nato__defence_expenditure') }}
    where table_id = '4' and measure in ('spending_usd_const_m', 'share_gdp_pct')
),

main as (
    select
        release_id,
        country_code,
        year,
        measure,
        value
    from {{ ref('stg_nato__defence_expenditure') }}
    where table_id in ('2', '3') and not is_aggregate
)

select
    t4.*,
    main.value as main_value
from t4
left join main using (release_id, country_code, year, measure)
where main.value is null or abs(t4.value - main.value) > 1e-6
