-- One row per country × year × SIPRI edition: SIPRI's series for every country it covers from
-- 1949 (NATO allies and comparators such as Russia, Ukraine, Belarus and China). SIPRI's own
-- definition and GDP source: compare with NATO's figures (fct_nato_vs_sipri), never mix them.
select
    country_code,
    country_name,
    year,
    release_id,
    share_gdp_pct,
    spending_usd_m,
    spending_usd_const_m,
    price_base_year,
    per_capita_usd,
    share_govt_spending_pct,
    is_sipri_estimate,
    is_highly_uncertain,
    sipri_notes,
    sipri_region,
    sipri_subregion,
    is_latest_edition
from {{ ref('int_sipri_country_year_pivoted') }}
