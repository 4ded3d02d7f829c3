{#- Percentage points still to go to a target: target - share, floored at 0; NULL when the share is
    unknown. (DuckDB's greatest() skips NULLs, so greatest(NULL, 0) would wrongly say 0.) -#}
{% macro gap_pp(target, share) -%}
    case when {{ share }} is not null then greatest({{ target }} - {{ share }}, 0) end
{%- endmacro %}
