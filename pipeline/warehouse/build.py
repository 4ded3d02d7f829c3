"""Write parsed frames into the build warehouse (``build.duckdb``), the only file writers open.

Relations are named by code, never by user input, and go through DuckDB's relational API
(``table()``, ``create()``), so no SQL text is assembled from names or values.
"""

from __future__ import annotations

import re
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


def write_table(db_path: Path, schema: str, table: str, frame: pd.DataFrame) -> int:
    """Replace ``schema.table`` in ``db_path`` with ``frame``; returns the row count written."""
    name = qualified_name(schema, table)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(db_path)) as con:
        con.execute(f"create schema if not exists {schema}")
        con.execute(f"drop table if exists {name}")
        con.from_df(frame).create(name)
        return count_rows(con, schema, table)


def count_rows(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> int:
    """Rows in ``schema.table``; ``duckdb.CatalogException`` when it does not exist."""
    return con.sql(f"from {qualified_name(schema, table)}").aggregate("count(*)").fetchone()[0]


def read_table(db_path: Path, schema: str, table: str) -> pd.DataFrame:
    """Read ``schema.table`` from ``db_path`` as a DataFrame (read-only connection)."""
    with duckdb.connect(str(db_path), read_only=True) as con:
        # A relation may be a table or a view (dbt staging); con.table() sees tables only.
        return con.sql(f"from {qualified_name(schema, table)}").df()
