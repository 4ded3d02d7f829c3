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

from pipeline.warehouse.build import count_rows, write_failure


def required_relations() -> tuple[str, ...]:
    """The public contract (README, DESIGN.md §3): every model of the dbt project's marts schema,
    read from the dbt manifest; each must exist and hold rows before publishing."""
    from pipeline.warehouse.dbt_manifest import project_marts

    return project_marts()


def __getattr__(name: str):
    """``REQUIRED_RELATIONS``, read from the dbt manifest when first used (not at import)."""
    if name == "REQUIRED_RELATIONS":
        return required_relations()
    raise AttributeError(name)


class PublishError(RuntimeError):
    """The build warehouse is not fit to publish; the published file was not touched."""


def publish(build_db: Path, published_db: Path, may_be_empty: frozenset[str] = frozenset()) -> dict:
    """Atomically replace ``published_db`` with a copy of ``build_db``; returns row counts.
    ``may_be_empty``: marts rightly empty because their source has no release at hand."""
    if not build_db.is_file():
        raise PublishError(f"{build_db}: build warehouse not found")
    remove_stale_temp_files(published_db)
    with duckdb.connect(str(build_db)) as con:
        con.execute("checkpoint")
    temp = published_db.with_name(f".{published_db.name}.{os.getpid()}.tmp")
    try:
        try:
            shutil.copyfile(build_db, temp)
            _fsync(temp)
        except OSError as exc:
            raise PublishError(write_failure(temp, f"copy {build_db} for publishing", exc)) from exc
        counts = audit(temp, may_be_empty)
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


def audit(db_path: Path, may_be_empty: frozenset[str] = frozenset()) -> dict:
    """Open ``db_path`` read-only and count each required mart's rows; fail if one is empty,
    unless it is in ``may_be_empty`` (its source has no release at hand this run)."""
    counts = {}
    with duckdb.connect(str(db_path), read_only=True) as con:
        for relation in required_relations():
            schema, table = relation.split(".")
            try:
                counts[relation] = count_rows(con, schema, table)
            except duckdb.CatalogException as exc:
                raise PublishError(f"{db_path}: {relation} missing ({exc})") from exc
            if counts[relation] == 0 and relation not in may_be_empty:
                raise PublishError(f"{db_path}: {relation} is empty")
    return counts


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
