"""Source assets: the publishers' files (verified against their sidecars) and the raw tables.

One pair of assets per source: ``sources/<source>_release_files`` verifies every release under
``data/raw/<source>/`` and shows its provenance; ``raw/<source>__<table>`` parses each release with
the parser its sidecar names and writes one long table to the build warehouse.
"""

import dagster as dg
import pandas as pd

from pipeline import fingerprint, paths, worker
from pipeline.catalog import NATO, SIPRI, SOURCES, Source
from pipeline.load import load_source
from pipeline.provenance import Release
from pipeline.warehouse.build import write_table
from pipeline.warehouse.validated import is_reusable, record_load

RAW_NATO, RAW_SIPRI = NATO.raw_key, SIPRI.raw_key
RAW_RELEASES = dg.AssetKey(["raw", "source_releases"])


def release_row(release: Release) -> dict:
    """One row of raw.source_releases: the sidecar's facts about a file."""
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
        "defence_definition": meta.get("defence_definition"),
        "licence": meta.get("licence"),
        "share_decimals": meta.get("share_decimals"),
        "file_name": release.path.name,
        "format": meta.get("format"),
        "file_sha256": meta["sha256"],
        "file_bytes": meta["bytes"],
        "is_original_publisher_file": bool(meta.get("is_original_publisher_file", False)),
        "obtained_from": meta.get("obtained_from"),
        "citation": meta.get("citation"),
    }


def files_asset(source: Source) -> dg.AssetsDefinition:
    @dg.asset(
        key=source.files_key,
        group_name="sources",
        description=f"{source.publisher_and_title}: release files in data/raw/{source.name}/"
        "<date>/, each checked against its provenance sidecar (sha256, size).",
    )
    def release_files(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        releases = source.releases()
        rows = pd.DataFrame([release_row(r) for r in releases])
        context.log.info("verified %d %s release file(s)", len(releases), source.name)
        shown = rows[
            [
                "release_id",
                "title",
                "release_date",
                "price_base_year",
                "defence_definition",
                "file_name",
                "file_sha256",
                "is_original_publisher_file",
            ]
        ]
        return dg.MaterializeResult(
            metadata={
                "releases": dg.MetadataValue.md(shown.to_markdown(index=False)),
                "files": len(releases),
                "latest_release": releases[-1].release_id,
                "latest_path": dg.MetadataValue.path(str(releases[-1].path)),
            }
        )

    return release_files


def raw_asset(source: Source) -> dg.AssetsDefinition:
    @dg.asset(
        key=source.raw_key,
        deps=[source.files_key],
        group_name="raw",
        required_resource_keys={"warehouse_lock"},
        description=f"{source.publisher_and_title}: every release parsed into one long table, "
        f"raw.{source.raw_table}, by the parser its sidecar's format names "
        "(pipeline.sources.registry); gated by a blocking GX check.",
    )
    def raw_table(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        build_db, inputs = paths.build_db(), fingerprint.source(source.name)
        if is_reusable(build_db, source.raw_table, inputs):
            context.log.info("%s unchanged since its validated load: reused", source.name)
            return dg.MaterializeResult(
                metadata={"reused_validated_load": True, "source_fingerprint": inputs}
            )
        ahead = worker.parsed_ahead(source.name, inputs)
        frame, stats, _ = ahead or load_source(paths.raw_dir() / source.name)
        where = " (by the run's worker, ahead)" if ahead else ""
        context.log.info("parsed %s: %s%s", source.name, stats, where)
        count = write_table(build_db, "raw", source.raw_table, frame)
        record_load(build_db, source.raw_table, inputs)
        return dg.MaterializeResult(
            metadata={
                "reused_validated_load": False,
                "source_fingerprint": inputs,
                "dagster/row_count": count,
                "rows_by_release": frame["release_id"].value_counts().sort_index().to_dict(),
                "null_values": int(frame["value"].isna().sum()),
                "parse_stats": stats,
                "measures": sorted(frame["measure"].unique().tolist()),
                "years": f"{frame['year'].min()}-{frame['year'].max()}",
            }
        )

    return raw_table


@dg.asset(
    key=RAW_RELEASES,
    deps=[source.files_key for source in SOURCES],
    group_name="raw",
    required_resource_keys={"warehouse_lock"},
)
def source_releases() -> dg.MaterializeResult:
    """Provenance of every publisher file (from the .meta.yml sidecars) as raw.source_releases."""
    frame = pd.DataFrame([release_row(r) for source in SOURCES for r in source.releases()])
    count = write_table(paths.build_db(), "raw", "source_releases", frame)
    return dg.MaterializeResult(metadata={"dagster/row_count": count})


SOURCE_ASSETS = [factory(source) for source in SOURCES for factory in (files_asset, raw_asset)]


defs = dg.Definitions(assets=[*SOURCE_ASSETS, source_releases])
