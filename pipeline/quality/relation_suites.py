"""GX suites on the dbt relations (staging and marts): one declarative spec per relation.

Each spec says what an analyst relies on: the grain (keys unique and not null), columns never
NULL, and plausible ranges. ``blocking`` specs stop the publish when they fail (a failure would
publish wrong numbers); the others are caveats, reported as warnings.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from pipeline.quality.runner import SuiteOutcome, run_suite

PCT = (0.0, 100.0)


@dataclass(frozen=True)
class RelationSuite:
    relation: str  # schema.table
    keys: tuple[str, ...]
    not_null: tuple[str, ...] = ()
    ranges: dict[str, tuple[float | None, float | None]] = field(default_factory=dict)
    min_rows: int = 1
    single_valued: tuple[str, ...] = ()  # e.g. one release_id in a latest-release mart
    blocking: bool = True
    description: str = ""

    @property
    def name(self) -> str:
        return self.relation.replace(".", "__")

    def expectations(self, e) -> list:
        return [
            e.ExpectTableRowCountToBeBetween(min_value=self.min_rows),
            e.ExpectCompoundColumnsToBeUnique(column_list=list(self.keys))
            if len(self.keys) > 1
            else e.ExpectColumnValuesToBeUnique(column=self.keys[0]),
            *[e.ExpectColumnValuesToNotBeNull(column=c) for c in (*self.keys, *self.not_null)],
            *[
                e.ExpectColumnValuesToBeBetween(column=c, min_value=low, max_value=high)
                for c, (low, high) in self.ranges.items()
            ],
            *[
                e.ExpectColumnUniqueValueCountToBeBetween(column=c, min_value=1, max_value=1)
                for c in self.single_valued
            ],
        ]

    def validate(self, frame: pd.DataFrame, docs_root=None) -> SuiteOutcome:
        return run_suite(self.name, frame, self.expectations, docs_root)


GAPS = {f"gap_to_{t}_{u}": (0.0, None) for t in ("2pct", "3_5pct", "5pct") for u in ("pp", "usd_m")}

SUITES = (
    RelationSuite(
        "staging.stg_nato__defence_expenditure",
        ("release_id", "table_id", "section", "country_name", "year", "measure"),
        not_null=("cell", "unit"),
        min_rows=1000,
    ),
    RelationSuite(
        "staging.stg_sipri__military_expenditure",
        ("release_id", "country_name", "year", "measure"),
        not_null=("value", "cell"),
        min_rows=10_000,
    ),
    RelationSuite(
        "marts.dim_country",
        ("country_code",),
        not_null=("country_name", "is_nato_ally"),
        min_rows=32,
    ),
    RelationSuite(
        "marts.dim_release",
        ("release_id",),
        not_null=("source", "release_date", "file_sha256", "is_latest"),
    ),
    RelationSuite(
        "marts.fct_defence_expenditure",
        ("country_code", "year", "release_id"),
        not_null=("is_member_in_year",),
        ranges={
            "share_gdp_pct": (0.1, 10.0),
            "spending_usd_m": (0.0, None),
            "gdp_usd_m": (0.0, None),
            "equipment_share_pct": PCT,
            "share_of_alliance_spending_pct": PCT,
        },
        min_rows=32 * 5,
    ),
    RelationSuite(
        "marts.fct_target_status",
        ("country_code", "year"),
        not_null=("release_id", "is_estimate", "has_armed_forces"),
        ranges={
            "share_gdp_pct": (0.1, 10.0),
            **GAPS,
            "gap_to_2pct_pp": (0.0, 2.0),
            "gap_to_5pct_pp": (0.0, 5.0),
        },
        min_rows=32 * 5,
        single_valued=("release_id",),
    ),
    RelationSuite(
        "marts.agg_alliance_year",
        ("aggregate_name", "year", "release_id"),
        ranges={"difference_pp": (-0.01, 0.01), "allies_meeting_2pct": (0, 32)},
        description="recomputed aggregates reconcile with NATO's within 0.01 pp",
    ),
    RelationSuite(
        "marts.agg_cohort_year",
        ("cohort_name", "year"),
        ranges={"share_gdp_pct_weighted": (0.1, 10.0)},
    ),
    RelationSuite(
        "marts.fct_path_to_2035",
        ("country_code",),
        ranges={
            "required_pp_per_year_to_3_5pct": (0.0, 1.0),
            "required_pp_per_year_to_5pct": (0.0, 1.0),
        },
        min_rows=32,
    ),
    RelationSuite("marts.fct_two_percent_milestones", ("country_code",), min_rows=32),
    RelationSuite(
        "marts.fct_sipri_expenditure",
        ("country_name", "year", "release_id"),
        ranges={"share_gdp_pct": (0.0, 120.0), "share_govt_spending_pct": PCT},
        min_rows=10_000,
    ),
    RelationSuite(
        "marts.fct_revisions",
        ("country_code", "year", "release_id_from", "release_id_to"),
        ranges={"revision_pp": (-2.0, 2.0)},
        blocking=False,
        description="a revision above 2 pp is worth a look (Bulgaria 2019: +1.53 pp, a jet deal)",
    ),
    RelationSuite(
        "marts.fct_nato_vs_sipri",
        ("country_code", "year"),
        ranges={"difference_pp": (-1.0, 1.0)},
        blocking=False,
        description="NATO and SIPRI disagreeing by more than 1 pp is a caveat, not an error",
    ),
)
