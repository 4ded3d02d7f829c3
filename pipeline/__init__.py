"""Defence-spending pipeline: NATO's published figures into a validated DuckDB warehouse."""
