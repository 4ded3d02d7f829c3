"""The GX suites on staging and marts: pass on the warehouse the real run built, fail on breaks."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.quality.relation_suites import SUITES
from pipeline.warehouse.build import read_table

pytestmark = pytest.mark.e2e

BY_NAME = {suite.relation: suite for suite in SUITES}


@pytest.fixture(scope="module")
def build_db(published):
    return published.parent / "build.duckdb"


# The caveats the real data raises, each a warning by design: Luxembourg's 2025 core-defence
# share in NATO's July 2026 edition (2.01%) against SIPRI's 2026 edition (0.85%).
KNOWN_CAVEATS = {"marts.fct_nato_vs_sipri": [("difference_pp", 1)]}


@pytest.mark.parametrize(
    "relation",
    [pytest.param(r, marks=[pytest.mark.sipri] if "sipri" in r else []) for r in sorted(BY_NAME)],
)
def test_each_suite_passes_on_the_real_warehouse(build_db, relation):
    frame = read_table(build_db, *relation.split("."))
    outcome = BY_NAME[relation].validate(frame)
    caveats = [
        (f["kwargs"].get("column"), f["detail"]["unexpected_count"]) for f in outcome.failures
    ]
    assert caveats == KNOWN_CAVEATS.get(relation, []), outcome.summary()
    assert outcome.success or not BY_NAME[relation].blocking


def test_a_duplicated_mart_row_fails_the_grain(build_db):
    frame = read_table(build_db, "marts", "fct_defence_expenditure")
    outcome = BY_NAME["marts.fct_defence_expenditure"].validate(
        pd.concat([frame, frame.head(1)], ignore_index=True)
    )
    assert not outcome.success
    assert "expect_compound_columns_to_be_unique" in {f["expectation"] for f in outcome.failures}


def test_aggregates_that_stop_reconciling_fail(build_db):
    frame = read_table(build_db, "marts", "agg_alliance_year")
    frame.loc[0, "difference_pp"] = 0.05
    outcome = BY_NAME["marts.agg_alliance_year"].validate(frame)
    assert [f["kwargs"]["column"] for f in outcome.failures] == ["difference_pp"]


def test_caveat_suites_are_warnings_not_gates():
    assert {s.relation for s in SUITES if not s.blocking} == {
        "marts.fct_revisions",
        "marts.fct_nato_vs_sipri",
    }


def test_every_relation_with_a_grain_gets_a_suite_named_after_it():
    from pipeline.quality.relation_suites import RULES, Rules, build_suites

    assert [
        (s.relation, s.name, s.check_name) for s in SUITES if s.relation == "marts.dim_release"
    ] == [("marts.dim_release", "marts__dim_release", "gx_dim_release")]
    assert len(SUITES) == 16  # 13 marts and 3 staging models declare a grain
    with pytest.raises(ValueError, match="marts.fct_gone"):
        build_suites({}, {**RULES, "marts.fct_gone": Rules()})
