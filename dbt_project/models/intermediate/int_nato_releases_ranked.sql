-- One row per NATO release, with is_latest: the newest release is the default view everywhere.
select
    *,
    row_number() over (order by release_date desc) = 1 as is_latest
from {{ ref('stg_nato__releases') }}
