"""What each Dagster check runs: read the relation, run its suite, return the outcome and the row
count. No Dagster here; ``pipeline/defs/checks.py`` turns the outcome into the check result.

In a run these functions execute in the run's GX process (``pipeline/defs/gx_worker.py``), which
imports GX first thing: every argument and result crosses between processes, so they are paths,
names and outcomes, never open connections.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.quality.imf_weo_suite import validate_weo_frame
from pipeline.quality.nato_suite import validate_nato_frame
from pipeline.quality.relation_suites import SUITES
from pipeline.quality.runner import SuiteOutcome
from pipeline.quality.sipri_suite import validate_sipri_frame
from pipeline.warehouse.build import read_table

_SUITES = {suite.relation: suite for suite in SUITES}


def nato_gate(
    build_db: Path, table: str, complete_releases: set[str], docs_root: Path
) -> tuple[SuiteOutcome, int]:
    frame = read_table(build_db, "raw", table)
    return validate_nato_frame(frame, complete_releases, docs_root), len(frame)


def sipri_gate(build_db: Path, table: str, docs_root: Path) -> tuple[SuiteOutcome, int]:
    frame = read_table(build_db, "raw", table)
    return validate_sipri_frame(frame, docs_root), len(frame)


def weo_gate(build_db: Path, table: str, docs_root: Path) -> tuple[SuiteOutcome, int]:
    frame = read_table(build_db, "raw", table)
    return validate_weo_frame(frame, docs_root), len(frame)


def relation_gate(build_db: Path, relation: str, docs_root: Path) -> tuple[SuiteOutcome, int]:
    frame = read_table(build_db, *relation.split("."))
    return _SUITES[relation].validate(frame, docs_root), len(frame)


def prepare_relation_suites(docs_root: Path) -> None:
    """Save every relation suite under ``docs_root`` before dbt has built the relations: their
    expectations depend on the rules and the dbt manifest only, so the relations step that follows
    the dbt build only validates."""
    for suite in SUITES:
        suite.prepare(docs_root)
