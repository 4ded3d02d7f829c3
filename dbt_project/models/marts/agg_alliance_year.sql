-- One row per aggregate (NATO Europe and Canada, NATO Total) × year × NATO release: NATO's
-- published share of GDP beside the share recomputed from member allies, and how many allies
-- met 2% (Iceland, without armed forces, is never counted among allies with data).
select
    aggregate_name,
    year,
    release_id,
    share_gdp_pct_published,
    share_gdp_pct_recomputed,
    share_gdp_pct_recomputed - share_gdp_pct_published as difference_pp,
    spending_usd_m,
    spending_usd_const_m,
    allies_meeting_2pct,
    allies_with_data,
    allies_meeting_20pct_equipment,
    member_allies,
    is_estimate,
    defence_definition,
    price_base_year,
    is_latest_release
from {{ ref('int_nato_aggregates_recomputed') }}
