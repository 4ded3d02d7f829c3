-- One row per NATO release × aggregate × year: NATO's published aggregate beside the same figure
-- recomputed from the allies that were members that year. NATO's rule (Table 7 notes): an ally
-- counts from its accession year; Iceland's GDP is in the denominator (it is an ally with GDP but
-- no armed forces). Measured: this reproduces NATO's published shares to 1e-12 pp.
with

members as (
    select
        figures.*,
        targets.*,
        true as in_nato_total,
        figures.is_europe_or_canada as in_europe_and_canada
    from {{ ref('int_nato_country_year_pivoted') }} as figures
    cross join {{ ref('int_targets_pivoted') }} as targets
    where figures.is_member_in_year
),

grouped as (
    {%- for aggregate, flag in [
        ('NATO Europe and Canada', 'in_europe_and_canada'),
        ('NATO Total', 'in_nato_total'),
    ] %}
        select
            release_id,
            '{{ aggregate }}' as aggregate_name,
            year,
            100 * sum(spending_usd_const_m) / sum(gdp_usd_const_m) as share_gdp_pct_recomputed,
            count(*) filter (where has_armed_forces and share_gdp_pct >= target_2pct)
                as allies_meeting_2pct,
            count(*) filter (where has_armed_forces and share_gdp_pct is not null)
                as allies_with_data,
            count(*) filter (where has_armed_forces and equipment_share_pct >= target_equipment_pct)
                as allies_meeting_20pct_equipment,
            count(*) as member_allies
        from members
        where {{ flag }}
        group by release_id, year
        {{ "union all" if not loop.last }}
    {%- endfor %}
),

published as (
    select
        release_id,
        aggregate_name,
        year,
        bool_or(is_estimate) as is_estimate,
        max(value) filter (where measure = 'share_gdp_pct') as share_gdp_pct_published,
        max(value) filter (where measure = 'spending_usd_m') as spending_usd_m,
        max(value) filter (where measure = 'spending_usd_const_m') as spending_usd_const_m
    from {{ ref('stg_nato__defence_expenditure') }}
    where is_aggregate and table_id <> '4'
    group by release_id, aggregate_name, year
)

select
    grouped.*,
    releases.is_latest as is_latest_release,
    releases.defence_definition,
    releases.price_base_year,
    published.share_gdp_pct_published,
    published.spending_usd_m,
    published.spending_usd_const_m,
    published.is_estimate
from grouped
left join published using (release_id, aggregate_name, year)
inner join {{ ref('int_releases_ranked') }} as releases using (release_id)
