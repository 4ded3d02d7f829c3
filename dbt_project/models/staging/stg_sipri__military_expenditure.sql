-- One row per SIPRI edition × country × year × measure: the parsed figures, renamed and typed.
with

source as (
    select * from {{ source('raw', 'sipri__military_expenditure') }}
),

renamed as (
    select
        release_id,
        source_file,
        sheet,
        cell,
        country_name,
        country_code,
        region as sipri_region,
        subregion as sipri_subregion,
        cast(year as integer) as year,
        measure,
        unit,
        cast(price_base_year as integer) as price_base_year,
        cast(value as double) as value,
        is_sipri_estimate,
        is_highly_uncertain,
        notes as sipri_notes
    from source
)

select * from renamed
