"""The DuckDB side: writing raw tables into the build file, publishing it, locking writers."""
