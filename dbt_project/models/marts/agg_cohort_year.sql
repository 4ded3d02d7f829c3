-- One row per cohort × year, latest NATO release: groups analysts compare (eastern flank against
-- the rest, Europe and Canada against the United States, the 2025 Ottawa-withdrawal group, the
-- allies bordering Russia or Belarus). Allies count from their accession year; the cohort's share
-- is weighted (Σ constant-price spending / Σ constant-price GDP), beside the simple average.
with

members as (
    select * from {{ ref('int_nato_latest_assessed') }}
    where is_member_in_year
),

tagged as (
    {%- for cohort, condition in cohorts() %}
        select
            '{{ cohort }}' as cohort_name,
            *
        from members
        where {{ condition }}
        {{ "union all" if not loop.last }}
    {%- endfor %}
)

select
    cohort_name,
    year,
    any_value(release_id) as release_id,
    count(*) filter (where has_armed_forces) as allies,
    100 * sum(spending_usd_const_m) / sum(gdp_usd_const_m) as share_gdp_pct_weighted,
    avg(assessed_share_gdp_pct) as share_gdp_pct_average,
    count(*) filter (where assessed_share_gdp_pct >= target_2pct) as allies_meeting_2pct,
    sum(spending_usd_m) as spending_usd_m,
    sum(spending_usd_const_m) as spending_usd_const_m,
    bool_or(is_estimate) as is_estimate
from tagged
group by cohort_name, year
