"""The marts' charts, drawn on a thread of the run's process while the run waits on its GX
process.

The relation checks (``gx_relations``) run in the GX process, one at a time, and the run's own
process waits for each: the second core is idle then. Drawing the charts (matplotlib's import and
five figures, about 2 s) needs nothing those checks decide, only the built marts, so the checks'
step starts them here and the publish step takes them, instead of drawing them after the checks.
Nothing is published from them unless every blocking check passed: the publish step, which alone
writes them, runs only then.

One resource of the one job (every run has it, whoever launches it), called explicitly:
:meth:`ChartDrawer.ahead` by the checks' step, :meth:`ChartDrawer.charts` by the publish step,
which draws them itself when they were not started (a run of the publish step alone). The thread
reads the build warehouse read-only; the publish step takes the charts before it writes to it.
A chart that fails to draw fails the publish step, as it did when drawn there.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import dagster as dg

from pipeline.reports.previews import mart_charts

Charts = dict[str, dict[str, bytes]]


class ChartDrawer:
    """The run's chart-drawing thread and the charts it drew."""

    def __init__(self, pool: ThreadPoolExecutor):
        self._pool = pool
        self._started: tuple[Path, Future[Charts]] | None = None

    def ahead(self, build_db: Path) -> None:
        """Start drawing the charts of the marts in ``build_db``, without waiting."""
        self._started = (build_db, self._pool.submit(mart_charts, build_db))

    def charts(self, build_db: Path) -> Charts:
        """The charts of ``build_db``: those started ahead (waiting for them), or drawn now."""
        started, self._started = self._started, None
        if started is not None and started[0] == build_db:
            return started[1].result()
        return mart_charts(build_db)


@dg.resource(
    description="A thread of the run's process that draws the marts' charts while the GX "
    "checks on the relations run in the GX process."
)
def chart_drawer(_context: dg.InitResourceContext) -> Iterator[ChartDrawer]:
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="charts") as pool:
        yield ChartDrawer(pool)


defs = dg.Definitions(resources={"chart_drawer": chart_drawer})
