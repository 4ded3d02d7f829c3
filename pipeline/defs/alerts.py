"""Someone hears of a failed run: a run-failure sensor that posts to a webhook.

A deployment runs unattended; a failed refresh must reach a person, not wait in the UI. When
``DEFENCE_ALERT_WEBHOOK_URL`` is set, every failed run of this code location is posted there as a
short JSON message: run id, job, the first error (the project's message first, its cause after,
:mod:`pipeline.defs.failures`), the time, and a one-line ``text`` that Slack, Mattermost and
Teams-style incoming webhooks display as is. Unset, the sensor does nothing. The sensor runs in the
Dagster daemon (``python -m pipeline daemon`` or ``ui``); a webhook that cannot be reached fails the
sensor's tick, which the UI shows, and the next tick tries the same run again.
"""

from __future__ import annotations

import json
import os
import urllib.request
from datetime import UTC, datetime

import dagster as dg

from pipeline import paths
from pipeline.defs import REFRESH_JOB
from pipeline.defs.failures import first_error
from pipeline.defs.publish import PUBLISHED

WEBHOOK_ENV = "DEFENCE_ALERT_WEBHOOK_URL"
TIMEOUT_S = 10


def failure_message(context: dg.RunFailureSensorContext) -> dict:
    """The JSON body posted for one failed run."""
    run = context.dagster_run
    events = [*context.get_step_failure_events(), context.failure_event]
    error = first_error(events) or "run failed"
    record = context.instance.get_run_record_by_id(run.run_id)
    ended = record.end_time if record is not None and record.end_time else None
    when = datetime.fromtimestamp(ended, UTC) if ended else datetime.now(UTC)
    stamp = when.isoformat(timespec="seconds")
    headline = f"Defence warehouse: {run.job_name} run {run.run_id} failed at {stamp}"
    return {
        "text": f"{headline}: {error.splitlines()[0]}",
        "run_id": run.run_id,
        "job": run.job_name,
        "error": error,
        "time": stamp,
    }


def post_json(url: str, body: dict) -> int:
    """POST ``body`` as JSON to ``url``; returns the HTTP status (raises on an HTTP error)."""
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode("utf-8"),
        headers={"Content-Type": "application/json", "User-Agent": "defence-warehouse-alerts"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:  # noqa: S310 (operator URL)
        return response.status


def published_after_failure(context: dg.RunFailureSensorContext) -> dg.AssetObservation:
    """An observation on the published warehouse after a failed refresh: the attempt failed, and
    whether the file analysts read was left as it was (it was, unless the failure came after the
    rename), so the UI does not leave them reading red marts as bad data."""
    run = context.dagster_run
    error = first_error([*context.get_step_failure_events(), context.failure_event]) or "failed"
    record = context.instance.get_run_record_by_id(run.run_id)
    started = record.start_time if record is not None and record.start_time else None
    target = paths.published_db()
    if not target.exists():
        state, published = "nothing is published yet", None
    else:
        published = target.stat().st_mtime
        replaced = started is not None and published >= started
        state = (
            "the run replaced the published warehouse before it failed"
            if replaced
            else "the published warehouse is unchanged, as its latest materialization describes "
            "it (releases, checks passed at publish)"
        )
    stamp = (
        datetime.fromtimestamp(published, UTC).isoformat(timespec="seconds") if published else ""
    )
    return dg.AssetObservation(
        asset_key=PUBLISHED,
        description=f"Last attempt, run {run.run_id}, failed: {state}.",
        metadata={
            "last_attempt": dg.MetadataValue.text(f"run {run.run_id} failed"),
            "last_attempt_error": dg.MetadataValue.text(error),
            "published_warehouse": dg.MetadataValue.text(state),
            **({"published_at": dg.MetadataValue.text(stamp)} if stamp else {}),
        },
    )


def send_alert(context: dg.RunFailureSensorContext):
    """The sensor's body: note on the published warehouse that a refresh failed and what that
    left published; post the failed run when a webhook URL is set."""
    if context.dagster_run.job_name == REFRESH_JOB:
        context.instance.report_runless_asset_event(published_after_failure(context))
    url = os.environ.get(WEBHOOK_ENV, "").strip()
    if not url:
        return dg.SkipReason(f"{WEBHOOK_ENV} is not set: no alert sent")
    body = failure_message(context)
    status = post_json(url, body)
    context.log.info("posted failure of run %s to the webhook (HTTP %s)", body["run_id"], status)
    return None


def build_alert_sensor(minimum_interval_seconds: int = 30) -> dg.SensorDefinition:
    """The run-failure sensor, running by default so an unattended deployment alerts at once."""
    return dg.run_failure_sensor(
        name="alert_on_run_failure",
        minimum_interval_seconds=minimum_interval_seconds,
        description=f"Post every failed run to the webhook in {WEBHOOK_ENV} (nothing when unset).",
        default_status=dg.DefaultSensorStatus.RUNNING,
    )(send_alert)


alert_on_run_failure = build_alert_sensor()


defs = dg.Definitions(sensors=[alert_on_run_failure])
