"""GX suite on the parsed NATO frame: the gate between a workbook and the warehouse.

Bounds are what a defence analyst would accept for NATO allies since 2014: no ally has spent more
than 10% of GDP (the highest in the 2024 release is Poland's 4.12% in 2024e), money and GDP are
positive, category shares lie within 0-100% of defence spending.
"""

from __future__ import annotations

import pandas as pd

from pipeline.quality.runner import SuiteOutcome, run_suite
from pipeline.sources.nato import COLUMNS
from pipeline.sources.nato_tables import TABLES

SHARE_GDP_MAX_PCT = 10.0
MONEY_MEASURES = (
    "defence_exp_usd_current_m",
    "defence_exp_usd_const_m",
    "defence_exp_nac_current_m",
    "defence_exp_nac_const_m",
    "gdp_usd_current_m",
    "gdp_usd_const_m",
)
CATEGORY_SHARES = (
    "equipment_share_pct",
    "personnel_share_pct",
    "infrastructure_share_pct",
    "other_share_pct",
)


def validation_view(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame plus one value column per rule family (NULL elsewhere), so column expectations
    apply each bound to the right measure only."""
    view = frame.copy()
    view["share_gdp_value"] = view["value"].where(view["measure"] == "defence_exp_share_gdp_pct")
    view["money_value"] = view["value"].where(view["measure"].isin(MONEY_MEASURES))
    view["category_share_value"] = view["value"].where(view["measure"].isin(CATEGORY_SHARES))
    return view


def expectations(e) -> list:
    """The suite's expectations, built from the ``gx.expectations`` module ``e``."""
    measures = sorted({m.measure for t in TABLES.values() for m in (*t.sections, *t.columns)})
    return [
        e.ExpectTableColumnsToMatchSet(
            column_set=[*COLUMNS, "share_gdp_value", "money_value", "category_share_value"],
            exact_match=True,
        ),
        e.ExpectTableRowCountToBeBetween(min_value=1000),
        *[
            e.ExpectColumnValuesToNotBeNull(column=c)
            for c in (
                "release_id",
                "table_id",
                "country_name",
                "year",
                "measure",
                "cell",
            )
        ],
        e.ExpectColumnValuesToBeInSet(column="table_id", value_set=sorted(TABLES)),
        e.ExpectColumnValuesToBeInSet(column="measure", value_set=measures),
        e.ExpectColumnValuesToBeInSet(
            column="cell_status", value_set=["value", "blank", "excel_error"]
        ),
        e.ExpectColumnValuesToMatchRegex(column="country_code", regex=r"^[A-Z]{3}$"),
        e.ExpectColumnValuesToBeBetween(column="year", min_value=1949, max_value=2100),
        e.ExpectColumnValuesToBeBetween(column="price_base_year", min_value=1990, max_value=2100),
        e.ExpectCompoundColumnsToBeUnique(
            column_list=["release_id", "table_id", "section", "country_name", "year", "measure"]
        ),
        e.ExpectColumnValuesToBeBetween(
            column="share_gdp_value", min_value=0.1, max_value=SHARE_GDP_MAX_PCT
        ),
        e.ExpectColumnValuesToBeBetween(column="money_value", min_value=0, strict_min=True),
        e.ExpectColumnValuesToBeBetween(column="category_share_value", min_value=0, max_value=100),
    ]


def validate_nato_frame(frame: pd.DataFrame) -> SuiteOutcome:
    """Run the suite on a parsed NATO frame (as read back from the build warehouse)."""
    return run_suite("raw__nato__defence_expenditure", validation_view(frame), expectations)
