"""Dagster wiring: assets, checks, the job. Parsing, validation and publishing live elsewhere."""
