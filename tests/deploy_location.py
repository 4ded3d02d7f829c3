"""A test-only Dagster code location for tests/test_deploy_postgres.py.

The daemon under test loads this file instead of the real definitions, whose refresh run takes a
minute or more. It keeps what matters to a deployment: a sensor with a cursor, a job that holds
the project's real warehouse write lock (so two runs at once would fail, not interleave), and the
project's failure alert, ticking every second instead of every 30 s.

- ``DEFENCE_TEST_REQUESTS``: a folder; each file in it is one run request, keyed by its name. A
  name starting with ``fail`` makes the run fail the way a bad workbook does.
- ``DEFENCE_TEST_RUN_LOG``: each run appends ``start <request> <time>`` and ``end ...`` lines.
"""

import os
import time
import zipfile
from pathlib import Path

import dagster as dg

from pipeline.defs.alerts import build_alert_sensor
from pipeline.defs.resources import warehouse_lock
from pipeline.sources.workbook import WorkbookLayoutError

RUN_SECONDS = 1.0


def _log(line: str) -> None:
    with open(os.environ["DEFENCE_TEST_RUN_LOG"], "a", encoding="utf-8") as handle:
        handle.write(f"{line} {time.time():.3f}\n")


@dg.op(required_resource_keys={"warehouse_lock"})
def write_warehouse(context: dg.OpExecutionContext) -> None:
    request = context.run.tags.get("request", "?")
    _log(f"start {request}")
    if request.startswith("fail"):
        try:
            zipfile.ZipFile(Path(os.environ["DEFENCE_TEST_RUN_LOG"]))
        except zipfile.BadZipFile as exc:
            raise WorkbookLayoutError(
                "staged.xlsx: not a readable .xlsx workbook (rule: an .xlsx is a zip archive)"
            ) from exc
    time.sleep(RUN_SECONDS)
    _log(f"end {request}")


@dg.job(resource_defs={"warehouse_lock": warehouse_lock})
def tiny_refresh():
    write_warehouse()


@dg.sensor(
    job=tiny_refresh, minimum_interval_seconds=1, default_status=dg.DefaultSensorStatus.RUNNING
)
def request_files(context: dg.SensorEvaluationContext):
    """One run per new file in the requests folder; the cursor lists the files already seen."""
    seen = set(context.cursor.split(",")) if context.cursor else set()
    names = sorted(p.name for p in Path(os.environ["DEFENCE_TEST_REQUESTS"]).iterdir())
    new = [name for name in names if name not in seen]
    if not new:
        return dg.SkipReason("no new request files")
    context.update_cursor(",".join(sorted(seen | set(new))))
    return [dg.RunRequest(run_key=name, tags={"request": name}) for name in new]


defs = dg.Definitions(
    jobs=[tiny_refresh],
    sensors=[request_files, build_alert_sensor(minimum_interval_seconds=1)],
)
