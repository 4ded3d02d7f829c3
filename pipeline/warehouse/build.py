"""Write parsed frames into the build warehouse (``build.duckdb``), the only file writers open."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd


def write_table(db_path: Path, schema: str, table: str, frame: pd.DataFrame) -> int:
    """Replace ``schema.table`` in ``db_path`` with ``frame``; returns the row count written.

    Identifiers come from code, never from user input; the frame is bound as a relation.
    """
    db_path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(db_path)) as con:
        con.execute(f'create schema if not exists "{schema}"')
        con.register("frame_to_write", frame)
        con.execute(f'create or replace table "{schema}"."{table}" as select * from frame_to_write')
        con.unregister("frame_to_write")
        return con.execute(f'select count(*) from "{schema}"."{table}"').fetchone()[0]


def read_table(db_path: Path, schema: str, table: str) -> pd.DataFrame:
    """Read ``schema.table`` from ``db_path`` as a DataFrame (read-only connection)."""
    with duckdb.connect(str(db_path), read_only=True) as con:
        return con.execute(f'select * from "{schema}"."{table}"').df()
