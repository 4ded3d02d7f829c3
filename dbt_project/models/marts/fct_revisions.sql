-- One row per ally × year × pair of NATO releases (older -> newer) that both publish a share of
-- GDP for that ally-year: how NATO revised the figure, whether an estimate became an actual, and
-- whether the revision moved the ally across the 2% line. Pairs are each release with the next
-- one, and each release with the latest: 2N pairs, not N², so a thousand vintages stay cheap.
-- The next release comes from a window over each ally-year's releases (no join), the latest from
-- a join on a table of one row per ally-year; a join of the vintages with themselves held every
-- vintage of the figure in a hash table (200 MB more at a thousand vintages).
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
    select *
    from shares
    where is_latest
),

-- Each figure beside the next release's, when the next release publishes it too (a release
-- without the figure breaks the chain: the window's next row is then a later release).
with_next as (
    select
        shares.*,
        lead(shares.release_id) over next_release as next_release_id,
        lead(shares.share_gdp_pct) over next_release as next_share_gdp_pct,
        lead(shares.is_estimate) over next_release as next_is_estimate,
        lead(shares.price_base_year) over next_release as next_price_base_year,
        lead(shares.defence_definition) over next_release as next_defence_definition,
        lead(shares.release_rank) over next_release as next_release_rank,
        lead(shares.is_latest) over next_release as next_is_latest
    from shares
    window next_release as (
        partition by shares.country_code, shares.year
        order by shares.release_rank
    )
),

sides as (
    select
        with_next.country_code,
        with_next.year,
        with_next.release_id as release_id_from,
        with_next.next_release_id as release_id_to,
        with_next.share_gdp_pct as share_gdp_pct_from,
        with_next.next_share_gdp_pct as share_gdp_pct_to,
        with_next.is_estimate as was_estimate_from,
        with_next.next_is_estimate as is_estimate_to,
        with_next.price_base_year as price_base_year_from,
        with_next.next_price_base_year as price_base_year_to,
        with_next.defence_definition as defence_definition_from,
        with_next.next_defence_definition as defence_definition_to,
        true as is_consecutive_pair,
        with_next.next_is_latest as is_to_latest
    from with_next
    where with_next.next_release_rank = with_next.release_rank + 1

    union all

    -- Each figure beside the latest release's, when the latest is not already the next release.
    select
        older.country_code,
        older.year,
        older.release_id as release_id_from,
        latest.release_id as release_id_to,
        older.share_gdp_pct as share_gdp_pct_from,
        latest.share_gdp_pct as share_gdp_pct_to,
        older.is_estimate as was_estimate_from,
        latest.is_estimate as is_estimate_to,
        older.price_base_year as price_base_year_from,
        latest.price_base_year as price_base_year_to,
        older.defence_definition as defence_definition_from,
        latest.defence_definition as defence_definition_to,
        false as is_consecutive_pair,
        true as is_to_latest
    from shares as older
    inner join latest
        on
            older.country_code = latest.country_code
            and older.year = latest.year
            and latest.release_rank > older.release_rank + 1
)

select
    sides.country_code,
    sides.year,
    sides.release_id_from,
    sides.release_id_to,
    sides.share_gdp_pct_from,
    sides.share_gdp_pct_to,
    sides.share_gdp_pct_to - sides.share_gdp_pct_from as revision_pp,
    (sides.share_gdp_pct_from >= target.threshold_pct)
    <> (sides.share_gdp_pct_to >= target.threshold_pct)
        as crosses_2pct,
    case
        when
            sides.share_gdp_pct_from < target.threshold_pct
            and sides.share_gdp_pct_to >= target.threshold_pct
            then 'up'
        when
            sides.share_gdp_pct_from >= target.threshold_pct
            and sides.share_gdp_pct_to < target.threshold_pct
            then 'down'
    end as crossing_direction_2pct,
    sides.was_estimate_from,
    sides.is_estimate_to,
    sides.was_estimate_from and not sides.is_estimate_to as is_estimate_to_actual,
    sides.price_base_year_from,
    sides.price_base_year_to,
    sides.price_base_year_from <> sides.price_base_year_to as price_base_changed,
    sides.defence_definition_from,
    sides.defence_definition_to,
    sides.defence_definition_from <> sides.defence_definition_to as definition_changed,
    sides.is_consecutive_pair,
    sides.is_to_latest,
    case
        when sides.defence_definition_from <> sides.defence_definition_to then 'redefinition'
        when sides.price_base_year_from <> sides.price_base_year_to then 'rebasing'
        else 'revision'
    end as revision_kind
from sides
cross join target
