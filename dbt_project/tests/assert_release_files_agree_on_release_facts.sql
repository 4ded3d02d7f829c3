-- A release made of several files (NATO's August 2025 edition: one derived CSV per series) is one
-- release only if every file's sidecar tells the same story about it. A row here is a release whose
-- files disagree on a release-level fact: int_releases_ranked would pick one of them at random.
select release_id
from {{ ref('stg_provenance__release_files') }}
group by release_id
having
    count(distinct source) > 1
    or count(distinct title) > 1
    or count(distinct release_date) > 1
    or count(distinct coalesce(cast(cutoff_date as varchar), '-')) > 1
    or count(distinct price_base_year) > 1
    or count(distinct coalesce(defence_definition, '-')) > 1
    or count(distinct coalesce(licence, '-')) > 1
