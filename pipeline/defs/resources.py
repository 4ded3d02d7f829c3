"""The warehouse write lock as a Dagster resource: held for a whole run, by every writing run,
with the run's inputs as they were when it took the lock.

DuckDB allows one writer per file, so runs that write must never overlap, whether started from
the shell (``python -m pipeline run``) or from the UI. The lock is a ``flock`` on
``data/warehouse/.write.lock``, which the kernel releases when the process dies, even by SIGKILL.
A Dagster concurrency pool was tried first and dropped: a run killed mid-step never frees its pool
slot, and the next run waited on it forever (measured: spinning at 100% CPU for ten minutes).

Holding the lock also proves that no other writing run is alive, so the run that takes it marks
runs the instance still shows as in progress as failed: their process died (killed, or the
machine stopped), and left as "started" they would block the run queue.

How long a run waits for the lock is the resource's ``wait_s`` field: 0 (fail at once) for a run
launched from the UI or by the daemon; ``python -m pipeline run --wait SECONDS`` sets it through
the run config (:func:`lock_run_config`), not through the environment. A run that cannot take the
lock fails before any step has run, so it touches nothing shared (the build file, GX's files).

Once the lock is held, the resource settles the inputs: it fetches the release files kept out of
git that are missing (:func:`pipeline.acquire.on_demand.ensure_all`; one that cannot be had is
recorded in :attr:`WarehouseLock.acquired`, and the run goes on with what it has), then hashes the
inputs once (:func:`pipeline.warehouse.fingerprint.snapshot`). Every step reads them from
:attr:`WarehouseLock.inputs` (release verification, reuse of a raw table, the fingerprint the
publish step records), so a run hashes each file once and all its steps agree on what it was built
from.
"""

from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg
from pydantic import Field, PrivateAttr

from pipeline import paths
from pipeline.acquire.on_demand import Acquired, ensure_all
from pipeline.warehouse.fingerprint import Inputs, snapshot
from pipeline.warehouse.lock import write_lock

IN_PROGRESS = [
    dg.DagsterRunStatus.STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.CANCELING,
]


def reap_dead_runs(instance: dg.DagsterInstance, current_run_id: str | None) -> list[str]:
    """Mark in-progress runs other than the current one as failed; returns their ids."""
    reaped = []
    for run in instance.get_runs(filters=dg.RunsFilter(statuses=IN_PROGRESS)):
        if run.run_id == current_run_id:
            continue
        instance.report_run_failed(
            run, "Its process died: a later run found the warehouse write lock free."
        )
        instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
        reaped.append(run.run_id)
    return reaped


class WarehouseLock(dg.ConfigurableResource):
    """Exclusive write lock on the warehouse folder for the whole run."""

    wait_s: float = Field(
        default=0.0,
        ge=0.0,
        description="Seconds to wait for another writing run to finish (0: fail at once).",
    )

    _inputs: Inputs | None = PrivateAttr(default=None)
    _acquired: Acquired | None = PrivateAttr(default=None)

    @contextmanager
    def yield_for_execution(self, context: dg.InitResourceContext) -> Iterator["WarehouseLock"]:
        """Hold the lock from resource set-up (run start, in-process executor) to tear-down."""
        with write_lock(paths.warehouse_dir(), timeout_s=self.wait_s):
            if context.instance is not None:
                reaped = reap_dead_runs(context.instance, context.run_id)
                if reaped:
                    context.log.warning("marked dead runs as failed: %s", ", ".join(reaped))
            self._acquired = ensure_all()
            for path in self._acquired.fetched:
                context.log.info("fetched %s (sha256 verified against its sidecar)", path)
            for message in self._acquired.unavailable.values():
                context.log.warning("unavailable, the run goes on without it: %s", message)
            self._inputs = snapshot()
            yield self

    @property
    def inputs(self) -> Inputs:
        """The inputs as hashed when this run took the lock."""
        if self._inputs is None:
            raise RuntimeError("the warehouse lock is not held: no inputs were hashed")
        return self._inputs

    @property
    def acquired(self) -> Acquired:
        """What this run fetched before hashing, and the files it could not have."""
        if self._acquired is None:
            raise RuntimeError("the warehouse lock is not held: nothing was fetched")
        return self._acquired


warehouse_lock = WarehouseLock()


def lock_run_config(wait_s: float) -> dict:
    """Run config that sets how long a run waits for the lock (``--wait`` on the CLI)."""
    return {"resources": {"warehouse_lock": {"config": {"wait_s": wait_s}}}}


defs = dg.Definitions(resources={"warehouse_lock": warehouse_lock})
