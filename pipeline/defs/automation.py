"""Runs without a person, and only when there is work: a daily schedule that checks the publishers
for a new edition (when discovery is on) and loads it, a sensor for release files dropped into
data/raw, and a download job.

Both ticks launch a run only when the published warehouse was not built from the inputs and code
as they are now (:func:`pipeline.warehouse.fingerprint.freshness`, the one decision the CLI makes
too), no run of the job is already queued or running, and no tick launched a run for these inputs
that settled them; otherwise they skip and say why. Each run is tagged with the inputs'
fingerprint, so one state of the inputs is launched once whichever tick sees it first (one run, one
alert); an interrupted run does not count, so its inputs are tried again.

Nothing is built at import: :func:`build_automation` makes the schedule and the sensor (reading
the deployment's ``DEFENCE_SCHEDULE_CRON`` then) and :func:`automation_defs` this module's
definitions, both called when the code location loads (``pipeline/definitions.py``).
"""

import os

import dagster as dg

from pipeline import paths
from pipeline.acquire import discovery
from pipeline.acquire.discovery.settings import DISCOVERY_ENV
from pipeline.acquire.download import download_release
from pipeline.defs import DAILY_SCHEDULE, RELEASE_SENSOR
from pipeline.defs.failures import interrupted_step
from pipeline.warehouse.fingerprint import freshness

CRON_ENV = "DEFENCE_SCHEDULE_CRON"
DEFAULT_CRON = "0 6 * * *"  # daily at 06:00; DEFENCE_SCHEDULE_CRON overrides it
ACTIVE = [
    dg.DagsterRunStatus.QUEUED,
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
]


def _active_run(context, job_name: str) -> str | None:
    """The id of a run of ``job_name`` queued or in progress, if any (None without an instance)."""
    try:
        instance = context.instance
    except dg.DagsterInvariantViolationError:  # a test's context built without an instance
        return None
    runs = instance.get_runs(filters=dg.RunsFilter(job_name=job_name, statuses=ACTIVE), limit=1)
    return runs[0].run_id if runs else None


FINGERPRINT_TAG = "defence/fingerprint"


def _tried(context, job_name: str, fingerprint: str) -> tuple[str, str] | None:
    """``(run id, status)`` of the newest run already launched by a tick for these inputs, when it
    settles them (it succeeded, or failed on them); None when there is none, or when it was
    interrupted or canceled (a stop is no verdict on the inputs: they are tried again)."""
    try:
        instance = context.instance
    except dg.DagsterInvariantViolationError:  # a test's context built without an instance
        return None
    filters = dg.RunsFilter(job_name=job_name, tags={FINGERPRINT_TAG: fingerprint})
    runs = instance.get_runs(filters=filters, limit=1)
    if not runs or runs[0].status == dg.DagsterRunStatus.CANCELED:
        return None
    run = runs[0]
    if run.status == dg.DagsterRunStatus.FAILURE:
        kinds = {dg.DagsterEventType.STEP_FAILURE, dg.DagsterEventType.RUN_FAILURE}
        entries = instance.all_logs(run.run_id, of_type=kinds)
        if interrupted_step(e.dagster_event for e in entries if e.dagster_event is not None):
            return None
    return run.run_id, run.status.value


def _work(context, job_name: str, trigger: str, seen: str):
    """A run request when the published warehouse is not up to date, no run is active and no tick
    has settled these inputs already; else a skip reason saying why.

    One change is one run (and at most one alert), whichever tick sees it first: the schedule and
    the sensor share the fingerprint tag. The exception: while a file kept out of git is missing
    (its publisher was down), the daily schedule tries again each tick."""
    state = freshness()
    if state.is_up_to_date:
        return dg.SkipReason(f"{seen}; the warehouse is {state.describe()}")
    active = _active_run(context, job_name)
    if active is not None:
        return dg.SkipReason(f"{seen}; run {active} of {job_name} is queued or running already")
    fingerprint = state.current[:16]
    retry_fetch = trigger == DAILY_SCHEDULE and state.current == state.published
    tried = None if retry_fetch else _tried(context, job_name, fingerprint)
    if tried is not None:
        return dg.SkipReason(
            f"{seen}; these inputs (fingerprint {fingerprint}) were already run by {tried[0]} "
            f"({tried[1]}): a change to data/raw or the code starts another, and so does "
            "`python -m pipeline run --force`"
        )
    context.log.info("%s: requesting a run", state.describe())
    return dg.RunRequest(
        run_key=f"{trigger}-{fingerprint}",
        tags={"trigger": trigger, FINGERPRINT_TAG: fingerprint},
    )


def daily_tick(context: dg.ScheduleEvaluationContext, job_name: str):
    """Check the publishers (when discovery is on), fetch what is new, load it, or skip."""
    if discovery.enabled():
        outcome = discovery.discover()  # a failure raises: the tick fails, naming URL and rule
        seen = outcome.summary()
        context.log.info("discovery: %s", seen)
    else:
        seen = f"discovery is off ({DISCOVERY_ENV}=on checks the publishers)"
    return _work(context, job_name, DAILY_SCHEDULE, seen)


def sensor_tick(context: dg.SensorEvaluationContext, job_name: str):
    """Load when the files in data/raw (or the code) no longer match the published warehouse."""
    return _work(context, job_name, RELEASE_SENSOR, "sensor tick")


def schedule_cron() -> str:
    """When ``daily_refresh`` ticks: the deployment's ``DEFENCE_SCHEDULE_CRON`` (docs/deploy.md),
    else daily at 06:00. Dagster fixes a schedule's cron when the code location loads, so a
    change takes effect when the definitions are reloaded (a restart or "Reload" in the UI)."""
    return os.environ.get(CRON_ENV, "").strip() or DEFAULT_CRON


def build_automation(job_name: str, cron: str | None = None):
    """The daily schedule and the new-release sensor for ``job_name``: ``(schedule, sensor)``.

    ``cron`` defaults to :func:`schedule_cron`, read here, when the code location loads.
    """

    @dg.schedule(
        name=DAILY_SCHEDULE,
        job_name=job_name,
        cron_schedule=cron or schedule_cron(),
        description="Daily: check the publishers for a new edition (DEFENCE_DISCOVERY=on), fetch "
        "it, and refresh the warehouse when its inputs changed; else skip, saying why "
        "(DEFENCE_SCHEDULE_CRON, default daily at 06:00).",
        default_status=dg.DefaultScheduleStatus.RUNNING,
    )
    def daily_refresh(context: dg.ScheduleEvaluationContext):
        return daily_tick(context, job_name)

    @dg.sensor(
        name=RELEASE_SENSOR,
        job_name=job_name,
        minimum_interval_seconds=60,
        default_status=dg.DefaultSensorStatus.RUNNING,
    )
    def new_release_files(context: dg.SensorEvaluationContext):
        """Run the load when a release folder or file appears in (or leaves) data/raw, or changes,
        and the published warehouse was not built from it."""
        return sensor_tick(context, job_name)

    return daily_refresh, new_release_files


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


def automation_defs(job_name: str) -> dg.Definitions:
    """This module's definitions: the schedule and sensor for ``job_name``, and the download job."""
    daily_refresh, new_release_files = build_automation(job_name)
    return dg.Definitions(
        jobs=[download_release_job], schedules=[daily_refresh], sensors=[new_release_files]
    )
