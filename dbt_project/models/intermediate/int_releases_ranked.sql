-- One row per release (its files rolled up), with is_latest: the newest release at hand of each
-- source is the default view. A release whose files are not all at hand (kept out of git and not
-- fetched) is listed, unranked: it has no figures, so it is neither latest nor anyone's previous.
-- Release-level facts are read from any one file's sidecar; the singular test
-- assert_release_files_agree_on_release_facts proves every file of a release says the same.
with

releases as (
    select
        release_id,
        any_value(source) as source,
        any_value(publisher) as publisher,
        any_value(title) as title,
        any_value(url) as url,
        any_value(release_date) as release_date,
        any_value(cutoff_date) as cutoff_date,
        any_value(price_base_year) as price_base_year,
        any_value(defence_definition) as defence_definition,
        any_value(licence) as licence,
        any_value(citation) as citation,
        any_value(share_decimals) as share_decimals,
        count(*) as file_count,
        string_agg(
            file_name, '; '
            order by file_name
        ) as file_name,
        string_agg(
            distinct file_format, '; '
            order by file_format
        ) as file_format,
        string_agg(
            file_sha256, '; '
            order by file_name
        ) as file_sha256,
        sum(file_bytes) as file_bytes,
        bool_and(is_original_publisher_file) as is_original_publisher_file,
        any_value(obtained_from) as obtained_from,
        bool_and(is_available) as is_available,
        string_agg(
            unavailable_reason, '; '
            order by file_name
        ) as unavailable_reason
    from {{ ref('stg_provenance__release_files') }}
    group by release_id
),

ranked as (
    select
        release_id,
        row_number() over (
            partition by source
            order by release_date desc
        ) = 1 as is_latest,
        row_number() over (
            partition by source
            order by release_date
        ) as release_rank,
        lag(release_id) over (
            partition by source
            order by release_date
        ) as previous_release_id
    from releases
    where is_available
)

select
    releases.*,
    coalesce(ranked.is_latest, false) as is_latest,
    ranked.release_rank,
    ranked.previous_release_id
from releases
left join ranked on releases.release_id = ranked.release_id
