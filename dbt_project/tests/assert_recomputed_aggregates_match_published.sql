-- NATO Europe and Canada and NATO Total, recomputed from the allies that were members each year,
-- must reproduce NATO's published share of GDP within 0.01 percentage points. A failure means the
-- membership rule, Iceland's treatment or a parsed figure is wrong: the marts would disagree with
-- NATO's own totals.
select
    aggregate_name,
    year,
    release_id,
    share_gdp_pct_published,
    share_gdp_pct_recomputed
from {{ ref('agg_alliance_year') }}
where
    share_gdp_pct_published is not null
    and abs(difference_pp) > 0.01
