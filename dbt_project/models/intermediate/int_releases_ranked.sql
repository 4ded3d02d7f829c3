-- One row per release, with is_latest: the newest release of each source is the default view.
select
    *,
    row_number() over (partition by source order by release_date desc) = 1 as is_latest,
    row_number() over (partition by source order by release_date) as release_rank
from {{ ref('stg_provenance__releases') }}
