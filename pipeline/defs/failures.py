"""What went wrong, in words: the project's own error first, the underlying cause after it.

Dagster wraps an asset's exception in its own (``DagsterExecutionStepExecutionError: Error occurred
while executing op ...``), and the project's errors wrap the library error they met: a file that is
not a zip archive fails as ``WorkbookLayoutError: <file>: not a readable .xlsx workbook`` caused by
``BadZipFile: File is not a zip file``. Printing the innermost error alone dropped the file name
and the rule; printing the outermost showed only Dagster's wrapper. :func:`describe` shows the
outermost error that is not Dagster's, then ``caused by:`` the innermost when it is another one.
The terminal summary (``python -m pipeline run``), ``status --check`` and the failure alert use it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

import dagster as dg

from pipeline.warehouse.lock import WarehouseBusyError


class SerializableErrorInfo(Protocol):
    """What Dagster records of an error (its ``SerializableErrorInfo``, which the public API
    hands out on failure events but does not export): read through these attributes only."""

    message: str
    cls_name: str | None
    cause: SerializableErrorInfo | None
    context: SerializableErrorInfo | None


def _chain(error: SerializableErrorInfo) -> list[SerializableErrorInfo]:
    """The error, then what caused it (``raise ... from``) or was being handled, innermost last."""
    chain = [error]
    while (nxt := chain[-1].cause or chain[-1].context) is not None and len(chain) < 50:
        chain.append(nxt)
    return chain


def _without_class(error: SerializableErrorInfo) -> str:
    """The error's message without the ``module.Class: `` Dagster puts before it."""
    text = error.message.strip()
    head, sep, rest = text.partition(": ")
    return rest if sep and head.endswith(error.cls_name or "\0") else text


def _is_dagsters(error: SerializableErrorInfo) -> bool:
    return (error.cls_name or "").startswith("Dagster")


def describe(error: SerializableErrorInfo | None) -> str:
    """``<the project's message>`` and, when the innermost error differs, ``caused by: <it>``."""
    if error is None:
        return "unknown error"
    chain = _chain(error)
    own = next((e for e in chain if not _is_dagsters(e)), chain[0])
    text = own.message.strip()
    innermost = chain[-1]
    if innermost is not own:
        text += f"\n  caused by: {innermost.message.strip()}"
    return text


def busy_error(events: Iterable[dg.DagsterEvent]) -> str | None:
    """The lock's message when the run failed because another run held the warehouse write lock
    (the lock resource raised :class:`~pipeline.warehouse.lock.WarehouseBusyError` before any step
    ran); else None."""
    for event in events:
        if event.is_run_failure or event.is_step_failure:
            error = getattr(event.event_specific_data, "error", None)
            for link in _chain(error) if error is not None else []:
                if link.cls_name == WarehouseBusyError.__name__:
                    return _without_class(link)
    return None


def check_detail(check) -> str:
    """Why a check did not pass, in words. A GX suite says it in the check's description; a dbt
    test has none (dagster-dbt leaves it empty), so its node, status and failing-row count are
    read from the metadata dagster-dbt records, with where to find the query that selects them."""
    if check.description:
        return check.description
    metadata = check.metadata or {}

    def value(key: str):
        entry = metadata.get(key)
        return getattr(entry, "value", entry)

    unique_id = value("unique_id")
    if unique_id is None:
        return "no description recorded"
    rows = value("dagster_dbt/failed_row_count")
    counted = f", {rows} failing row(s)" if rows is not None else ""
    return (
        f"dbt test {unique_id}: {value('status')}{counted} (its compiled SQL, under the run's "
        "dbt_target/compiled beside the warehouse, selects them)"
    )


def is_warning(check) -> bool:
    """A failed check of WARN severity: a caveat the data carries (a GX caveat suite, a source
    with nothing at hand), not an error; the run goes on and publishes."""
    return check.severity == dg.AssetCheckSeverity.WARN


@dataclass
class CheckTally:
    """Check evaluations counted one way wherever they are reported (the run's summary, the
    publish asset, ``status``): passed, failed (errors) and warned (caveats), by check name."""

    passed: int = 0
    failed: list[str] = field(default_factory=list)
    warned: list[str] = field(default_factory=list)


def tally_checks(evaluations: Iterable) -> CheckTally:
    """:class:`CheckTally` of Dagster's asset-check evaluations."""
    tally = CheckTally()
    for check in evaluations:
        if check.passed:
            tally.passed += 1
        else:
            (tally.warned if is_warning(check) else tally.failed).append(check.check_name)
    return tally


INTERRUPTED = "DagsterExecutionInterruptedError"  # what Dagster raises in a step it stops


def _error_of(event: dg.DagsterEvent) -> SerializableErrorInfo | None:
    data = event.event_specific_data
    return getattr(data, "error", None) if data is not None else None


def interrupted_step(events: Iterable[dg.DagsterEvent]) -> str | None:
    """The step a stop interrupted (a service stopped, SIGTERM or SIGINT to the run), when that is
    why the run failed; else None. Such a run is not a verdict on its inputs: they are tried
    again."""
    for event in events:
        if event.is_step_failure or event.is_run_failure:
            error = _error_of(event)
            if error is not None and any(e.cls_name == INTERRUPTED for e in _chain(error)):
                return event.step_key or "run"
    return None


def interruption_message(step: str) -> str:
    return (
        f"the run was interrupted during step {step}: its process was stopped (a service stop, "
        "SIGTERM or SIGINT), not failed by its data; it published nothing, and the next tick of "
        "the schedule or the sensor runs the same inputs again"
    )


def step_failures(events: Iterable[dg.DagsterEvent]) -> list[tuple[str, str]]:
    """``(step key, description)`` of every failed step, in the order they failed."""
    return [
        (event.step_key or "run", describe(event.step_failure_data.error))
        for event in events
        if event.is_step_failure
    ]


def first_error(events: Iterable[dg.DagsterEvent]) -> str | None:
    """The first failed step's error, else the run's own failure, else None; an interrupted run
    is said to be one (:func:`interrupted_step`)."""
    events = list(events)
    step = interrupted_step(events)
    if step is not None:
        return interruption_message(step)
    failed = step_failures(events)
    if failed:
        step, text = failed[0]
        return f"step {step} failed: {text}"
    for event in events:
        if event.is_run_failure:
            data = event.event_specific_data
            error = getattr(data, "error", None) if data is not None else None
            return describe(error) if error is not None else (event.message or "run failed")
    return None
