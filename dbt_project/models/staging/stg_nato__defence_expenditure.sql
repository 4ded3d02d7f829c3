-- One row per NATO release × table × section × country-or-aggregate × year: the parsed cells,
-- renamed and typed. No joins, no filtering: what NATO printed, traceable to its cell. NATO's
-- series names become the analyst's (macros/nato_measures.sql); nato_measure keeps NATO's.
with

source as (
    select * from {{ source('raw', 'nato__defence_expenditure') }}
),

renamed as (
    select
        release_id,
        source_file,
        sheet,
        table_id,
        table_title,
        section,
        cell,
        country_label,
        country_name,
        country_code,
        is_aggregate,
        case when is_aggregate then country_name end as aggregate_name,
        has_national_2pct_law,
        currency,
        cast(year as integer) as year,
        is_estimate,
        case measure
            {%- for nato_name, name in nato_measures() %}
                when '{{ nato_name }}' then '{{ name }}'
            {%- endfor %}
            else measure
        end as measure,
        measure as nato_measure,
        unit,
        cast(price_base_year as integer) as price_base_year,
        cast(value as double) as value,
        cell_status
    from source
)

select * from renamed
