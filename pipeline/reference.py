"""Reference facts the Python side needs from the dbt seeds (one copy of each fact, in the seed)."""

from __future__ import annotations

import pandas as pd

from pipeline import paths


def nato_allies() -> pd.DataFrame:
    """The allies seed: country_code, accession year, armed forces, and the other flags."""
    frame = pd.read_csv(paths.DBT_PROJECT_DIR / "seeds" / "nato_allies.csv")
    frame["accession_year"] = pd.to_datetime(frame["nato_accession_date"]).dt.year
    return frame


def target_threshold_pct(target_id: str) -> float:
    """A target's threshold from the targets seed (e.g. ``wales_2pct_gdp`` -> 2.0)."""
    targets = pd.read_csv(paths.DBT_PROJECT_DIR / "seeds" / "alliance_targets.csv")
    return float(targets.loc[targets["target_id"] == target_id, "threshold_pct"].item())
