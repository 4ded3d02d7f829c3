"""Dagster wiring: assets, checks, the job. Parsing, validation and publishing live elsewhere."""

REFRESH_JOB = "refresh_warehouse"  # here, so `status` can name it without loading definitions
DAILY_SCHEDULE = "daily_refresh"  # the schedule; `status --check` reads its ticks
RELEASE_SENSOR = "new_release_files"  # the sensor that loads release files dropped into data/raw
