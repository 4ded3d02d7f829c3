"""Reference facts the Python side needs from the dbt seeds (one copy of each fact, in the seed)."""

from __future__ import annotations

import pandas as pd

from pipeline import paths


def nato_allies() -> pd.DataFrame:
    """The allies seed: country_code, accession year, armed forces, and the other flags."""
    frame = pd.read_csv(paths.DBT_PROJECT_DIR / "seeds" / "nato_allies.csv")
    frame["accession_year"] = pd.to_datetime(frame["nato_accession_date"]).dt.year
    return frame
