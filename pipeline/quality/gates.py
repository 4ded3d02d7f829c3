"""What the GX worker runs for each Dagster check: read the relation, run its suite, return the
outcome and the row count (:mod:`pipeline.worker`). No Dagster here; ``pipeline/defs/
checks.py`` turns the outcome into the check result."""

from __future__ import annotations

from pathlib import Path

from pipeline.quality import nato_suite, sipri_suite
from pipeline.quality.nato_suite import validate_nato_frame
from pipeline.quality.relation_suites import SUITES
from pipeline.quality.runner import SuiteOutcome, prepare
from pipeline.quality.sipri_suite import validate_sipri_frame
from pipeline.warehouse.build import read_table

_SUITES = {suite.relation: suite for suite in SUITES}
RAW_SUITES = (
    (nato_suite.SUITE_NAME, nato_suite.expectations),
    (nato_suite.COVERAGE_SUITE_NAME, nato_suite.coverage_expectations),
    (sipri_suite.SUITE_NAME, sipri_suite.expectations),
)


def prepare_raw_suites(docs_root: Path) -> None:
    """The raw gates' suites, saved ahead (the worker's warm-up)."""
    prepare(RAW_SUITES, docs_root)


def prepare_relation_suites(docs_root: Path) -> None:
    """The relation suites, saved while dbt builds (the worker is idle then)."""
    prepare([(suite.name, suite.expectations) for suite in SUITES], docs_root)


def nato_gate(
    build_db: Path, table: str, complete_releases: set[str], docs_root: Path
) -> tuple[SuiteOutcome, int]:
    frame = read_table(build_db, "raw", table)
    return validate_nato_frame(frame, complete_releases, docs_root), len(frame)


def sipri_gate(build_db: Path, table: str, docs_root: Path) -> tuple[SuiteOutcome, int]:
    frame = read_table(build_db, "raw", table)
    return validate_sipri_frame(frame, docs_root), len(frame)


def relation_gate(build_db: Path, relation: str, docs_root: Path) -> tuple[SuiteOutcome, int]:
    frame = read_table(build_db, *relation.split("."))
    return _SUITES[relation].validate(frame, docs_root), len(frame)
