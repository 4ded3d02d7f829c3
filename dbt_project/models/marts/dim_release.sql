-- One row per source release (publisher file), with its provenance and which one is the default.
select
    release_id,
    source,
    title,
    publisher,
    url,
    release_date,
    cutoff_date,
    price_base_year,
    file_name,
    file_format,
    file_sha256,
    file_bytes,
    is_original_publisher_file,
    obtained_from,
    citation,
    is_latest
from {{ ref('int_releases_ranked') }}
