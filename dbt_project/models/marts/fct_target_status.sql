-- One row per ally × year in the latest NATO release: the share of GDP against each target.
-- A target is met when NATO's unrounded share is >= the threshold. A NULL share, and Iceland
-- (no armed forces), give NULL: unknown, never met, never missed. Gaps are target - share,
-- floored at 0; gaps in money apply the gap to GDP at current prices (NATO Table 5).
-- meets_3_5pct_core is exact when the release is on NATO's core-defence basis (from July 2026);
-- on an older release it compares NATO's earlier "defence expenditure" with 3.5% (see
-- defence_definition). NATO's tables measure core defence only, so meets_5pct compares core
-- spending with 5%: a lower bound, since up to 1.5 of the 5 points may be defence-related spending
-- NATO does not tabulate.
with

shares as (
    select
        *,
        case when has_armed_forces then share_gdp_pct end as assessed_share_pct,
        case when has_armed_forces then equipment_share_pct end as assessed_equipment_pct
    from {{ ref('int_nato_country_year_pivoted') }}
    where is_latest_release
)

select
    shares.country_code,
    shares.year,
    shares.release_id,
    shares.defence_definition,
    shares.defence_definition = 'core_defence' as is_core_defence_basis,
    shares.country_name,
    shares.is_member_in_year,
    shares.has_armed_forces,
    shares.share_gdp_pct,
    shares.is_estimate,
    {%- for label, threshold in [('2pct', 'target_2pct'), ('3_5pct', 'target_3_5pct'), ('5pct', 'target_5pct')] %}
    shares.assessed_share_pct >= targets.{{ threshold }} as meets_{{ label }}{{ '_core' if label == '3_5pct' }},
    {{ gap_pp('targets.' ~ threshold, 'shares.assessed_share_pct') }} as gap_to_{{ label }}_pp,
    {{ gap_pp('targets.' ~ threshold, 'shares.assessed_share_pct') }} / 100 * shares.gdp_usd_m
        as gap_to_{{ label }}_usd_m,
    {%- endfor %}
    shares.equipment_share_pct,
    shares.assessed_equipment_pct >= targets.target_equipment_pct as meets_20pct_equipment
from shares
cross join {{ ref('int_targets_pivoted') }} as targets
