"""The published warehouse: the audited build copied atomically onto defence.duckdb.

Publishing is the last thing that can fail. Everything the run makes besides the warehouse (the
build fingerprint, the charts, the previews, the "what changed" reports) is made from the audited
build before the rename; after it, the step only writes those files beside the warehouse and shows
them in the UI. So "published" and "not changed" are true when the run says them.
"""

from pathlib import Path

import dagster as dg
import pandas as pd

from pipeline import paths
from pipeline.defs.charts_ahead import ChartDrawer
from pipeline.defs.failures import CheckTally, tally_checks
from pipeline.defs.resources import WarehouseLock
from pipeline.defs.sources import files_key, sources_missing
from pipeline.quality.relation_suites import empty_by_absence
from pipeline.reports.changes_markdown import render_reports, write_reports
from pipeline.reports.previews import markdown_image, mart_previews, write_charts
from pipeline.sources.catalog import NATO
from pipeline.warehouse.build import write_table
from pipeline.warehouse.publish import REQUIRED_RELATIONS, publish

PUBLISHED = dg.AssetKey(["warehouse", "defence"])
MART_KEYS = [dg.AssetKey(relation.split(".")) for relation in REQUIRED_RELATIONS]


def write_build_info(build_db: Path, build_fingerprint: str) -> None:
    """Record what the warehouse was built from (meta.build_info): the fingerprint of the inputs
    as the run hashed them when it took the lock (inputs edited during the run then make the next
    run rebuild)."""
    info = pd.DataFrame({"fingerprint": [build_fingerprint], "built_at": [pd.Timestamp.now("UTC")]})
    write_table(build_db, "meta", "build_info", info)


def what_changed(reports: list[Path]) -> dg.AssetObservation:
    """The latest NATO release's "what changed" report, shown on NATO's release-files asset."""
    latest = max(reports, key=lambda path: path.stem)
    return dg.AssetObservation(
        asset_key=files_key(NATO),
        metadata={
            "what_changed": dg.MetadataValue.md(latest.read_text(encoding="utf-8")),
            "what_changed_file": dg.MetadataValue.path(str(latest)),
            "reports": len(reports),
        },
    )


def mart_observation(mart: str, preview: dict, charts: dict) -> dg.AssetObservation:
    """A mart's row count, preview and charts, as an observation on its asset."""
    metadata = {
        "dagster/row_count": preview["rows"],
        "preview": dg.MetadataValue.md(preview["preview"]),
    }
    for name, (path, png) in charts.items():
        metadata[f"chart/{name}"] = dg.MetadataValue.md(markdown_image(png, name))
        metadata[f"chart_file/{name}"] = dg.MetadataValue.path(str(path))
    return dg.AssetObservation(asset_key=dg.AssetKey(["marts", mart]), metadata=metadata)


@dg.asset(
    key=PUBLISHED,
    deps=MART_KEYS,
    group_name="publish",
    description="What analysts open: data/warehouse/defence.duckdb (read-only), replaced "
    "atomically, only after every mart and check passed. Its latest materialization says what is "
    "published (releases, when, checks) and what changed in the newest NATO edition; a failed "
    "attempt leaves it, and says so in an observation here.",
)
def published_warehouse(
    context: dg.AssetExecutionContext,
    warehouse_lock: WarehouseLock,
    chart_drawer: dg.ResourceParam[ChartDrawer],
) -> dg.MaterializeResult:
    """data/warehouse/defence.duckdb: what analysts open (read-only), replaced atomically.

    Depends on every mart, so it runs only after dbt build (with its tests) and every blocking
    GX check on the marts have passed. Then each mart gets an observation in the UI: its row
    count, a preview and its charts (also written to data/warehouse/charts/), drawn while the
    checks ran (:mod:`pipeline.defs.charts_ahead`) and taken before anything writes the build.
    """
    build, target = paths.build_db(), paths.published_db()
    drawn = chart_drawer.charts(build)
    write_build_info(build, warehouse_lock.inputs.fingerprint)
    previews, reports = mart_previews(build), render_reports(build)
    empty = empty_by_absence(set(sources_missing(warehouse_lock.inputs)))
    counts = publish(build, target, frozenset(empty))  # the last thing that can fail
    context.log.info("published %s", target)
    charts = write_charts(drawn, paths.warehouse_dir() / "charts")
    for mart, preview in previews.items():
        context.log_event(mart_observation(mart, preview, charts.get(mart, {})))
    context.log_event(what_changed(write_reports(reports, paths.warehouse_dir() / "changes")))
    newest = max(reports) if reports else None
    return dg.MaterializeResult(
        metadata={
            "published": dg.MetadataValue.md(published_state(target, checks_of(context))),
            "path": dg.MetadataValue.path(str(target)),
            "bytes": target.stat().st_size,
            **({"what_changed": dg.MetadataValue.md(reports[newest])} if newest else {}),
            **{f"rows/{relation}": count for relation, count in counts.items()},
        }
    )


def checks_of(context: dg.AssetExecutionContext) -> CheckTally:
    """This run's check evaluations so far (every check runs before the publish)."""
    records = context.instance.get_records_for_run(
        context.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION
    ).records
    return tally_checks(r.event_log_entry.dagster_event.event_specific_data for r in records)


def published_state(target: Path, checks: CheckTally) -> str:
    """What is published, at a glance: the latest release of each source, what is missing, when,
    and the checks it passed. The marts' own status in the UI is the last *attempt*'s; this is
    what analysts read from ``defence.duckdb`` until a run publishes again."""
    import duckdb

    with duckdb.connect(str(target), read_only=True) as con:
        latest = con.sql(
            "select release_id, strftime(release_date, '%Y-%m-%d') from marts.dim_release "
            "where is_latest order by source"
        ).fetchall()
        missing = [
            r[0]
            for r in con.sql(
                "select release_id from marts.dim_release where not is_available order by 1"
            ).fetchall()
        ]
    stamp = pd.Timestamp.now("UTC").strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"**Published {stamp}** to `{target}`: what analysts query until the next publish, "
        "whatever the marts' last attempt shows.",
        "",
        "Latest releases: " + ", ".join(f"{r} (released {d})" for r, d in latest) + ".",
        "",
        f"Checks at publish: {checks.passed} passed, failed: {', '.join(checks.failed) or 'none'}"
        + (f"; warnings (caveats): {', '.join(checks.warned)}" if checks.warned else "")
        + ".",
    ]
    if missing:
        lines += ["", f"Not in this warehouse (could not be fetched): {', '.join(missing)}."]
    return "\n".join(lines)


defs = dg.Definitions(assets=[published_warehouse])
