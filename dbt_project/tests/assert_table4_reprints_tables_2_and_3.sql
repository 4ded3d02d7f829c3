-- NATO's Table 4 reprints constant-price spending (Table 2) and shares of GDP (Table 3) for the
-- first and last years. They must agree to 1e-6; a failure means a table was parsed into the
-- wrong measure or year, so Table 4 is left out of the marts only because it adds nothing.
with figures as (
    select
        release_id,
        table_id,
        country_code,
        year,
        measure,
        value
    from {{ ref('stg_nato__defence_expenditure') }}
    where
        not is_aggregate
        and measure in ('spending_usd_const_m', 'share_gdp_pct')
)

select
    t4.*,
    main.value as main_value
from figures as t4
left join figures as main
    on
        t4.release_id = main.release_id
        and t4.country_code = main.country_code
        and t4.year = main.year
        and t4.measure = main.measure
        and main.table_id in ('2', '3')
where
    t4.table_id = '4'
    and (main.value is null or abs(t4.value - main.value) > 1e-6)
