-- One row: every alliance target's threshold side by side, from seeds/alliance_targets.csv, so
-- models cross join it instead of repeating 2, 3.5, 5 or 20 as literals.
select
    max(threshold_pct) filter (where target_id = 'wales_2pct_gdp') as target_2pct,
    max(threshold_pct) filter (where target_id = 'wales_20pct_equipment') as target_equipment_pct,
    max(threshold_pct) filter (where target_id = 'hague_3_5pct_core') as target_3_5pct,
    max(threshold_pct) filter (where target_id = 'hague_5pct_total') as target_5pct,
    max(deadline_year) filter (where target_id = 'hague_5pct_total') as hague_deadline_year,
    max(review_year) filter (where target_id = 'hague_5pct_total') as hague_review_year,
    max(deadline_year) filter (where target_id = 'wales_2pct_gdp') as wales_deadline_year,
    year(max(declaration_date) filter (where target_id = 'wales_2pct_gdp')) as wales_pledge_year
from {{ ref('alliance_targets') }}
