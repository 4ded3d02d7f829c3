"""The one job that refreshes the warehouse, whoever starts it (CLI, schedule, sensor, UI).

In-process: every step of the multiprocess executor re-imports dagster, dbt and GX (67 s against
22 s for the same prototype run, DESIGN.md §5), and the steps must run one after another anyway.
A run needs no run config: every field has a default (``python -m pipeline run --wait`` sets how
long the lock resource waits, :func:`pipeline.defs.resources.lock_run_config`).
"""

import dagster as dg

from pipeline.defs import REFRESH_JOB

refresh_warehouse = dg.define_asset_job(
    REFRESH_JOB,
    selection=dg.AssetSelection.all(),
    executor_def=dg.in_process_executor,
    description="Verify, parse, validate, transform, validate again and publish the warehouse.",
)


defs = dg.Definitions(jobs=[refresh_warehouse])
