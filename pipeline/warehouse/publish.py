"""Publish the audited build warehouse by atomic rename (write-audit-publish, DESIGN.md §1).

Readers of ``defence.duckdb`` see the old file or the new one, never a half-written one: the build
is checkpointed (so no data is left in its WAL), copied to a temporary file in the same folder,
fsynced, checked to open and hold the marts, then ``os.replace``d onto the published name.
A reader holding the old file keeps its snapshot (the old inode stays alive until it closes).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb

from pipeline.warehouse.build import count_rows

# The public contract (README, DESIGN.md §3): each must exist and hold rows before publishing.
REQUIRED_RELATIONS = (
    "marts.dim_country",
    "marts.dim_release",
    "marts.fct_defence_expenditure",
    "marts.fct_target_status",
    "marts.agg_alliance_year",
    "marts.agg_cohort_year",
    "marts.fct_revisions",
    "marts.fct_path_to_2035",
    "marts.fct_two_percent_milestones",
    "marts.fct_sipri_expenditure",
    "marts.fct_nato_vs_sipri",
)


class PublishError(RuntimeError):
    """The build warehouse is not fit to publish; the published file was not touched."""


def publish(build_db: Path, published_db: Path) -> dict:
    """Atomically replace ``published_db`` with a copy of ``build_db``; returns row counts."""
    if not build_db.is_file():
        raise PublishError(f"{build_db}: build warehouse not found")
    remove_stale_temp_files(published_db)
    with duckdb.connect(str(build_db)) as con:
        con.execute("checkpoint")
    temp = published_db.with_name(f".{published_db.name}.{os.getpid()}.tmp")
    try:
        shutil.copyfile(build_db, temp)
        _fsync(temp)
        counts = audit(temp)
        os.replace(temp, published_db)
        _fsync(published_db.parent)
    finally:
        temp.unlink(missing_ok=True)
    return counts


def remove_stale_temp_files(published_db: Path) -> list[Path]:
    """Delete temporary copies left by a publish that was killed before its rename.

    Safe because publishing runs under the warehouse write lock: no live publish owns them.
    """
    stale = list(published_db.parent.glob(f".{published_db.name}.*.tmp"))
    for path in stale:
        path.unlink(missing_ok=True)
    return stale


def audit(db_path: Path) -> dict:
    """Open ``db_path`` read-only and count each required mart's rows; fail if one is empty."""
    counts = {}
    with duckdb.connect(str(db_path), read_only=True) as con:
        for relation in REQUIRED_RELATIONS:
            schema, table = relation.split(".")
            try:
                counts[relation] = count_rows(con, schema, table)
            except duckdb.CatalogException as exc:
                raise PublishError(f"{db_path}: {relation} missing ({exc})") from exc
            if counts[relation] == 0:
                raise PublishError(f"{db_path}: {relation} is empty")
    return counts


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
