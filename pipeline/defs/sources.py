"""Source assets: the publishers' files (verified against their sidecars) and the raw tables.

One pair of assets per source: ``sources/<source>_release_files`` verifies every release under
``data/raw/<source>/`` and shows its provenance; ``raw/<source>__<table>`` parses each release with
the parser its sidecar names and writes one long table to the build warehouse.
"""

from pathlib import Path

import dagster as dg
import pandas as pd

from pipeline import paths
from pipeline.acquire.on_demand import Acquired
from pipeline.defs.resources import WarehouseLock
from pipeline.provenance import Release, release_files
from pipeline.sources.catalog import IMF_WEO, NATO, SIPRI, SOURCES, Source
from pipeline.sources.load import load_source
from pipeline.warehouse.build import write_table
from pipeline.warehouse.fingerprint import Inputs
from pipeline.warehouse.validated import is_reusable, record_load


def files_key(source: Source) -> dg.AssetKey:
    """``sources/<source>_release_files``: the publisher's files, verified."""
    return dg.AssetKey(["sources", f"{source.name}_release_files"])


def raw_key(source: Source) -> dg.AssetKey:
    """``raw/<raw table>``: the relation in the build warehouse."""
    return dg.AssetKey(["raw", source.raw_table])


RAW_NATO, RAW_SIPRI, RAW_WEO = raw_key(NATO), raw_key(SIPRI), raw_key(IMF_WEO)
RAW_RELEASES = dg.AssetKey(["raw", "source_releases"])


def release_row(release: Release, unavailable_reason: str | None = None) -> dict:
    """One row of raw.source_releases: the sidecar's facts about a file, and whether the file was
    at hand (a file kept out of git that could not be fetched: ``unavailable_reason`` says why)."""
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
        "is_available": unavailable_reason is None,
        "unavailable_reason": unavailable_reason,
    }


def sources_missing(inputs: Inputs) -> dict[str, list[Path]]:
    """The sources none of whose release files is at hand in this run (kept out of git and not
    fetched), each with its missing files: their tables are rightly empty; their checks warn."""
    missing = {}
    for source in SOURCES:
        files = [p for p in inputs.missing if p.is_relative_to(source.folder)]
        if files and len(files) == len(release_files(source.folder)):
            missing[source.name] = files
    return missing


def unavailable_rows(source: Source, acquired: Acquired) -> list[dict]:
    """raw.source_releases rows of ``source``'s releases whose files are not at hand, with this
    run's reason (every location it tried, and the setting to change)."""
    return [
        release_row(r, acquired.unavailable.get(r.path, f"{r.path}: file missing"))
        for r in source.unavailable()
    ]


def files_asset(source: Source) -> dg.AssetsDefinition:
    @dg.asset(
        key=files_key(source),
        group_name="sources",
        description=f"{source.publisher_and_title}: release files in data/raw/{source.name}/"
        "<date>/, each checked against its provenance sidecar (sha256, size); a file kept out of "
        "git by its publisher's terms is fetched before the run hashes its inputs (DEFENCE_MIRROR "
        "or the sidecar's URL), and one that cannot be had is listed as unavailable.",
    )
    def release_files(
        context: dg.AssetExecutionContext, warehouse_lock: WarehouseLock
    ) -> dg.MaterializeResult:
        acquired = warehouse_lock.acquired
        fetched = [p for p in acquired.fetched if p.is_relative_to(source.folder)]
        releases = source.releases(warehouse_lock.inputs.digests())
        missing = unavailable_rows(source, acquired)
        context.log.info(
            "verified %d %s release file(s)%s",
            len(releases),
            source.name,
            f", {len(fetched)} fetched for this run" if fetched else "",
        )
        for row in missing:
            context.log.warning("%s unavailable: %s", row["release_id"], row["unavailable_reason"])
        rows = pd.DataFrame([*(release_row(r) for r in releases), *missing])
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
                "is_available",
            ]
        ]
        metadata = {
            "releases": dg.MetadataValue.md(shown.to_markdown(index=False)),
            "files": len(releases),
            "files_unavailable": len(missing),
            "latest_release": releases[-1].release_id if releases else "none at hand",
        }
        if releases:
            metadata["latest_path"] = dg.MetadataValue.path(str(releases[-1].path))
        if missing:
            metadata["unavailable"] = dg.MetadataValue.md(
                "\n\n".join(f"**{r['release_id']}**: {r['unavailable_reason']}" for r in missing)
            )
        return dg.MaterializeResult(metadata=metadata)

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
    """Provenance of every publisher file (from the .meta.yml sidecars) as raw.source_releases,
    those not at hand included (``is_available`` false, with the reason)."""
    digests, acquired = warehouse_lock.inputs.digests(), warehouse_lock.acquired
    frame = pd.DataFrame(
        [
            *(release_row(r) for source in SOURCES for r in source.releases(digests)),
            *(row for source in SOURCES for row in unavailable_rows(source, acquired)),
        ]
    )
    count = write_table(paths.build_db(), "raw", "source_releases", frame)
    return dg.MaterializeResult(metadata={"dagster/row_count": count})


SOURCE_ASSETS = [factory(source) for source in SOURCES for factory in (files_asset, raw_asset)]


defs = dg.Definitions(assets=[*SOURCE_ASSETS, source_releases])
