"""GX suite on ``marts.fct_target_status``: what must hold before the warehouse is published."""

from __future__ import annotations

import pandas as pd

from pipeline.quality.runner import SuiteOutcome, run_suite

GAP_COLUMNS = ("gap_to_2pct_pp", "gap_to_3_5pct_pp", "gap_to_5pct_pp")


def expectations(e) -> list:
    """The suite's expectations, built from the ``gx.expectations`` module ``e``."""
    return [
        e.ExpectTableRowCountToBeBetween(min_value=32 * 5),
        e.ExpectCompoundColumnsToBeUnique(column_list=["country_code", "year"]),
        *[
            e.ExpectColumnValuesToNotBeNull(column=c)
            for c in ("country_code", "year", "release_id", "is_estimate", "has_armed_forces")
        ],
        e.ExpectColumnValuesToMatchRegex(column="country_code", regex=r"^[A-Z]{3}$"),
        # The mart is the latest release only: one release_id throughout.
        e.ExpectColumnUniqueValueCountToBeBetween(column="release_id", min_value=1, max_value=1),
        e.ExpectColumnValuesToBeBetween(column="share_gdp_pct", min_value=0.1, max_value=10),
        *[e.ExpectColumnValuesToBeBetween(column=c, min_value=0) for c in GAP_COLUMNS],
        *[
            e.ExpectColumnValuesToBeBetween(column=c.replace("_pp", "_usd_m"), min_value=0)
            for c in GAP_COLUMNS
        ],
        e.ExpectColumnValuesToBeBetween(column="gap_to_2pct_pp", max_value=2),
        e.ExpectColumnValuesToBeBetween(column="gap_to_5pct_pp", max_value=5),
    ]


def validate_target_status(frame: pd.DataFrame) -> SuiteOutcome:
    """Run the suite on ``marts.fct_target_status`` read into pandas."""
    return run_suite("marts__fct_target_status", frame, expectations)
