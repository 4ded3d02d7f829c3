"""Run a GX 1.x expectation suite on a pandas DataFrame and summarise the outcome.

Validation runs on pandas frames: GX 1.24 on DuckDB through SQLAlchemy returns empty metrics
(DESIGN.md §5), so checks read the relation into pandas first. Given a ``docs_root``, the suite
runs through a checkpoint in a file context there, which also writes GX data docs (HTML) for the
run; without one (unit tests) it runs in an ephemeral context and writes nothing.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd


@dataclass
class SuiteOutcome:
    """What a suite found: overall success, and each failed expectation with counts and samples."""

    suite_name: str
    success: bool
    evaluated: int
    failures: list[dict] = field(default_factory=list)
    docs_index: Path | None = None

    def merge(self, other: SuiteOutcome) -> SuiteOutcome:
        """One outcome for two suites run on views of the same data."""
        return SuiteOutcome(
            f"{self.suite_name} + {other.suite_name}",
            self.success and other.success,
            self.evaluated + other.evaluated,
            self.failures + other.failures,
            self.docs_index or other.docs_index,
        )

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
    suite_name: str,
    frame: pd.DataFrame,
    build_expectations: Callable[[object], list],
    docs_root: Path | None = None,
) -> SuiteOutcome:
    """Validate ``frame`` against the expectations ``build_expectations(gx.expectations)``."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    if docs_root is None:
        context = gx.get_context(mode="ephemeral")
    else:
        docs_root.mkdir(parents=True, exist_ok=True)
        context = gx.get_context(mode="file", project_root_dir=str(docs_root))
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    batch_definition = (
        context.data_sources.add_or_update_pandas(suite_name)
        .add_dataframe_asset("frame")
        .add_batch_definition_whole_dataframe("whole")
    )
    suite = gx.ExpectationSuite(name=suite_name, expectations=build_expectations(gx.expectations))
    if docs_root is None:
        batch = batch_definition.get_batch(batch_parameters={"dataframe": frame})
        result = batch.validate(suite, result_format="COMPLETE")
        docs_index = None
    else:
        result, docs_index = _run_checkpoint(
            context, gx, suite_name, suite, batch_definition, frame
        )
    failures = [_describe(r, frame) for r in result.results if not r.success]
    return SuiteOutcome(suite_name, bool(result.success), len(result.results), failures, docs_index)


def _run_checkpoint(context, gx, name, suite, batch_definition, frame):
    """Validate through a checkpoint that updates the data docs; returns (result, docs index).

    Earlier results of the same suite are removed first, so the docs show the latest run only
    and rebuilding them does not slow down as runs accumulate."""
    root = Path(context.root_directory) / "uncommitted"
    for folder in (root / "validations" / name, root / "data_docs/local_site/validations" / name):
        shutil.rmtree(folder, ignore_errors=True)
    suite = context.suites.add_or_update(suite)
    definition = context.validation_definitions.add_or_update(
        gx.ValidationDefinition(name=name, data=batch_definition, suite=suite)
    )
    checkpoint = context.checkpoints.add_or_update(
        gx.Checkpoint(
            name=name,
            validation_definitions=[definition],
            actions=[gx.checkpoint.UpdateDataDocsAction(name="data_docs")],
            result_format="COMPLETE",
        )
    )
    run = checkpoint.run(batch_parameters={"dataframe": frame})
    (result,) = run.run_results.values()
    site = context.get_docs_sites_urls()[0]["site_url"]
    return result, Path(site.removeprefix("file://"))


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
