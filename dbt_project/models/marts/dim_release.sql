-- One row per source release (one or more publisher files), with its provenance, what it measures
-- (defence_definition), its price base, its terms (licence, citation), which one is the default,
-- and whether its files were at hand (a file kept out of git may not have been fetched).
select
    release_id,
    source,
    title,
    publisher,
    url,
    release_date,
    cutoff_date,
    price_base_year,
    defence_definition,
    previous_release_id,
    share_decimals,
    file_count,
    file_name,
    file_format,
    file_sha256,
    file_bytes,
    is_original_publisher_file,
    obtained_from,
    licence,
    citation,
    is_latest,
    is_available,
    unavailable_reason
from {{ ref('int_releases_ranked') }}
