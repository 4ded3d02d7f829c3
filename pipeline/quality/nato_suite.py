"""GX suite on the parsed NATO frame: the gate between a workbook and the warehouse.

Bounds are what a defence analyst would accept for NATO allies since 2014: no ally has spent more
than 10% of GDP (the highest in the 2024 release is Poland's 4.12% in 2024e), money and GDP are
positive, category shares lie within 0-100% of defence spending.
"""

from __future__ import annotations

import pandas as pd

from pipeline.quality.runner import SuiteOutcome, run_suite
from pipeline.quality.thresholds import NATO_SHARE_GDP_PCT
from pipeline.sources.nato.frame import COLUMNS
from pipeline.sources.nato.tables import TABLES

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


# Shares must agree with 100 x constant-price spending / constant-price GDP within this many
# points. NATO's own Table 3 differs from its Tables 2/5 by up to 0.014 pp (three cells stored as
# exactly 2, see docs/data.md); a unit slip is off by far more.
SHARE_CONSISTENCY_PP = 0.05
# Releases that print every ally for every year (not a partial extract).
COMPLETE_FORMATS = ("nato_tables_xlsx", "nato_country_year_csv", "nato_wide_csv", "nato_long_csv")


def validation_view(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame plus one column per rule family (NULL where the rule does not apply), so column
    expectations apply each rule to the right rows only. Rule columns that name a problem hold a
    description of it, and the expectation is that they are NULL."""
    view = frame.copy()
    measure = view["measure"]
    view["share_gdp_value"] = view["value"].where(measure == "defence_exp_share_gdp_pct")
    view["money_value"] = view["value"].where(measure.isin(MONEY_MEASURES))
    view["category_share_value"] = view["value"].where(measure.isin(CATEGORY_SHARES))
    view["share_vs_money_gap_pp"] = _share_vs_money_gap(view)
    view["estimate_before_actual"] = _estimate_before_actual(view)
    view["year_gap"] = _year_gaps(view)
    return view


def _share_vs_money_gap(view: pd.DataFrame) -> pd.Series:
    keys = ["release_id", "country_name", "year"]
    main = view[view["table_id"] != "4"]
    wide = main.pivot_table(index=keys, columns="measure", values="value", aggfunc="first")
    needed = {"defence_exp_share_gdp_pct", "defence_exp_usd_const_m", "gdp_usd_const_m"}
    if not needed <= set(wide.columns):
        return pd.Series(float("nan"), index=view.index)
    implied = 100 * wide["defence_exp_usd_const_m"] / wide["gdp_usd_const_m"]
    gap = (wide["defence_exp_share_gdp_pct"] - implied).abs().rename("gap").reset_index()
    merged = view[keys].merge(gap, on=keys, how="left")["gap"].to_numpy()
    is_share = (view["measure"] == "defence_exp_share_gdp_pct") & (view["table_id"] == "3")
    return pd.Series(merged, index=view.index).where(is_share)


def _estimate_before_actual(view: pd.DataFrame) -> pd.Series:
    """'2019 estimate before actual 2020' when a release marks a year an estimate but a later
    year not: estimates belong to a release's newest years only."""
    actual = ~view["is_estimate"].fillna(True).astype(bool)  # unknown (NULL) is not an actual
    last_actual = view["year"].where(actual).groupby(view["release_id"]).transform("max")
    bad = view["is_estimate"].fillna(False).astype(bool) & (view["year"] < last_actual)
    text = (
        view["year"].astype(str)
        + " estimate before actual "
        + last_actual.astype("Int64").astype(str)
    )
    return text.where(bad)


def _year_gaps(view: pd.DataFrame) -> pd.Series:
    """Describe a series (release x table x section x country x measure) whose years skip one."""
    series = view[view["table_id"] != "4"]  # Table 4 prints two years only, by design
    keys = ["release_id", "table_id", "section", "country_name", "measure"]
    years = series.groupby(keys, dropna=False)["year"].agg(["min", "max", "nunique"])
    gaps = years[years["nunique"] != years["max"] - years["min"] + 1]
    if gaps.empty:
        return pd.Series(None, index=view.index, dtype="object")
    labels = (
        gaps["min"].astype(str)
        + "-"
        + gaps["max"].astype(str)
        + " with "
        + (gaps["max"] - gaps["min"] + 1 - gaps["nunique"]).astype(str)
        + " year(s) missing"
    )
    merged = view[keys].merge(labels.rename("gap").reset_index(), on=keys, how="left")
    return pd.Series(merged["gap"].to_numpy(), index=view.index, dtype="object")


def coverage_view(frame: pd.DataFrame, allies: pd.DataFrame, complete: set[str]) -> pd.DataFrame:
    """One row per complete release x ally with armed forces x year it was a member: the ally's
    share of GDP is printed, or ``missing_share`` names what is missing. A blank cell counts as
    printed only in an estimate year: NATO leaves an estimate out when it has none (Germany 2025e
    in the August 2025 edition), which is unknown, not missing; a blank actual is a broken file."""
    shares = frame[
        (frame["measure"] == "defence_exp_share_gdp_pct")
        & (frame["table_id"] == "3")
        & (frame["value"].notna() | frame["is_estimate"].fillna(False).astype(bool))
    ]
    rows = []
    for release_id in sorted(complete & set(frame["release_id"])):
        years = frame.loc[frame["release_id"] == release_id, "year"]
        for ally in allies[allies["has_armed_forces"]].itertuples():
            for year in range(max(int(years.min()), ally.accession_year), int(years.max()) + 1):
                rows.append((release_id, ally.country_code, year))
    expected = pd.DataFrame(rows, columns=["release_id", "country_code", "year"])
    present = shares[["release_id", "country_code", "year"]].drop_duplicates().assign(found=True)
    merged = expected.merge(present, how="left", on=["release_id", "country_code", "year"])
    label = (
        merged["country_code"]
        + " "
        + merged["year"].astype(str)
        + " ("
        + merged["release_id"]
        + ", "
        + merged["release_id"].map(_share_files(frame))
        + ")"
    )
    merged["missing_share"] = label.where(merged["found"].isna())
    return merged.drop(columns="found")


def _share_files(frame: pd.DataFrame) -> dict[str, str]:
    """Per release, the file(s) its shares of GDP come from (Table 3's shares, else every file of
    the release), so a coverage failure names the file to open, not only the release."""
    table3 = frame[(frame["table_id"] == "3") & (frame["measure"] == "defence_exp_share_gdp_pct")]
    files = {}
    for release_id, rows in frame.groupby("release_id"):
        source = table3.loc[table3["release_id"] == release_id, "source_file"]
        names = source if not source.empty else rows["source_file"]
        files[release_id] = ", ".join(sorted({str(n) for n in names.dropna()})) or "no file"
    return files


def expectations(e) -> list:
    """The suite's expectations, built from the ``gx.expectations`` module ``e``."""
    measures = sorted({m.measure for t in TABLES.values() for m in (*t.sections, *t.columns)})
    rule_columns = [
        "share_gdp_value",
        "money_value",
        "category_share_value",
        "share_vs_money_gap_pp",
        "estimate_before_actual",
        "year_gap",
    ]
    return [
        e.ExpectTableColumnsToMatchSet(column_set=[*COLUMNS, *rule_columns], exact_match=True),
        e.ExpectTableRowCountToBeBetween(min_value=100),
        *[
            e.ExpectColumnValuesToNotBeNull(column=c)
            for c in ("release_id", "table_id", "country_name", "year", "measure", "cell")
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
            column="share_gdp_value",
            min_value=NATO_SHARE_GDP_PCT[0],
            max_value=NATO_SHARE_GDP_PCT[1],
        ),
        e.ExpectColumnValuesToBeBetween(column="money_value", min_value=0, strict_min=True),
        e.ExpectColumnValuesToBeBetween(column="category_share_value", min_value=0, max_value=100),
        e.ExpectColumnValuesToBeBetween(
            column="share_vs_money_gap_pp", max_value=SHARE_CONSISTENCY_PP
        ),
        e.ExpectColumnValuesToBeNull(column="estimate_before_actual"),
        e.ExpectColumnValuesToBeNull(column="year_gap"),
    ]


def coverage_expectations(e) -> list:
    return [e.ExpectColumnValuesToBeNull(column="missing_share")]


SUITE_NAME = "raw__nato__defence_expenditure"
COVERAGE_SUITE_NAME = "raw__nato__defence_expenditure__coverage"


def validate_nato_frame(
    frame: pd.DataFrame, complete_releases: set[str] | None = None, docs_root=None
) -> SuiteOutcome:
    """Run the suite on a parsed NATO frame, and the coverage suite on its complete releases
    (default: all of them): every ally present for every year it was a member."""
    from pipeline.reference import nato_allies

    main = run_suite(SUITE_NAME, validation_view(frame), expectations, docs_root)
    complete = set(frame["release_id"]) if complete_releases is None else complete_releases
    coverage = run_suite(
        COVERAGE_SUITE_NAME,
        coverage_view(frame, nato_allies(), complete),
        coverage_expectations,
        docs_root,
    )
    return main.merge(coverage)
