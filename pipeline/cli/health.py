"""``python -m pipeline status --check``: is the warehouse being refreshed? For monitoring.

Exits 1, printing each reason, when

- there is no published warehouse;
- the last run of the refresh job failed (with the first error, see :mod:`pipeline.defs.failures`)
  and the published warehouse is not the one the current inputs and code make: once they match
  again (a corrupt file restored, the code fixed), the check passes, saying the run failed;
- the warehouse is older than ``--max-age-days`` (default ``DEFENCE_MAX_AGE_DAYS``, else 8 days).

Its age is the time since the warehouse was last known to be current: the newest of the last
publish (the file's modification time: publishing replaces the file), the end of the last
successful refresh run, and the last tick of the ``daily_refresh`` schedule that did not fail (a
tick that finds nothing new skips, docs/architecture.md §2: the warehouse is current as of it).
A year without a NATO release is therefore not stale; a stopped daemon, or a schedule whose every
tick fails, is. Exits 0 otherwise. It reads the Dagster instance in ``$DAGSTER_HOME``, PostgreSQL
or SQLite, so a cron job or a monitoring agent on the server can run it.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

from pipeline import paths
from pipeline.defs import DAILY_SCHEDULE, REFRESH_JOB
from pipeline.warehouse.fingerprint import freshness

MAX_AGE_ENV = "DEFENCE_MAX_AGE_DAYS"
DEFAULT_MAX_AGE_DAYS = 8.0
_DAY_S = 86400.0


@dataclass(frozen=True)
class RefreshHistory:
    """What the instance knows about the refresh job."""

    last_run_id: str | None = None
    last_status: str | None = None
    last_error: str | None = None
    last_success_end: float | None = None  # unix time
    last_good_tick: float | None = None  # unix time of the schedule's last tick that did not fail


GOOD_TICKS = ("SUCCESS", "SKIPPED")
TICKS_READ = 50  # the schedule's newest ticks looked at for one that did not fail


def _last_good_tick(instance) -> float | None:
    """When the daily schedule last ticked without failing. Dagster's tick and instigator enums
    are not in its public API: their values are compared as the strings they are."""
    stamps = [
        tick.timestamp
        for state in instance.all_instigator_state()
        if state.instigator_name == DAILY_SCHEDULE and state.instigator_type.value == "SCHEDULE"
        for tick in instance.get_ticks(
            state.instigator_origin_id, state.selector_id, limit=TICKS_READ
        )
        if tick.status.value in GOOD_TICKS
    ]
    return max(stamps, default=None)


def refresh_history() -> RefreshHistory:
    """The refresh job's newest run and newest successful run, from ``$DAGSTER_HOME``."""
    home = paths.dagster_home()
    if not home.is_dir():
        return RefreshHistory()
    import dagster as dg

    from pipeline.cli.instance import use_psycopg2
    from pipeline.defs.failures import first_error

    use_psycopg2()
    with dg.DagsterInstance.from_config(str(home)) as instance:
        newest = instance.get_run_records(filters=dg.RunsFilter(job_name=REFRESH_JOB), limit=1)
        success = instance.get_run_records(
            filters=dg.RunsFilter(job_name=REFRESH_JOB, statuses=[dg.DagsterRunStatus.SUCCESS]),
            limit=1,
        )
        tick = _last_good_tick(instance)
        if not newest:
            return RefreshHistory(last_good_tick=tick)
        run = newest[0].dagster_run
        error = None
        if run.status == dg.DagsterRunStatus.FAILURE:
            kinds = {dg.DagsterEventType.STEP_FAILURE, dg.DagsterEventType.RUN_FAILURE}
            entries = instance.all_logs(run.run_id, of_type=kinds)
            error = first_error(e.dagster_event for e in entries if e.dagster_event is not None)
        return RefreshHistory(
            last_run_id=run.run_id,
            last_status=run.status.value,
            last_error=error,
            last_success_end=success[0].end_time if success else None,
            last_good_tick=tick,
        )


def max_age_days(requested: float | None) -> float:
    if requested is not None:
        return requested
    return float(os.environ.get(MAX_AGE_ENV, DEFAULT_MAX_AGE_DAYS))


def problems(limit_days: float, now: float | None = None) -> tuple[list[str], list[str]]:
    """``(problems, facts)``: why the check fails (empty when healthy) and what it looked at."""
    now = time.time() if now is None else now
    history = refresh_history()
    found, facts = [], []
    if history.last_run_id is None:
        facts.append(f"no run of {REFRESH_JOB} in the Dagster instance at {paths.dagster_home()}")
    elif history.last_status == "FAILURE":
        failed = (
            f"the last run of {REFRESH_JOB} ({history.last_run_id}) failed: "
            f"{history.last_error or 'no error recorded'}"
        )
        if freshness().is_up_to_date:  # what failed is no longer what there is to publish
            facts.append(
                f"{failed}; but the published warehouse was built from the inputs and code as "
                "they are now, and passed every check when it was published"
            )
        else:
            found.append(failed)
    else:
        facts.append(f"last run of {REFRESH_JOB}: {history.last_run_id} {history.last_status}")
    target = paths.published_db()
    if not target.exists():
        found.append(f"no published warehouse at {target}")
        return found, facts
    known = (history.last_success_end, history.last_good_tick)
    refreshed = max([target.stat().st_mtime, *(t for t in known if t is not None)])
    age_days = (now - refreshed) / _DAY_S
    stamp = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(refreshed))
    what = f"{target} last known current {stamp}, {age_days:.1f} days ago (limit {limit_days:g})"
    if age_days > limit_days:
        found.append(f"stale: {what}")
    else:
        facts.append(what)
    return found, facts


def check_command(requested_max_age_days: float | None) -> int:
    """Print ``OK`` or every problem; 0 when healthy, 1 otherwise."""
    found, facts = problems(max_age_days(requested_max_age_days))
    for line in found:
        print(f"FAIL: {line}")
    for line in facts:
        print(f"ok: {line}")
    if not found:
        print("OK")
    return 1 if found else 0
