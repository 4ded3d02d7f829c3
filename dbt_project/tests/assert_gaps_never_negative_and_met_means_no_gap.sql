-- A met target has gap 0 and an unmet one a positive gap; gaps are never negative. A failure means
-- the gap arithmetic or the >= rule in fct_target_status is broken.
select *
from {{ ref('fct_target_status') }}
where
    gap_to_2pct_pp < 0 or gap_to_3_5pct_pp < 0 or gap_to_5pct_pp < 0
    or (meets_2pct and gap_to_2pct_pp <> 0)
    or (not meets_2pct and gap_to_2pct_pp <= 0)
    or (meets_5pct and not meets_3_5pct_core)
    or (share_gdp_pct is null and (meets_2pct is not null or gap_to_2pct_pp is not null))
    or (not has_armed_forces and (meets_2pct is not null or gap_to_5pct_usd_m is not null))
