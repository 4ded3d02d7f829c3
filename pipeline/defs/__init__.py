"""Dagster wiring: assets, checks, the job. Parsing, validation and publishing live elsewhere."""

REFRESH_JOB = "refresh_warehouse"  # here, so `status` can name it without loading definitions
