"""What ``python -m pipeline run`` shows while it works, and the summary it ends with.

A Dagster logger turns step and check events into one line each on the terminal; the verbose
output (Dagster's and dbt's own logs) goes to ``data/warehouse/logs/last_run.log`` instead.
"""

from __future__ import annotations

import logging
import sys
import time

import dagster as dg

from pipeline.defs.failures import check_detail, is_warning, tally_checks

_STARTED: dict[str, float] = {}


def _label(step_key: str) -> str:
    return step_key.replace("__", "/", 1) if step_key else "run"


class ProgressHandler(logging.Handler):
    """One terminal line per step start/finish and per check result."""

    def __init__(self, stream=None):
        super().__init__(logging.DEBUG)
        self.stream = stream or sys.__stderr__

    def emit(self, record: logging.LogRecord) -> None:
        event = getattr(record, "dagster_meta", {}).get("dagster_event")
        if event is None:
            return
        line = describe(event)
        if line:
            self.stream.write(line + "\n")
            self.stream.flush()


def describe(event: dg.DagsterEvent) -> str | None:
    kind = event.event_type
    step = event.step_key or ""
    if kind == dg.DagsterEventType.STEP_START:
        _STARTED[step] = time.monotonic()
        return f"  ... {_label(step)}"
    if kind == dg.DagsterEventType.STEP_SUCCESS:
        took = time.monotonic() - _STARTED.get(step, time.monotonic())
        return f"  ok  {_label(step)} ({took:.1f} s)"
    if kind == dg.DagsterEventType.STEP_FAILURE:
        return f"  FAILED {_label(step)}"
    if kind == dg.DagsterEventType.ASSET_CHECK_EVALUATION:
        check = event.event_specific_data
        if check.passed and not check.check_name.startswith("gx_"):
            return None  # dozens of dbt tests: show only the ones that fail
        verdict = "passed" if check.passed else "WARNING" if is_warning(check) else "FAILED"
        return f"      check {check.check_name}: {verdict}"
    return None


@dg.logger(description="Concise progress lines on the terminal (python -m pipeline run).")
def progress_logger(_init_context) -> logging.Logger:
    logger = logging.getLogger("defence_progress")
    logger.setLevel(logging.DEBUG)
    logger.handlers = [ProgressHandler()]
    logger.propagate = False
    return logger


def summary(result) -> list[str]:
    """What was loaded, validated and published, from a finished run's events."""
    loaded = []
    for event in result.all_events:
        if event.event_type == dg.DagsterEventType.ASSET_MATERIALIZATION:
            materialization = event.event_specific_data.materialization
            rows = materialization.metadata.get("dagster/row_count")
            key = materialization.asset_key.to_user_string()
            if key.startswith("raw/") and rows is not None:
                loaded.append(f"{key} {rows.value:,} rows")
    checks = tally_checks(
        event.event_specific_data
        for event in result.all_events
        if event.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION
    )
    lines = [f"Loaded: {', '.join(loaded) or 'nothing'}"]
    lines.append(
        f"Validated: {checks.passed} checks passed (dbt tests and GX suites)"
        + (f", failed: {', '.join(checks.failed)}" if checks.failed else "")
        + (f", warnings (caveats, not errors): {', '.join(checks.warned)}" if checks.warned else "")
    )
    return lines


def print_outcome(result) -> None:
    """The run's summary, then each failed step, run failure and failed check, on stderr: the
    project's own error first (:func:`pipeline.defs.failures.describe`)."""
    from pipeline.defs.failures import describe

    for line in summary(result):
        print(line, file=sys.stderr)
    step_failed = any(e.is_step_failure for e in result.all_events)
    for event in result.all_events:
        if event.is_step_failure:
            error = describe(event.step_failure_data.error)
            print(f"step {event.step_key} failed: {error}", file=sys.stderr)
        if event.is_run_failure and event.event_specific_data.error is not None and not step_failed:
            print(f"run failed: {describe(event.event_specific_data.error)}", file=sys.stderr)
        check = event.event_specific_data
        if event.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION and not check.passed:
            verdict = "warning" if is_warning(check) else "failed"
            print(f"check {check.check_name} {verdict}: {check_detail(check)}", file=sys.stderr)
