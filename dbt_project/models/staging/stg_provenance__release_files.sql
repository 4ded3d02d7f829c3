-- One row per publisher file (every source), from its provenance sidecar. A release may be
-- several files (NATO's August 2025 edition is one derived CSV per series): int_releases_ranked
-- rolls them up. A file kept out of git that could not be fetched is listed too, with
-- is_available false and the reason, so an analyst sees what the warehouse is missing.
with

source as (
    select * from {{ source('raw', 'source_releases') }}
),

renamed as (
    select
        release_id,
        source,
        publisher,
        title,
        url,
        cast(release_date as date) as release_date,
        cast(cutoff_date as date) as cutoff_date,
        cast(price_base_year as integer) as price_base_year,
        defence_definition,
        licence,
        cast(share_decimals as integer) as share_decimals,
        file_name,
        format as file_format,
        file_sha256,
        cast(file_bytes as bigint) as file_bytes,
        is_original_publisher_file,
        obtained_from,
        citation,
        is_available,
        -- varchar whatever the rows: with every file at hand the raw column holds only NULLs,
        -- which pandas leaves untyped and DuckDB stores as an integer column
        cast(unavailable_reason as varchar) as unavailable_reason
    from source
)

select * from renamed
