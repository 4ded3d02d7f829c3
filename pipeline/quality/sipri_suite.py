"""GX suite on the parsed SIPRI frame: the gate between SIPRI's workbooks and the warehouse.

Shares of GDP above 20% are implausible for a country at peace. SIPRI's history has a handful of
wartime or collapsed-GDP episodes above it; they pass only through :data:`WARTIME_ALLOWLIST`,
each with its period, a cap and the reason, so a unit slip (a share x100) still fails. A share of
exactly 0 passes only for the countries SIPRI says have no military
(:data:`NO_MILITARY_EXPENDITURE`).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from pipeline.quality.runner import SuiteOutcome, run_suite
from pipeline.sources.sipri.workbook import COLUMNS

SHARE_GDP_MAX_PCT = 20.0
MEASURES = [
    "share_gdp_pct",
    "spending_usd_const_m",
    "spending_usd_m",
    "per_capita_usd",
    "share_govt_spending_pct",
]


@dataclass(frozen=True)
class Episode:
    country_code: str
    first_year: int
    last_year: int
    cap_pct: float
    reason: str


# Every SIPRI share of GDP above 20% in the 2024, 2025 and 2026 editions (measured), and nothing
# else. The 2026 edition needs no new episode: Ukraine 2025 (39.56%) is under its cap.
WARTIME_ALLOWLIST = (
    Episode("UKR", 2022, 2030, 45, "Russia's full-scale invasion (2022 on)"),
    Episode("KWT", 1990, 1992, 120, "Iraqi invasion and occupation; GDP collapsed"),
    Episode("ERI", 1993, 2003, 40, "Independence and the Eritrean-Ethiopian war (1998-2000)"),
    Episode("ISR", 1967, 1985, 35, "Six-Day, attrition and Yom Kippur wars and aftermath"),
    Episode("JOR", 1959, 1970, 30, "Arab-Israeli wars of 1967 and after"),
    Episode("AGO", 1987, 1988, 25, "Civil war; Battle of Cuito Cuanavale"),
    Episode("LBR", 1994, 1994, 30, "First Liberian civil war"),
    Episode("OMN", 1975, 1978, 30, "End of the Dhofar rebellion"),
    Episode("QAT", 1985, 1985, 30, "Iran-Iraq war in the Gulf"),
    Episode("SOM", 1986, 1986, 30, "Siad Barre regime's war footing before the civil war"),
)


@dataclass(frozen=True)
class NoMilitary:
    country_code: str
    first_year: int
    evidence: str


# Countries SIPRI records as having no military expenditure. From the 2026 edition SIPRI prints
# their share of GDP as 0 (Costa Rica and Iceland 1949 on, Panama 2000 on; earlier editions printed
# "..."). For them, and only them, an exact 0 passes the "share > 0" rule; any other value is
# checked as usual. Evidence: the footnotes of the 2026 edition, quoted.
NO_MILITARY_EXPENDITURE = (
    NoMilitary("CRI", 1949, "37: Costa Rica has no armed forces and thus no military spending."),
    NoMilitary(
        "ISL",
        1949,
        "86: Iceland does not have a standing army/military and thus has no military expenditure.",
    ),
    NoMilitary(
        "PAN",
        1990,
        "43: The Panamanian defence forces were disbanded in 1990 ... Panama is marked as one of "
        "the three countries (the other two being Costa Rica and Iceland) ... as having no "
        "military expenditure.",
    ),
)


def validation_view(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame plus rule columns: shares off the allowlists, and allowlisted excess over cap."""
    view = frame.copy()
    is_share = view["measure"] == "share_gdp_pct"
    no_military = pd.Series(False, index=view.index)
    for entry in NO_MILITARY_EXPENDITURE:
        no_military |= (
            is_share
            & (view["country_code"] == entry.country_code)
            & (view["year"] >= entry.first_year)
            & (view["value"] == 0)
        )
    cap = pd.Series(float("nan"), index=view.index)
    for episode in WARTIME_ALLOWLIST:
        hit = (
            is_share
            & (view["country_code"] == episode.country_code)
            & view["year"].between(episode.first_year, episode.last_year)
        )
        cap[hit] = episode.cap_pct
    allowlisted = cap.notna()
    view["share_gdp_value"] = view["value"].where(is_share & ~allowlisted & ~no_military)
    view["allowlisted_share_over_cap"] = (view["value"] - cap).where(allowlisted)
    view["money_value"] = view["value"].where(view["measure"].str.contains("usd"))
    view["share_govt_value"] = view["value"].where(view["measure"] == "share_govt_spending_pct")
    return view


def expectations(e) -> list:
    """The suite's expectations, built from the ``gx.expectations`` module ``e``."""
    extra = ["share_gdp_value", "allowlisted_share_over_cap", "money_value", "share_govt_value"]
    return [
        e.ExpectTableColumnsToMatchSet(column_set=[*COLUMNS, *extra], exact_match=True),
        e.ExpectTableRowCountToBeBetween(min_value=10_000),
        *[
            e.ExpectColumnValuesToNotBeNull(column=c)
            for c in ("release_id", "country_name", "year", "measure", "value", "cell", "region")
        ],
        e.ExpectColumnValuesToBeInSet(column="measure", value_set=MEASURES),
        e.ExpectColumnValuesToBeBetween(column="year", min_value=1949, max_value=2100),
        e.ExpectColumnValuesToMatchRegex(column="country_code", regex=r"^[A-Z]{3}$"),
        e.ExpectCompoundColumnsToBeUnique(
            column_list=["release_id", "country_name", "year", "measure"]
        ),
        e.ExpectColumnValuesToBeBetween(
            column="share_gdp_value", min_value=0, max_value=SHARE_GDP_MAX_PCT, strict_min=True
        ),
        e.ExpectColumnValuesToBeBetween(column="allowlisted_share_over_cap", max_value=0),
        e.ExpectColumnValuesToBeBetween(column="money_value", min_value=0),
        e.ExpectColumnValuesToBeBetween(column="share_govt_value", min_value=0, max_value=100),
    ]


SUITE_NAME = "raw__sipri__military_expenditure"


def validate_sipri_frame(frame: pd.DataFrame, docs_root=None) -> SuiteOutcome:
    """Run the suite on a parsed SIPRI frame (as read back from the build warehouse)."""
    return run_suite(SUITE_NAME, validation_view(frame), expectations, docs_root)
