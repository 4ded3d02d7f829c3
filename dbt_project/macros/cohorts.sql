{#- The cohorts analysts compare, each a name and the condition on int_nato_latest_assessed's
    ally flags that selects its members: one declaration for agg_cohort_year and agg_path_to_2035. -#}
{% macro cohorts() %}
    {{ return([
        ('All allies', 'true'),
        ('NATO Europe and Canada', 'is_europe_or_canada'),
        ('United States', 'not is_europe_or_canada'),
        ('Eastern flank', 'is_eastern_flank'),
        ('Rest of the alliance', 'not is_eastern_flank'),
        ('Ottawa withdrawal group (2025)', "ottawa_status = 'withdrawal_announced_2025'"),
        ('Borders Russia or Belarus', 'borders_russia_or_belarus'),
    ]) }}
{% endmacro %}
