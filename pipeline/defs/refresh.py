"""The one job that refreshes the warehouse, and the run config the CLI starts it with.

In-process: every step of the multiprocess executor re-imports dagster, dbt and GX (67 s against
22 s for the same prototype run, DESIGN.md §5), and the steps must run one after another anyway.
A run launched from the UI, a schedule or a sensor needs no run config: every field has a default.
"""

import dagster as dg

from pipeline.defs import REFRESH_JOB
from pipeline.defs.publish import publish_run_config
from pipeline.defs.resources import lock_run_config

refresh_warehouse = dg.define_asset_job(
    REFRESH_JOB,
    selection=dg.AssetSelection.all(),
    executor_def=dg.in_process_executor,
    description="Verify, parse, validate, transform, validate again and publish the warehouse.",
)


def refresh_run_config(lock_wait_s: float, build_fingerprint: str) -> dict:
    """What ``python -m pipeline run`` hands the job: how long the ``warehouse_lock`` resource
    waits for another run (``--wait``), and the fingerprint the publish step records (the one the
    CLI compared with the published warehouse before starting)."""
    return {**lock_run_config(lock_wait_s), **publish_run_config(build_fingerprint)}


defs = dg.Definitions(jobs=[refresh_warehouse])
