"""GX suites on the dbt relations (staging and marts): one suite per relation that has a grain.

Who checks what, once: each relation's grain is declared in its dbt model's ``config.meta.grain``
and checked here (keys unique and never NULL), read from the dbt manifest, so every mart gets a
suite; the dbt tests keep the other not-NULL columns of staging, references and accepted values,
and the marts' enforced dbt contracts their other not-NULL columns and every type. The rules
below add what dbt tests do not: plausible ranges, row counts, one release per latest-release
mart, and the caveats. ``blocking`` suites stop the publish when they fail (a failure would
publish wrong numbers); the others are caveats, reported as warnings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from pipeline.quality.runner import SuiteOutcome, prepare, run_suite
from pipeline.quality.thresholds import NATO_SHARE_GDP_PCT, PCT, POSITIVE
from pipeline.reference import target_threshold_pct
from pipeline.warehouse.dbt_manifest import project_grains

Range = tuple[float | None, float | None]


@dataclass(frozen=True)
class Rules:
    """What a relation's suite checks beyond its grain."""

    ranges: dict[str, Range] = field(default_factory=dict)
    min_rows: int = 1
    single_valued: tuple[str, ...] = ()  # e.g. one release_id in a latest-release mart
    blocking: bool = True
    description: str = ""
    # The source every row comes from: with none of its releases at hand (files kept out of git
    # that could not be fetched), the relation is empty and its check warns instead of failing.
    source: str | None = None


@dataclass(frozen=True)
class RelationSuite:
    relation: str  # schema.table
    keys: tuple[str, ...]  # the grain, from the dbt manifest
    rules: Rules = Rules()

    @property
    def name(self) -> str:
        """The GX suite's name, derived from the relation: ``marts__fct_target_status``."""
        return self.relation.replace(".", "__")

    @property
    def check_name(self) -> str:
        return check_name(self.relation)

    @property
    def blocking(self) -> bool:
        return self.rules.blocking

    @property
    def description(self) -> str:
        return self.rules.description

    def expectations(self, e) -> list:
        return [
            e.ExpectTableRowCountToBeBetween(min_value=self.rules.min_rows),
            e.ExpectCompoundColumnsToBeUnique(column_list=list(self.keys))
            if len(self.keys) > 1
            else e.ExpectColumnValuesToBeUnique(column=self.keys[0]),
            *[e.ExpectColumnValuesToNotBeNull(column=c) for c in self.keys],
            *[
                e.ExpectColumnValuesToBeBetween(column=c, min_value=low, max_value=high)
                for c, (low, high) in self.rules.ranges.items()
            ],
            *[
                e.ExpectColumnUniqueValueCountToBeBetween(column=c, min_value=1, max_value=1)
                for c in self.rules.single_valued
            ],
        ]

    def prepare(self, docs_root) -> None:
        """Save the suite under ``docs_root`` ahead of its validation (:func:`runner.prepare`)."""
        prepare(docs_root, self.name, self.expectations)

    def validate(self, frame: pd.DataFrame, docs_root=None) -> SuiteOutcome:
        """Run the suite; the data docs are built by the step that runs every relation suite, at
        its end (``gx_relations``), failed or not: a failed suite does not stop that step."""
        return run_suite(self.name, frame, self.expectations, docs_root, docs_on_failure=False)


def check_name(relation: str) -> str:
    """The Dagster asset check's name for a relation's GX suite: ``gx_<table>`` (the check hangs
    on the asset ``<schema>/<table>``, so the table names it)."""
    return f"gx_{relation.split('.')[-1]}"


GAPS = {f"gap_to_{t}_{u}": POSITIVE for t in ("2pct", "3_5pct", "5pct") for u in ("pp", "usd_m")}

RULES: dict[str, Rules] = {
    "staging.stg_nato__defence_expenditure": Rules(min_rows=1000),
    "staging.stg_sipri__military_expenditure": Rules(min_rows=10_000, source="sipri"),
    "marts.dim_country": Rules(min_rows=32),
    "marts.dim_release": Rules(),
    "marts.fct_defence_expenditure": Rules(
        ranges={
            "share_gdp_pct": NATO_SHARE_GDP_PCT,
            "spending_usd_m": POSITIVE,
            "gdp_usd_m": POSITIVE,
            "equipment_share_pct": PCT,
            "share_of_alliance_spending_pct": PCT,
        },
        min_rows=32 * 5,
    ),
    "marts.fct_target_status": Rules(
        ranges={
            "share_gdp_pct": NATO_SHARE_GDP_PCT,
            **GAPS,
            # A gap is at most the target itself (a share of 0): thresholds from the targets seed.
            "gap_to_2pct_pp": (0.0, target_threshold_pct("wales_2pct_gdp")),
            "gap_to_5pct_pp": (0.0, target_threshold_pct("hague_5pct_total")),
        },
        min_rows=32 * 5,
        single_valued=("release_id",),
    ),
    "marts.agg_alliance_year": Rules(
        ranges={"difference_pp": (-0.01, 0.01), "allies_meeting_2pct": (0, 32)},
        description="recomputed aggregates reconcile with NATO's within 0.01 pp",
    ),
    "marts.agg_cohort_year": Rules(ranges={"share_gdp_pct_weighted": NATO_SHARE_GDP_PCT}),
    "marts.fct_path_to_2035": Rules(
        ranges={
            "required_pp_per_year_to_3_5pct": (0.0, 1.0),
            "required_pp_per_year_to_5pct": (0.0, 1.0),
        },
        min_rows=32,
    ),
    "marts.fct_two_percent_milestones": Rules(min_rows=32),
    "staging.stg_imf_weo__gdp": Rules(
        ranges={"real_gdp_growth_pct": (-15.0, 15.0), "gdp_usd_bn": POSITIVE},
        min_rows=32 * 8,
        source="imf_weo",
    ),
    "marts.fct_spending_path_2035": Rules(
        ranges={
            "projected_gdp_usd_const_m": POSITIVE,
            "share_path_3_5pct": NATO_SHARE_GDP_PCT,
            "share_path_5pct": NATO_SHARE_GDP_PCT,
            "spending_path_3_5pct_usd_const_m": POSITIVE,
            "real_gdp_growth_pct": (-15.0, 15.0),
        },
        min_rows=31 * 10,
    ),
    "marts.agg_path_to_2035": Rules(
        ranges={
            "spending_increase_needed_3_5pct_usd_const_m": POSITIVE,
            "spending_increase_needed_5pct_usd_const_m": POSITIVE,
        },
        min_rows=7,
    ),
    "marts.fct_sipri_expenditure": Rules(
        ranges={"share_gdp_pct": (0.0, 120.0), "share_govt_spending_pct": PCT},
        min_rows=10_000,
        source="sipri",
    ),
    "marts.fct_revisions": Rules(
        ranges={"revision_pp": (-2.0, 2.0)},
        blocking=False,
        description="a revision above 2 pp is worth a look (Bulgaria 2019: +1.53 pp, a jet deal)",
    ),
    "marts.fct_nato_vs_sipri": Rules(
        ranges={"difference_pp": (-1.0, 1.0)},
        blocking=False,
        description="NATO and SIPRI disagreeing by more than 1 pp is a caveat, not an error",
    ),
}


def empty_by_absence(sources_missing: set[str]) -> set[str]:
    """The relations that are empty, rightly, because every row would come from a source none of
    whose releases is at hand (``sources_missing``)."""
    return {relation for relation, rules in RULES.items() if rules.source in sources_missing}


def build_suites(grains: dict[str, tuple[str, ...]], rules: dict[str, Rules]) -> tuple:
    """One suite per relation with a grain; rules for a relation without one are an error."""
    orphans = sorted(set(rules) - set(grains))
    if orphans:
        raise ValueError(f"GX rules for relations without a grain in the dbt manifest: {orphans}")
    return tuple(
        RelationSuite(r, keys, rules.get(r, Rules())) for r, keys in sorted(grains.items())
    )


def __getattr__(name: str) -> Any:
    """``SUITES`` is built from the dbt manifest when first used, not at import."""
    if name == "SUITES":
        return build_suites(project_grains(), RULES)
    raise AttributeError(name)
