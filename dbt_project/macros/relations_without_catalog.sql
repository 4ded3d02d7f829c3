{#-
    ref() and source() without the catalog name, so that views work in the published file too.

    dbt-duckdb names every relation with its catalog, which DuckDB takes from the file name:
    "build". The published warehouse is a byte copy of build.duckdb named defence.duckdb, whose
    catalog is "defence", so a view reading build.raw.nato__defence_expenditure failed there
    with 'Catalog "build" does not exist'. Without the catalog, a view reads the schema of the
    file it is in. Tables (the marts) are unaffected either way.
-#}

{% macro ref() %}
    {% do return(builtins.ref(*varargs, **kwargs).include(database=False)) %}
{% endmacro %}

{% macro source(source_name, table_name) %}
    {% do return(builtins.source(source_name, table_name).include(database=False)) %}
{% endmacro %}
