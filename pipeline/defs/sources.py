"""Source assets: the publishers' files (verified against their sidecars) and the raw tables.

One pair of assets per source: ``sources/<source>_release_files`` verifies every release under
``data/raw/<source>/`` and shows its provenance; ``raw/<source>__<table>`` parses each release with
the parser its sidecar names and writes one long table to the build warehouse.
"""

import dagster as dg
import pandas as pd

from pipeline import paths
from pipeline.acquire.on_demand import ensure_source
from pipeline.defs.resources import WarehouseLock
from pipeline.provenance import Release
from pipeline.sources.catalog import NATO, SIPRI, SOURCES, Source
from pipeline.sources.load import load_source
from pipeline.warehouse.build import write_table
from pipeline.warehouse.validated import is_reusable, record_load


def files_key(source: Source) -> dg.AssetKey:
    """``sources/<source>_release_files``: the publisher's files, verified."""
    return dg.AssetKey(["sources", f"{source.name}_release_files"])


def raw_key(source: Source) -> dg.AssetKey:
    """``raw/<raw table>``: the relation in the build warehouse."""
    return dg.AssetKey(["raw", source.raw_table])


RAW_NATO, RAW_SIPRI = raw_key(NATO), raw_key(SIPRI)
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
        key=files_key(source),
        group_name="sources",
        description=f"{source.publisher_and_title}: release files in data/raw/{source.name}/"
        "<date>/, each checked against its provenance sidecar (sha256, size); a file kept out of "
        "git by its publisher's terms is fetched first (DEFENCE_MIRROR or the sidecar's URL).",
    )
    def release_files(
        context: dg.AssetExecutionContext, warehouse_lock: WarehouseLock
    ) -> dg.MaterializeResult:
        for fetched in ensure_source(source.folder):
            context.log.info("fetched %s (sha256 verified against its sidecar)", fetched)
        releases = source.releases(warehouse_lock.inputs.digests())
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
        key=raw_key(source),
        deps=[files_key(source)],
        group_name="raw",
        description=f"{source.publisher_and_title}: every release parsed into one long table, "
        f"raw.{source.raw_table}, by the parser its sidecar's format names "
        "(pipeline.sources.registry); gated by a blocking GX check.",
    )
    def raw_table(
        context: dg.AssetExecutionContext, warehouse_lock: WarehouseLock
    ) -> dg.MaterializeResult:
        build_db, run_inputs = paths.build_db(), warehouse_lock.inputs
        inputs = run_inputs.source(source.name)
        if is_reusable(build_db, source.raw_table, inputs):
            context.log.info("%s unchanged since its validated load: reused", source.name)
            return dg.MaterializeResult(
                metadata={"reused_validated_load": True, "source_fingerprint": inputs}
            )
        frame, stats, _ = load_source(source.folder, run_inputs.digests())
        context.log.info("parsed %s: %s", source.name, stats)
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


@dg.asset(key=RAW_RELEASES, deps=[files_key(source) for source in SOURCES], group_name="raw")
def source_releases(warehouse_lock: WarehouseLock) -> dg.MaterializeResult:
    """Provenance of every publisher file (from the .meta.yml sidecars) as raw.source_releases."""
    digests = warehouse_lock.inputs.digests()
    frame = pd.DataFrame([release_row(r) for source in SOURCES for r in source.releases(digests)])
    count = write_table(paths.build_db(), "raw", "source_releases", frame)
    return dg.MaterializeResult(metadata={"dagster/row_count": count})


SOURCE_ASSETS = [factory(source) for source in SOURCES for factory in (files_asset, raw_asset)]


defs = dg.Definitions(assets=[*SOURCE_ASSETS, source_releases])
