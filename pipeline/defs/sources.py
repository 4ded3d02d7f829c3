"""Source assets: the publishers' files (verified against their sidecars) and the raw tables."""

import dagster as dg
import pandas as pd

from pipeline import paths
from pipeline.provenance import Release, find_releases
from pipeline.sources.registry import parse
from pipeline.warehouse.build import write_table

NATO_FILES = dg.AssetKey(["sources", "nato_release_files"])
RAW_NATO = dg.AssetKey(["raw", "nato__defence_expenditure"])
RAW_RELEASES = dg.AssetKey(["raw", "source_releases"])


def nato_releases() -> list[Release]:
    """Every NATO release under ``data/raw/nato``, each verified against its sidecar."""
    return find_releases(paths.raw_dir() / "nato")


def _release_row(release: Release) -> dict:
    meta = release.meta
    return {
        "release_id": release.release_id,
        "source": release.source,
        "publisher": meta["publisher"],
        "title": meta["title"],
        "url": meta["url"],
        "release_date": meta["release_date"],
        "cutoff_date": meta.get("cutoff_date"),
        "price_base_year": meta["price_base_year"],
        "file_name": release.path.name,
        "file_sha256": meta["sha256"],
        "file_bytes": meta["bytes"],
        "format": meta.get("format"),
        "is_original_publisher_file": bool(meta.get("is_original_publisher_file", False)),
        "obtained_from": meta.get("obtained_from"),
        "citation": meta.get("citation"),
    }


@dg.asset(key=NATO_FILES, group_name="sources", pool="warehouse")
def nato_release_files(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    """NATO, Defence Expenditure of NATO Countries: release workbooks in data/raw/nato/<date>/.

    Each file's sha256 and size are checked against its provenance sidecar; a mismatch fails here.
    """
    releases = nato_releases()
    rows = pd.DataFrame([_release_row(r) for r in releases])
    context.log.info("verified %d NATO release file(s)", len(releases))
    return dg.MaterializeResult(
        metadata={
            "releases": dg.MetadataValue.md(
                rows.drop(columns=["obtained_from", "citation"]).to_markdown(index=False)
            ),
            "files": len(releases),
            "latest_release": releases[-1].release_id,
            "latest_sha256": releases[-1].meta["sha256"],
            "latest_path": dg.MetadataValue.path(str(releases[-1].path)),
        }
    )


@dg.asset(key=RAW_RELEASES, deps=[NATO_FILES], group_name="raw", pool="warehouse")
def source_releases() -> dg.MaterializeResult:
    """Provenance of every publisher file (from the .meta.yml sidecars) as raw.source_releases."""
    frame = pd.DataFrame([_release_row(r) for r in nato_releases()])
    count = write_table(paths.build_db(), "raw", "source_releases", frame)
    return dg.MaterializeResult(metadata={"dagster/row_count": count})


@dg.asset(key=RAW_NATO, deps=[NATO_FILES], group_name="raw", pool="warehouse")
def nato_defence_expenditure(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    """NATO, Defence Expenditure of NATO Countries: every table of every release, long.

    Each release (data/raw/nato/<date>/) is parsed by the parser its sidecar's format names
    (pipeline.sources.registry): NATO's workbook, or a derived table for older vintages; into
    raw.nato__defence_expenditure in the build warehouse; gated by the GX check gx_raw_nato.
    """
    frames, stats = [], {}
    for release in nato_releases():
        result = parse(release)
        frames.append(result.frame)
        stats[release.release_id] = result.stats
        context.log.info("%s: %s", release.path.name, result.stats)
    frame = pd.concat(frames, ignore_index=True)
    # Derived vintages may leave a year's estimate status unknown (NULL): keep it nullable.
    frame["is_estimate"] = frame["is_estimate"].astype("boolean")
    count = write_table(paths.build_db(), "raw", "nato__defence_expenditure", frame)
    null_by_status = frame.loc[frame["value"].isna(), "cell_status"].value_counts().to_dict()
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": count,
            "null_cells": int(frame["value"].isna().sum()),
            "null_cells_by_status": null_by_status,
            "parse_stats": stats,
            "measures": sorted(frame["measure"].unique().tolist()),
            "years": f"{frame['year'].min()}-{frame['year'].max()}",
        }
    )
