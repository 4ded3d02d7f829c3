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
    -- Only the ally-years the release prints (an ally it omits has no row here).
    select * from {{ ref('int_nato_latest_assessed') }}
    where year is not null
)

select
    country_code,
    year,
    release_id,
    defence_definition,
    defence_definition = 'core_defence' as is_core_defence_basis,
    country_name,
    is_member_in_year,
    has_armed_forces,
    share_gdp_pct,
    is_estimate,
    {%- for label, threshold in [
        ('2pct', 'target_2pct'), ('3_5pct', 'target_3_5pct'), ('5pct', 'target_5pct')
    ] %}
        {%- set suffix = '_core' if label == '3_5pct' else '' %}
        assessed_share_gdp_pct >= {{ threshold }} as meets_{{ label }}{{ suffix }},
        {{ gap_pp(threshold, 'assessed_share_gdp_pct') }} as gap_to_{{ label }}_pp,
        {{ gap_pp(threshold, 'assessed_share_gdp_pct') }} / 100 * gdp_usd_m
            as gap_to_{{ label }}_usd_m,
    {%- endfor %}
    equipment_share_pct,
    assessed_equipment_share_pct >= target_equipment_pct as meets_20pct_equipment
from shares
