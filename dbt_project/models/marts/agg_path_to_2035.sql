-- One row per cohort (latest NATO release, latest IMF WEO): the Hague commitment in money for the
-- group, the sum over its allies of fct_path_to_2035 (allies with armed forces; the same cohorts as
-- agg_cohort_year). The increase needed is summed ally by ally, each floored at 0: an ally above a
-- target does not offset another below it.
with

allies as (
    select
        paths.*,
        flags.is_europe_or_canada,
        flags.is_eastern_flank,
        flags.borders_russia_or_belarus,
        flags.ottawa_status
    from {{ ref('fct_path_to_2035') }} as paths
    inner join {{ ref('int_nato_allies_flagged') }} as flags
        on paths.country_code = flags.country_code
    where paths.weo_release_id is not null
),

spending as (
    select
        country_code,
        base_spending_usd_const_m
    from {{ ref('int_gdp_projected_2035') }}
    where year = base_year
),

tagged as (
    {%- for cohort, condition in cohorts() %}
        select
            '{{ cohort }}' as cohort_name,
            allies.*,
            spending.base_spending_usd_const_m
        from allies
        inner join spending on allies.country_code = spending.country_code
        where {{ condition }}
        {{ "union all" if not loop.last }}
    {%- endfor %}
)

select
    cohort_name,
    count(*) as allies,
    any_value(weo_release_id) as weo_release_id,
    sum(base_spending_usd_const_m) as base_spending_usd_const_m,
    sum(projected_gdp_2035_usd_const_m) as projected_gdp_2035_usd_const_m,
    sum(required_core_spending_2035_usd_const_m) as required_core_spending_2035_usd_const_m,
    sum(required_spending_2035_5pct_usd_const_m) as required_spending_2035_5pct_usd_const_m,
    sum(spending_increase_needed_3_5pct_usd_const_m)
        as spending_increase_needed_3_5pct_usd_const_m,
    sum(spending_increase_needed_5pct_usd_const_m) as spending_increase_needed_5pct_usd_const_m,
    count(*) filter (where spending_increase_needed_3_5pct_usd_const_m = 0)
        as allies_needing_no_increase_3_5pct
from tagged
group by cohort_name
