{#- NATO's series names (as the parser records them) and the analyst's column names, in the order
    int_nato_country_year_pivoted lays them out. Staging renames with it; nothing else spells
    NATO's names. The cumulative real change (Table 3, one column) keeps NATO's name: no mart uses it. -#}
{% macro nato_measures() -%}
    {{ return([
        ('defence_exp_share_gdp_pct', 'share_gdp_pct'),
        ('defence_exp_real_change_pct', 'real_change_pct'),
        ('defence_exp_usd_current_m', 'spending_usd_m'),
        ('defence_exp_usd_const_m', 'spending_usd_const_m'),
        ('defence_exp_nac_current_m', 'spending_nac_m'),
        ('defence_exp_nac_const_m', 'spending_nac_const_m'),
        ('gdp_usd_current_m', 'gdp_usd_m'),
        ('gdp_usd_const_m', 'gdp_usd_const_m'),
        ('gdp_per_capita_usd_const_k', 'gdp_per_capita_usd_const_k'),
        ('defence_exp_per_capita_usd_const', 'spending_per_capita_usd_const'),
        ('military_personnel_k', 'military_personnel_k'),
        ('equipment_share_pct', 'equipment_share_pct'),
        ('personnel_share_pct', 'personnel_share_pct'),
        ('infrastructure_share_pct', 'infrastructure_share_pct'),
        ('other_share_pct', 'other_share_pct'),
    ]) }}
{%- endmacro %}
