"""Run a GX 1.x expectation suite on a pandas DataFrame and summarise the outcome.

Validation runs on pandas frames in an ephemeral context: GX 1.24 on DuckDB through SQLAlchemy
returns empty metrics (DESIGN.md §5), so checks read the relation into pandas first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd


@dataclass
class SuiteOutcome:
    """What a suite found: overall success, and each failed expectation with counts and samples."""

    suite_name: str
    success: bool
    evaluated: int
    failures: list[dict] = field(default_factory=list)

    def summary(self) -> str:
        if self.success:
            return f"{self.suite_name}: all {self.evaluated} expectations passed"
        lines = [f"{self.suite_name}: {len(self.failures)} of {self.evaluated} expectations failed"]
        for failure in self.failures:
            column = failure["kwargs"].get("column") or failure["kwargs"].get("column_list", "")
            detail = failure["detail"]
            where = (
                f" in {detail.get('file', 'the frame')} at {', '.join(detail['cells'])}"
                if detail.get("cells")
                else ""
            )
            lines.append(
                f"- {failure['expectation']}({column}): "
                f"{detail.get('unexpected_count', 'failed')} unexpected{where}; "
                f"sample {detail.get('sample') or detail.get('observed_value')}"
            )
        return "\n".join(lines)


def run_suite(
    suite_name: str, frame: pd.DataFrame, build_expectations: Callable[[object], list]
) -> SuiteOutcome:
    """Validate ``frame`` against the expectations ``build_expectations(gx)`` returns."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    batch = (
        context.data_sources.add_pandas(suite_name)
        .add_dataframe_asset("frame")
        .add_batch_definition_whole_dataframe("whole")
        .get_batch(batch_parameters={"dataframe": frame})
    )
    suite = gx.ExpectationSuite(name=suite_name)
    for expectation in build_expectations(gx.expectations):
        suite.add_expectation(expectation)
    result = batch.validate(suite, result_format="COMPLETE")
    failures = [_describe(r, frame) for r in result.results if not r.success]
    return SuiteOutcome(suite_name, bool(result.success), len(result.results), failures)


def _describe(result, frame: pd.DataFrame) -> dict:
    config = result.expectation_config
    kwargs = {k: v for k, v in config.kwargs.items() if k not in ("batch_id",)}
    details = result.result or {}
    detail = {
        "unexpected_count": details.get("unexpected_count"),
        "unexpected_percent": details.get("unexpected_percent"),
        "sample": [str(v) for v in (details.get("partial_unexpected_list") or [])[:10]],
        "observed_value": str(details.get("observed_value"))[:300]
        if "observed_value" in details
        else None,
    }
    if {"sheet", "cell"} <= set(frame.columns):
        # Name the workbook cells behind the first failing rows, so the error leads to the file.
        index = (details.get("unexpected_index_list") or [])[:10]
        index = [i for i in index if isinstance(i, int) and i in frame.index]
        detail["cells"] = [f"{frame.at[i, 'sheet']}!{frame.at[i, 'cell']}" for i in index]
        if index and "source_file" in frame.columns:
            detail["file"] = str(frame.at[index[0], "source_file"])
    if result.exception_info and result.exception_info.get("raised_exception"):
        detail["exception"] = str(result.exception_info.get("exception_message"))[:300]
    return {
        "expectation": config.type,
        "kwargs": {k: str(v) for k, v in kwargs.items()},
        "detail": {k: v for k, v in detail.items() if v not in (None, [])},
    }
