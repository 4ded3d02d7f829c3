-- One row per SIPRI edition × country × year × measure: the parsed figures, renamed and typed.
-- Every column is cast: with no SIPRI edition at hand the raw table is empty, and DuckDB reads an
-- empty text column as INTEGER.
with

source as (
    select * from {{ source('raw', 'sipri__military_expenditure') }}
),

renamed as (
    select
        cast(release_id as varchar) as release_id,
        cast(source_file as varchar) as source_file,
        cast(sheet as varchar) as sheet,
        cast(cell as varchar) as cell,
        cast(country_name as varchar) as country_name,
        cast(country_code as varchar) as country_code,
        cast(region as varchar) as sipri_region,
        cast(subregion as varchar) as sipri_subregion,
        cast(year as integer) as year,
        cast(measure as varchar) as measure,
        cast(unit as varchar) as unit,
        cast(price_base_year as integer) as price_base_year,
        cast(value as double) as value,
        cast(is_sipri_estimate as boolean) as is_sipri_estimate,
        cast(is_highly_uncertain as boolean) as is_highly_uncertain,
        cast(notes as varchar) as sipri_notes
    from source
)

select * from renamed
