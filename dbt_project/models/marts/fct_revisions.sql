-- One row per ally × year × pair of NATO releases (older -> newer) that both publish a share of
-- GDP for that ally-year: how NATO revised the figure, whether an estimate became an actual, and
-- whether the revision moved the ally across the 2% line. Pairs are each release with the next
-- one, and each release with the latest: 2N pairs, not N², so a thousand vintages stay cheap.
with

shares as (
    select
        figures.release_id,
        figures.country_code,
        figures.year,
        figures.share_gdp_pct,
        figures.is_estimate,
        releases.release_date,
        releases.price_base_year,
        releases.release_rank,
        releases.is_latest
    from {{ ref('int_nato_country_year_pivoted') }} as figures
    inner join {{ ref('int_releases_ranked') }} as releases using (release_id)
    where figures.share_gdp_pct is not null
),

target as (
    select target_2pct as threshold_pct from {{ ref('int_targets_pivoted') }}
)

select
    older.country_code,
    older.year,
    older.release_id as release_id_from,
    newer.release_id as release_id_to,
    older.share_gdp_pct as share_gdp_pct_from,
    newer.share_gdp_pct as share_gdp_pct_to,
    newer.share_gdp_pct - older.share_gdp_pct as revision_pp,
    (older.share_gdp_pct >= target.threshold_pct) <> (newer.share_gdp_pct >= target.threshold_pct)
        as crosses_2pct,
    case
        when older.share_gdp_pct < target.threshold_pct and newer.share_gdp_pct >= target.threshold_pct
            then 'up'
        when older.share_gdp_pct >= target.threshold_pct and newer.share_gdp_pct < target.threshold_pct
            then 'down'
    end as crossing_direction_2pct,
    older.is_estimate as was_estimate_from,
    newer.is_estimate as is_estimate_to,
    older.is_estimate and not newer.is_estimate as is_estimate_to_actual,
    older.price_base_year <> newer.price_base_year as price_base_changed,
    newer.release_rank = older.release_rank + 1 as is_consecutive_pair,
    newer.is_latest as is_to_latest
from shares as older
inner join shares as newer
    on older.country_code = newer.country_code
    and older.year = newer.year
    and older.release_rank < newer.release_rank
    and (newer.release_rank = older.release_rank + 1 or newer.is_latest)
cross join target
