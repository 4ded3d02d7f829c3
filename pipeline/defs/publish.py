"""The published warehouse: the audited build copied atomically onto defence.duckdb."""

import os

import dagster as dg
import pandas as pd
from pydantic import Field

from pipeline import fingerprint, paths, worker
from pipeline.catalog import NATO
from pipeline.reports.changes_markdown import write_reports
from pipeline.reports.previews import markdown_image, mart_charts, mart_previews
from pipeline.warehouse.build import write_table
from pipeline.warehouse.publish import REQUIRED_RELATIONS, publish

PUBLISHED = dg.AssetKey(["warehouse", "defence"])
MART_KEYS = [dg.AssetKey(relation.split(".")) for relation in REQUIRED_RELATIONS]
PUBLISH_OP = "__".join(PUBLISHED.path)  # the step's name in run config


class PublishConfig(dg.Config):
    """Run config of the publish step (all optional: a UI or scheduled run needs none)."""

    fingerprint: str = Field(
        default="",
        description="The inputs' fingerprint the run was started for (python -m pipeline run "
        "passes the one it checked before the run); empty: computed when publishing.",
    )


def publish_run_config(build_fingerprint: str) -> dict:
    """Run config that hands the publish step the fingerprint the CLI checked before the run."""
    return {"ops": {PUBLISH_OP: {"config": {"fingerprint": build_fingerprint}}}}


def write_build_info(build_db, build_fingerprint: str = "") -> None:
    """Record what the warehouse was built from (meta.build_info), so an unchanged run can skip.

    ``build_fingerprint`` is the one the CLI computed before the run started (inputs edited during
    the run then trigger the next one); a run started elsewhere passes nothing and it is computed
    here.
    """
    build = build_fingerprint or fingerprint.current()
    info = pd.DataFrame({"fingerprint": [build], "built_at": [pd.Timestamp.now(tz="UTC")]})
    write_table(build_db, "meta", "build_info", info)


def what_changed(published: os.PathLike) -> dg.AssetObservation:
    """Write one "what changed" report per NATO release (data/warehouse/changes/) and show the
    latest release's on NATO's release-files asset in the UI."""
    reports = write_reports(published, paths.warehouse_dir() / "changes")
    latest = max(reports, key=lambda path: path.stem)
    return dg.AssetObservation(
        asset_key=NATO.files_key,
        metadata={
            "what_changed": dg.MetadataValue.md(latest.read_text(encoding="utf-8")),
            "what_changed_file": dg.MetadataValue.path(str(latest)),
            "reports": len(reports),
        },
    )


@dg.asset(
    key=PUBLISHED,
    deps=MART_KEYS,
    group_name="publish",
    required_resource_keys={"warehouse_lock"},
)
def published_warehouse(
    context: dg.AssetExecutionContext, config: PublishConfig
) -> dg.MaterializeResult:
    """data/warehouse/defence.duckdb: what analysts open (read-only), replaced atomically.

    Depends on every mart, so it runs only after dbt build (with its tests) and every blocking
    GX check on the marts have passed. Then each mart gets an observation in the UI: its row
    count, a preview and its charts (also written to data/warehouse/charts/).
    """
    target = paths.published_db()
    write_build_info(paths.build_db(), config.fingerprint)
    counts = publish(paths.build_db(), target)
    context.log.info("published %s", target)
    drawn = worker.begin(mart_charts, target, paths.warehouse_dir() / "charts")
    previews = mart_previews(target)  # while the worker draws the charts
    charts = drawn()
    for mart, report in previews.items():
        metadata = {
            "dagster/row_count": report["rows"],
            "preview": dg.MetadataValue.md(report["preview"]),
        }
        for name, (path, png) in charts.get(mart, {}).items():
            metadata[f"chart/{name}"] = dg.MetadataValue.md(markdown_image(png, name))
            metadata[f"chart_file/{name}"] = dg.MetadataValue.path(str(path))
        context.log_event(
            dg.AssetObservation(asset_key=dg.AssetKey(["marts", mart]), metadata=metadata)
        )
    context.log_event(what_changed(target))
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(target)),
            "bytes": target.stat().st_size,
            **{f"rows/{relation}": count for relation, count in counts.items()},
        }
    )


defs = dg.Definitions(assets=[published_warehouse])
