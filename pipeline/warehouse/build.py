"""Write parsed frames into the build warehouse (``build.duckdb``), the only file writers open.

Relations are named by code, never by user input, and go through DuckDB's relational API
(``table()``, ``create()``), so no SQL text is assembled from names or values.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import duckdb
import pandas as pd

_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")


def qualified_name(schema: str, table: str) -> str:
    """``schema.table`` after checking both are plain lower-case identifiers."""
    for part in (schema, table):
        if not _IDENTIFIER.match(part):
            raise ValueError(f"not a plain identifier: {part!r}")
    return f"{schema}.{table}"


LOW_SPACE_BYTES = 16 * 1024 * 1024  # less than this left beside the warehouse: the disk is full


class WarehouseWriteError(RuntimeError):
    """The build warehouse could not be written (a full disk, most often); names the file."""


def write_table(db_path: Path, schema: str, table: str, frame: pd.DataFrame) -> int:
    """Replace ``schema.table`` in ``db_path`` with ``frame``; returns the row count written."""
    name = qualified_name(schema, table)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with duckdb.connect(str(db_path)) as con:
            con.execute(f"create schema if not exists {schema}")
            con.execute(f"drop table if exists {name}")
            con.from_df(frame).create(name)
            return count_rows(con, schema, table)
    except duckdb.Error as exc:
        raise WarehouseWriteError(write_failure(db_path, f"write {name}", exc)) from exc


DISK_FULL_SIGNS = ("No space left on device", "database or disk is full")  # the OS's, SQLite's


def write_failure(
    path: Path, what: str, exc: BaseException, setting: str = "DEFENCE_WAREHOUSE_DIR"
) -> str:
    """``<path>: could not <what>: ...``, saying so when the disk holding ``path`` is full: DuckDB
    then reports whatever broke next (a table that "does not exist", measured on a full tmpfs),
    not the disk. ``setting`` names the environment variable that moves ``path`` elsewhere."""
    usage = shutil.disk_usage(path.parent if path.parent.exists() else path.anchor)
    if any(sign in str(exc) for sign in DISK_FULL_SIGNS) or usage.free < LOW_SPACE_BYTES:
        return (
            f"{path}: could not {what}: the disk holding it is full ({usage.free:,} bytes free of "
            f"{usage.total:,}); free space there, or set {setting} to a folder with room, and "
            f"run again ({type(exc).__name__}: {str(exc).splitlines()[0]})"
        )
    return f"{path}: could not {what} ({type(exc).__name__}: {exc})"


def count_rows(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> int:
    """Rows in ``schema.table``; ``duckdb.CatalogException`` when it does not exist."""
    return con.sql(f"from {qualified_name(schema, table)}").aggregate("count(*)").fetchone()[0]


def count_rows_in(db_path: Path, schema: str, table: str) -> int:
    """:func:`count_rows` on ``db_path``, opened read-only."""
    with duckdb.connect(str(db_path), read_only=True) as con:
        return count_rows(con, schema, table)


def read_table(db_path: Path, schema: str, table: str) -> pd.DataFrame:
    """Read ``schema.table`` from ``db_path`` as a DataFrame (read-only connection)."""
    with duckdb.connect(str(db_path), read_only=True) as con:
        # A relation may be a table or a view (dbt staging); con.table() sees tables only.
        return con.sql(f"from {qualified_name(schema, table)}").df()
