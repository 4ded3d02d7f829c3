"""GX suite on the parsed IMF WEO frame: the gate between the WEO copy and the spending paths.

Each release must hold every ally (all 32), every WEO measure for every year of its span with no
gap, real growth in a plausible band, positive GDP levels, and exactly one first projection year per
ally, inside the release's years. The rules that span rows (coverage, contiguity) are computed into
columns of a validation view, so each failure is an expectation with the offending rows as samples.
"""

from __future__ import annotations

import pandas as pd

from pipeline.quality.runner import SuiteOutcome, run_suite
from pipeline.sources.countries import NATO_ALLY_CODES
from pipeline.sources.imf_weo import COLUMNS, FIRST_PROJECTION_YEAR, VARIABLES

ALLIES = sorted(set(NATO_ALLY_CODES.values()))
# Real GDP growth the WEO could plausibly print for an ally in the 2020s and 2030s: the deepest
# fall of any ally in 2020 was about -11% (Spain); more is a unit or sign slip.
GROWTH_BAND_PCT = (-15.0, 15.0)
SUITE_NAME = "raw__imf_weo__gdp"
EXTRA = [
    "growth_value",
    "level_value",
    "allies_in_release",
    "years_missing",
    "projection_starts",
    "projection_start_in_span",
]


def validation_view(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame plus the rule columns named in :data:`EXTRA`."""
    view = frame.copy()
    weo = view["measure"].isin(VARIABLES.values())
    view["growth_value"] = view["value"].where(view["measure"] == "real_gdp_growth_pct")
    view["level_value"] = view["value"].where(weo & (view["measure"] != "real_gdp_growth_pct"))
    view["allies_in_release"] = view.groupby("release_id")["country_code"].transform("nunique")
    span = view[weo].groupby("release_id")["year"].agg(["min", "max"])
    counts = view[weo].groupby(["release_id", "country_code", "measure"])["year"].transform("count")
    first = view["release_id"].map(span["min"])
    last = view["release_id"].map(span["max"])
    view["years_missing"] = ((last - first + 1) - counts).where(weo, 0).fillna(0)
    is_start = view["measure"] == FIRST_PROJECTION_YEAR
    starts = is_start.groupby([view["release_id"], view["country_code"]]).transform("sum")
    view["projection_starts"] = starts
    view["projection_start_in_span"] = ~is_start | view["year"].between(first, last)
    return view


def expectations(e) -> list:
    """The suite's expectations, built from the ``gx.expectations`` module ``e``."""
    low, high = GROWTH_BAND_PCT
    return [
        e.ExpectTableColumnsToMatchSet(column_set=[*COLUMNS, *EXTRA], exact_match=True),
        e.ExpectTableRowCountToBeBetween(min_value=len(ALLIES) * (len(VARIABLES) + 1)),
        *[e.ExpectColumnValuesToNotBeNull(column=c) for c in COLUMNS],
        e.ExpectColumnValuesToBeInSet(column="country_code", value_set=ALLIES),
        e.ExpectColumnValuesToBeInSet(
            column="measure", value_set=[*VARIABLES.values(), FIRST_PROJECTION_YEAR]
        ),
        e.ExpectColumnValuesToBeBetween(column="year", min_value=1980, max_value=2100),
        e.ExpectCompoundColumnsToBeUnique(
            column_list=["release_id", "country_code", "year", "measure"]
        ),
        e.ExpectColumnValuesToBeBetween(column="growth_value", min_value=low, max_value=high),
        e.ExpectColumnValuesToBeBetween(column="level_value", min_value=0, strict_min=True),
        e.ExpectColumnValuesToBeBetween(
            column="allies_in_release", min_value=len(ALLIES), max_value=len(ALLIES)
        ),
        e.ExpectColumnValuesToBeBetween(column="years_missing", min_value=0, max_value=0),
        e.ExpectColumnValuesToBeBetween(column="projection_starts", min_value=1, max_value=1),
        e.ExpectColumnValuesToBeInSet(column="projection_start_in_span", value_set=[True]),
    ]


def validate_weo_frame(frame: pd.DataFrame, docs_root=None) -> SuiteOutcome:
    """Run the suite on a parsed WEO frame (as read back from the build warehouse)."""
    return run_suite(SUITE_NAME, validation_view(frame), expectations, docs_root)
