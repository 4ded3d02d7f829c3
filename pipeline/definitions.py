"""Dagster definitions: every asset, check, job, schedule and sensor, merged from pipeline/defs/.

``dagster dev -m pipeline.definitions`` and ``workspace.yaml`` (webserver, daemon) load ``defs``;
``python -m pipeline run`` runs the ``REFRESH_JOB`` job of it in-process.
"""

import dagster as dg

from pipeline.defs import REFRESH_JOB
from pipeline.defs.dbt_project import prepare_manifest


def build_definitions() -> dg.Definitions:
    """Merge the definitions each ``pipeline/defs`` module contributes.

    The dbt assets are built from ``target/manifest.json`` when ``pipeline.defs.transform`` is
    imported, so that import waits until :func:`prepare_manifest` has made sure the manifest
    exists and is no older than any dbt source file. The CLI (and ``make setup``) prepare it
    before Dagster starts, so here it is normally a check of file times; it parses only when
    definitions are loaded another way after a dbt file changed (``dagster dev`` reloading after
    an edit, a bare ``dagster-webserver``), so an edited model never runs from a stale manifest
    (docs/architecture.md §5). The schedule's cron is read here too, as the location loads.
    """
    prepare_manifest()
    from pipeline.defs import (
        alerts,
        automation,
        charts_ahead,
        checks,
        dbt_project,
        gx_worker,
        publish,
        refresh,
        resources,
        sources,
        transform,
    )

    return dg.Definitions.merge(
        sources.defs,
        transform.defs,
        checks.defs,
        publish.defs,
        refresh.defs,
        automation.automation_defs(REFRESH_JOB),
        alerts.defs,
        resources.defs,
        gx_worker.defs,
        charts_ahead.defs,
        dbt_project.defs,
    )


defs = build_definitions()

__all__ = ["REFRESH_JOB", "build_definitions", "defs"]
