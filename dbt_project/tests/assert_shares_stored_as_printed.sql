-- A release that stores its shares rounded (the July 2026 edition: 2 decimals, as NATO's workbook
-- holds them; dim_release.share_decimals) must reach the warehouse exactly as printed: a row here
-- is a share with more decimals than the publisher stores, i.e. a parsed or converted value that
-- is no longer NATO's figure. Targets are then met by >= on the printed value (Spain 2026e 2.00
-- meets 2%).
select
    figures.release_id,
    figures.country_name,
    figures.year,
    figures.measure,
    figures.value
from {{ ref('stg_nato__defence_expenditure') }} as figures
inner join {{ ref('int_releases_ranked') }} as releases using (release_id)
where
    releases.share_decimals is not null
    and figures.unit like 'percent%'
    and abs(figures.value - round(figures.value, releases.share_decimals)) > 1e-9
