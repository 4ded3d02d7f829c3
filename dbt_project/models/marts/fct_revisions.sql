-- One row per ally × year × pair of NATO releases (older -> newer) that both publish a share of
-- GDP for that ally-year: how NATO revised the figure, whether an estimate became an actual, and
-- whether the revision moved the ally across the 2% line. Pairs are each release with the next
-- one, and each release with the latest: 2N pairs, not N², so a thousand vintages stay cheap. The
-- pairs are chosen by rank first and joined on equalities only: a join on "older rank < newer
-- rank" would compare every two vintages of an ally-year before keeping 2N of them.
-- revision_kind tells a revision from a change of what is measured: 'redefinition' when the two
-- releases measure different things (core defence from July 2026), 'rebasing' when only the
-- price base of real GDP differs (2015 -> 2021 prices in 2025), 'revision' otherwise.
with

shares as (
    select
        release_id,
        country_code,
        year,
        share_gdp_pct,
        is_estimate,
        release_date,
        release_price_base_year as price_base_year,
        defence_definition,
        release_rank,
        is_latest_release as is_latest
    from {{ ref('int_nato_country_year_pivoted') }}
    where share_gdp_pct is not null
),

target as (
    select target_2pct as threshold_pct from {{ ref('int_targets_pivoted') }}
),

latest as (
    select
        country_code,
        year,
        release_rank
    from shares
    where is_latest
),

-- The older side of each pair, once for each newer side: the next release (when it publishes the
-- figure too: the inner join below), and the latest when that is a later one. The unnest also
-- keeps DuckDB from joining the two sides on ally and year before the ranks (N² rows again).
older as (
    select
        shares.*,
        unnest(
            case
                when latest.release_rank > shares.release_rank + 1
                    then [shares.release_rank + 1, latest.release_rank]
                else [shares.release_rank + 1]
            end
        ) as rank_to
    from shares
    left join latest
        on
            shares.country_code = latest.country_code
            and shares.year = latest.year
),

pairs as (
    select
        older.country_code,
        older.year,
        older.release_id as release_id_from,
        newer.release_id as release_id_to,
        older.share_gdp_pct as share_gdp_pct_from,
        newer.share_gdp_pct as share_gdp_pct_to,
        newer.share_gdp_pct - older.share_gdp_pct as revision_pp,
        (older.share_gdp_pct >= target.threshold_pct)
        <> (newer.share_gdp_pct >= target.threshold_pct)
            as crosses_2pct,
        case
            when
                older.share_gdp_pct < target.threshold_pct
                and newer.share_gdp_pct >= target.threshold_pct
                then 'up'
            when
                older.share_gdp_pct >= target.threshold_pct
                and newer.share_gdp_pct < target.threshold_pct
                then 'down'
        end as crossing_direction_2pct,
        older.is_estimate as was_estimate_from,
        newer.is_estimate as is_estimate_to,
        older.is_estimate and not newer.is_estimate as is_estimate_to_actual,
        older.price_base_year as price_base_year_from,
        newer.price_base_year as price_base_year_to,
        older.price_base_year <> newer.price_base_year as price_base_changed,
        older.defence_definition as defence_definition_from,
        newer.defence_definition as defence_definition_to,
        older.defence_definition <> newer.defence_definition as definition_changed,
        newer.release_rank = older.release_rank + 1 as is_consecutive_pair,
        newer.is_latest as is_to_latest
    from older
    inner join shares as newer
        on
            older.country_code = newer.country_code
            and older.year = newer.year
            and older.rank_to = newer.release_rank
    cross join target
)

select
    *,
    case
        when definition_changed then 'redefinition'
        when price_base_changed then 'rebasing'
        else 'revision'
    end as revision_kind
from pairs
