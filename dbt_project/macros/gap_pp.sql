{#- What is still to go to a target: target - share (percentage points, or money: the spending a
    target takes less what is spent), floored at 0; NULL when the share is unknown. (DuckDB's
    greatest() skips NULLs, so greatest(NULL, 0) would wrongly say 0: Iceland's gap.) -#}
{% macro gap_pp(target, share) -%}
    case when {{ share }} is not null then greatest({{ target }} - {{ share }}, 0) end
{%- endmacro %}
