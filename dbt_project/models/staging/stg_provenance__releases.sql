-- One row per publisher file (every source), from its provenance sidecar.
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
        file_name,
        format as file_format,
        file_sha256,
        cast(file_bytes as bigint) as file_bytes,
        is_original_publisher_file,
        obtained_from,
        citation
    from source
)

select * from renamed
