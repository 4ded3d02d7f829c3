"""Runs without a person: a daily schedule, a sensor for new release files, a download job."""

import os

import dagster as dg

from pipeline import paths
from pipeline.download import download_release
from pipeline.fingerprint import raw_files

DEFAULT_CRON = "0 6 * * *"  # daily at 06:00; DEFENCE_SCHEDULE_CRON overrides it


def release_fingerprint() -> str:
    """Names and sizes of every release file and sidecar under data/raw (hidden folders skipped):
    changes when a release is added, replaced or removed. Sizes, not hashes: the sensor ticks
    every minute, and the load itself verifies every sha256."""
    root = paths.raw_dir()
    return "\n".join(f"{p.relative_to(root)}:{p.stat().st_size}" for p in raw_files())


def build_automation(job_name: str):
    schedule = dg.ScheduleDefinition(
        name="daily_refresh",
        job_name=job_name,
        cron_schedule=os.environ.get("DEFENCE_SCHEDULE_CRON", DEFAULT_CRON),
        description="Refresh the warehouse on a schedule (DEFENCE_SCHEDULE_CRON, default daily).",
        default_status=dg.DefaultScheduleStatus.RUNNING,
    )

    @dg.sensor(
        job_name=job_name,
        minimum_interval_seconds=60,
        default_status=dg.DefaultSensorStatus.RUNNING,
    )
    def new_release_files(context: dg.SensorEvaluationContext):
        """Run the load when a release folder or file appears in (or leaves) data/raw."""
        fingerprint = release_fingerprint()
        if fingerprint == context.cursor:
            return dg.SkipReason("no new or changed release files in data/raw")
        context.update_cursor(fingerprint)
        key = str(abs(hash(fingerprint)))
        return dg.RunRequest(run_key=key, tags={"trigger": "new_release_files"})

    return schedule, new_release_files


class DownloadConfig(dg.Config):
    """Where to fetch a release from and the provenance to record beside it."""

    url: str
    source: str
    release_id: str
    format: str
    publisher: str
    title: str
    release_date: str
    price_base_year: int
    cutoff_date: str | None = None
    licence: str | None = None
    citation: str | None = None


@dg.op(
    description="Fetch a configured release URL into data/raw/<source>/<date>/ with its "
    "provenance sidecar (atomic: the whole release folder appears at once)."
)
def download_release_op(context: dg.OpExecutionContext, config: DownloadConfig) -> str:
    meta = {k: v for k, v in config.model_dump().items() if v is not None and k != "url"}
    meta["is_original_publisher_file"] = True
    path = download_release(config.url, paths.raw_dir() / config.source, meta)
    context.log.info("downloaded %s", path)
    return str(path)


@dg.job(description="Download one release (run config: url and provenance); the sensor loads it.")
def download_release_job():
    download_release_op()
