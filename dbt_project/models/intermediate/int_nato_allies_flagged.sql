-- One row per NATO ally: seeds/nato_allies.csv with the rules derived from it, each stated once
-- here. NATO's "Europe and Canada" aggregate is every ally but the United States; an ally counts in
-- NATO's aggregates from its accession year.
select
    country_code,
    country_name,
    nato_accession_date,
    year(nato_accession_date) as nato_accession_year,
    region,
    country_code <> 'USA' as is_europe_or_canada,
    has_armed_forces,
    is_eastern_flank,
    borders_russia_or_belarus,
    ottawa_status
from {{ ref('nato_allies') }}
