"""Run a GX 1.x expectation suite on a pandas DataFrame and summarise the outcome.

Validation runs on pandas frames: GX 1.24 on DuckDB through SQLAlchemy returns empty metrics
(DESIGN.md §5), so checks read the relation into pandas first. Given a ``docs_root``, the suite
runs in a file context there (one per process), which stores its result for the GX data docs
(HTML); without one (unit tests) it runs in an ephemeral context and writes nothing.
"""

from __future__ import annotations

import functools
import json
import logging
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

_LOG = logging.getLogger(__name__)


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
    docs_on_failure: bool = True,
) -> SuiteOutcome:
    """Validate ``frame`` against the expectations ``build_expectations(gx.expectations)``.

    With ``docs_root`` the result is stored in the file context there; the data docs are rebuilt
    at once when the suite fails and ``docs_on_failure`` (a failed gate stops the run before its
    last GX step, and its docs must show the failure), and otherwise once per run by
    :func:`build_docs`, called by the run's last GX step: rendering the docs after every suite
    cost about 0.2 s a suite."""
    import great_expectations as gx

    expectations = build_expectations(gx.expectations)
    docs_index = None
    if docs_root is None:
        batch_definition = _batch_definition(open_context(None), suite_name)
        batch = batch_definition.get_batch(batch_parameters={"dataframe": frame})
        suite = gx.ExpectationSuite(name=suite_name, expectations=expectations)
        result = batch.validate(suite, result_format="COMPLETE")
    else:
        result = _validate_and_store(docs_root, suite_name, expectations, frame)
        rebuild = docs_on_failure and not result.success
        docs_index = build_docs(docs_root) if rebuild else docs_index_path(docs_root)
    failures = [_describe(r, frame) for r in result.results if not r.success]
    return SuiteOutcome(suite_name, bool(result.success), len(result.results), failures, docs_index)


def prepare(docs_root: Path, name: str, build_expectations: Callable[[object], list]) -> None:
    """Save the suite ``name`` and its validation definition under ``docs_root`` now, so that
    validating it later does only the validation (the run's GX process prepares the relation
    suites while dbt builds: saving one costs about 0.1 s, most of it GX rewriting its YAML)."""
    import great_expectations as gx

    _saved_definition(docs_root, name, build_expectations(gx.expectations))


# (docs root, suite name) -> (the context, the expectations' configuration, the definition saved)
_SAVED: dict[tuple[str, str], tuple[object, str, object]] = {}


def _saved_definition(docs_root: Path, name: str, expectations: list):
    """The suite and its validation definition, saved in the file context under ``docs_root``,
    once per process while the context and the expectations stay the same."""
    import great_expectations as gx

    context = open_context(docs_root)  # a new one when the folder was removed or set aside
    configuration = json.dumps(
        [e.configuration.to_json_dict() for e in expectations], sort_keys=True, default=str
    )
    key = (str(docs_root), name)
    saved = _SAVED.get(key)
    if saved is not None and saved[0] is context and saved[1] == configuration:
        return saved[2]
    suite = gx.ExpectationSuite(name=name, expectations=expectations)
    definition = context.validation_definitions.add_or_update(  # saves the suite too
        gx.ValidationDefinition(name=name, data=_batch_definition(context, name), suite=suite)
    )
    _SAVED[key] = (context, configuration, definition)
    return definition


def _batch_definition(context, suite_name: str):
    """The suite's batch definition (the whole frame, passed at validation): found in the context
    when an earlier run added it, else added (adding one rewrites the context's YAML)."""
    try:
        return context.data_sources.get(suite_name).get_asset("frame").get_batch_definition("whole")
    except LookupError:  # no such datasource, asset or batch definition yet (KeyError included)
        return (
            context.data_sources.add_or_update_pandas(suite_name)
            .add_dataframe_asset("frame")
            .add_batch_definition_whole_dataframe("whole")
        )


def build_docs(docs_root: Path) -> Path:
    """Render the GX data docs from the results stored under ``docs_root`` (the latest of each
    suite); returns the index page. The site is rebuilt from scratch, so it never lists a page
    of an older run."""
    shutil.rmtree(_uncommitted(docs_root) / "data_docs", ignore_errors=True)
    open_context(docs_root).build_data_docs()
    return docs_index_path(docs_root)


def docs_index_path(docs_root: Path) -> Path:
    """The data docs' index page under ``docs_root`` (written by :func:`build_docs`)."""
    return _uncommitted(docs_root) / "data_docs" / "local_site" / "index.html"


def _uncommitted(docs_root: Path) -> Path:
    return Path(docs_root) / "gx" / "uncommitted"


def warm_up() -> None:
    """Import GX (about 3 s: it brings SciPy and Altair) before the first suite needs it."""
    import great_expectations  # noqa: F401


def open_context(docs_root: Path | None):
    """An ephemeral GX context (nothing written), or the file context under ``docs_root``, made
    once per process and folder: opening one reads and writes its YAML, about 0.1 s each time."""
    if docs_root is None:
        return _new_context(None)
    root = Path(docs_root)
    if not (root / "gx" / "great_expectations.yml").exists():
        _file_context.cache_clear()  # the folder was removed since (a fresh warehouse)
    return _file_context(str(root))


@functools.cache
def _file_context(root: str):
    """The file context under ``root``. One GX cannot read (a run killed while GX rewrote its YAML
    leaves it cut short, and every later run would fail on it) is moved to ``gx.unreadable/``, with
    a warning, and a new one is made: it holds only what each run writes again (the suites, their
    latest results, the data docs)."""
    Path(root).mkdir(parents=True, exist_ok=True)
    try:
        return _new_context(root)
    except Exception as exc:  # noqa: BLE001 - GX raises anything (TypeError, YAMLError...) here
        folder = Path(root) / "gx"
        if not (folder / "great_expectations.yml").exists():
            raise  # not an unreadable context: nothing to set aside
        aside = Path(root) / "gx.unreadable"
        shutil.rmtree(aside, ignore_errors=True)
        folder.rename(aside)
        _LOG.warning(
            "%s: GX could not read its file context (%s: %s); moved it to %s and made a new one",
            folder / "great_expectations.yml",
            type(exc).__name__,
            exc,
            aside,
        )
        return _new_context(root)


def _new_context(root: str | None):
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    if root is None:
        context = gx.get_context(mode="ephemeral")
    else:
        context = gx.get_context(mode="file", project_root_dir=root)
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context


def _validate_and_store(docs_root, name, expectations, frame):
    """Validate through a saved validation definition, which stores the result for the docs.

    Earlier results of the same suite are removed first, so the docs show the latest run only
    and rebuilding them does not slow down as runs accumulate."""
    definition = _saved_definition(docs_root, name, expectations)
    shutil.rmtree(_uncommitted(docs_root) / "validations" / name, ignore_errors=True)
    return definition.run(batch_parameters={"dataframe": frame}, result_format="COMPLETE")


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
