"""Which raw tables in the build warehouse passed their GX gate, for which inputs.

A raw table is reused by the next run only if its gate passed for exactly the inputs and code the
source has now (``pipeline.warehouse.fingerprint.source``): a run after a new NATO release
re-parses and re-validates NATO only. The raw asset records the fingerprint it loaded (not yet
validated); the gate marks it validated only when it passes, so a table written by a failed or
killed run is never taken as validated. The fingerprint is the run's
:meth:`pipeline.warehouse.fingerprint.Inputs.source`, hashed once when the run took the warehouse
lock.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipeline.warehouse.build import WarehouseWriteError, qualified_name, write_failure


@dataclass(frozen=True)
class RawLoad:
    fingerprint: str
    is_validated: bool


def last_load(build_db: Path, raw_table: str) -> RawLoad | None:
    """What ``raw.<raw_table>`` was last loaded from, and whether it passed its gate; ``None``
    when the table or its record is missing."""
    if not build_db.exists():
        return None
    try:
        with duckdb.connect(str(build_db), read_only=True) as con:
            con.table(qualified_name("raw", raw_table))  # gone: nothing to reuse
            row = con.execute(
                "select fingerprint, is_validated from meta.raw_loads where raw_table = ?",
                [raw_table],
            ).fetchone()
    except duckdb.Error:
        return None
    return RawLoad(row[0], bool(row[1])) if row else None


def is_reusable(build_db: Path, raw_table: str, fingerprint: str) -> bool:
    """True when ``raw_table`` was loaded from inputs with this ``fingerprint`` and passed its
    gate: the run neither parses nor validates that source again."""
    return last_load(build_db, raw_table) == RawLoad(fingerprint, is_validated=True)


def record_load(build_db: Path, raw_table: str, fingerprint: str) -> None:
    """``raw.<raw_table>`` was just written from inputs with ``fingerprint``; not yet validated."""
    statements = [
        ("create schema if not exists meta", []),
        (
            "create table if not exists meta.raw_loads "
            "(raw_table varchar, fingerprint varchar, is_validated boolean)",
            [],
        ),
        ("delete from meta.raw_loads where raw_table = ?", [raw_table]),
        ("insert into meta.raw_loads values (?, ?, false)", [raw_table, fingerprint]),
    ]
    _write(build_db, f"record the load of raw.{raw_table}", statements)


def mark_validated(build_db: Path, raw_table: str) -> None:
    """The gate passed on ``raw.<raw_table>`` as last loaded."""
    statements = [
        ("update meta.raw_loads set is_validated = true where raw_table = ?", [raw_table])
    ]
    _write(build_db, f"mark raw.{raw_table} validated", statements)


def _write(build_db: Path, what: str, statements: list[tuple[str, list]]) -> None:
    try:
        with duckdb.connect(str(build_db)) as con:
            for sql, parameters in statements:
                con.execute(sql, parameters)
    except duckdb.Error as exc:
        raise WarehouseWriteError(write_failure(build_db, what, exc)) from exc
