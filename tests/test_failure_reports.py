"""Failures say what went wrong, and someone hears of it.

- The terminal names the project's error (file, rule) first and the library's cause after it.
- The failure sensor posts a failed run to a webhook (an http.server on 127.0.0.1 here).
- ``status --check`` exits 1 when the last refresh failed or the warehouse is stale.
"""

import http.server
import json
import os
import shutil
import threading
import time
import zipfile

import dagster as dg
import pytest
from dagster._core.definitions.run_request import InstigatorType
from dagster._core.remote_origin import (
    RegisteredCodeLocationOrigin,
    RemoteInstigatorOrigin,
    RemoteRepositoryOrigin,
)
from dagster._core.scheduler.instigation import (
    InstigatorState,
    InstigatorStatus,
    ScheduleInstigatorData,
    TickData,
    TickStatus,
)
from dagster._utils.error import SerializableErrorInfo

from pipeline import paths
from pipeline.cli import main as cli
from pipeline.defs import REFRESH_JOB
from pipeline.defs.alerts import WEBHOOK_ENV, alert_on_run_failure
from pipeline.defs.failures import check_detail, describe
from pipeline.sources.workbook import WorkbookLayoutError
from tests.conftest import run_pipeline, stage_release

BAD_ZIP = "zipfile.BadZipFile: File is not a zip file\n"
LAYOUT = "pipeline.sources.workbook.WorkbookLayoutError: a.xlsx: not a readable .xlsx workbook\n"
WRAPPER = 'dagster._core.errors.DagsterExecutionStepExecutionError: Error in op "raw":\n'


def _error(message, cls_name, cause=None, context=None):
    return SerializableErrorInfo(message, [], cls_name, cause=cause, context=context)


def test_the_projects_error_comes_first_and_the_innermost_cause_after_it():
    inner = _error(BAD_ZIP, "BadZipFile")
    chain = _error(WRAPPER, "DagsterExecutionStepExecutionError", _error(LAYOUT, "X", inner))
    assert describe(chain) == LAYOUT.strip() + "\n  caused by: " + BAD_ZIP.strip()
    # `raise` inside `except` (no `from`) chains by context: the same rule applies.
    by_context = _error(WRAPPER, "DagsterX", context=_error(LAYOUT, "X", context=inner))
    assert describe(by_context) == describe(chain)
    assert describe(_error(LAYOUT, "X")) == LAYOUT.strip()  # no cause: no "caused by"
    assert describe(_error(WRAPPER, "DagsterX")) == WRAPPER.strip()  # only Dagster's: shown


@pytest.mark.slow
def test_a_file_that_is_not_a_zip_archive_fails_naming_the_file_first(tmp_path):
    """NATO's folder alone: the other sources' steps (parse, gates) have nothing to do with it."""
    raw = tmp_path / "raw"
    shutil.copytree(paths.raw_dir() / "nato", raw / "nato")
    page = tmp_path / "saved.xlsx"
    page.write_bytes(b"<html><body>502 Bad Gateway</body></html>")
    target = stage_release(raw, page)
    result = run_pipeline(tmp_path, tmp_path / "warehouse", raw)
    assert result.returncode == 1, result.stderr[-3000:]
    failure = result.stderr[result.stderr.index("step raw__nato__defence_expenditure failed:") :]
    first, second = failure.splitlines()[:2]
    assert first.endswith(
        f"WorkbookLayoutError: {target}: not a readable .xlsx workbook (File is not a zip file)"
    )
    assert second == "  caused by: zipfile.BadZipFile: File is not a zip file"


def test_a_failed_dbt_test_is_named_with_its_failing_rows_not_none():
    """dagster-dbt records a dbt test's evaluation without a description; the terminal used to
    print ``check <name> failed: None``. GX suites keep their own words."""
    unique_id = "test.defence_warehouse.relationships_fct_target_status_country_code.abc123"
    dbt_test = dg.AssetCheckEvaluation(
        asset_key=dg.AssetKey(["marts", "fct_target_status"]),
        check_name="relationships_fct_target_status_country_code",
        passed=False,
        metadata={"unique_id": unique_id, "status": "fail", "dagster_dbt/failed_row_count": 3},
    )
    assert check_detail(dbt_test) == (
        f"dbt test {unique_id}: fail, 3 failing row(s) (its compiled SQL, under the run's "
        "dbt_target/compiled beside the warehouse, selects them)"
    )
    gx = dg.AssetCheckEvaluation(
        asset_key=dg.AssetKey(["marts", "dim_country"]),
        check_name="gx_dim_country",
        passed=False,
        description="marts__dim_country: 1 of 9 expectations failed",
    )
    assert check_detail(gx) == "marts__dim_country: 1 of 9 expectations failed"


class _Hook(http.server.BaseHTTPRequestHandler):
    received: list[dict] = []

    def do_POST(self):  # noqa: N802 (http.server's naming)
        self.received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def webhook():
    _Hook.received = []
    server = http.server.HTTPServer(("127.0.0.1", 0), _Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/alerts", _Hook.received
    server.shutdown()


class Outcome(dg.Config):
    fail: bool = False
    interrupted: bool = False


@dg.op
def load_workbook(config: Outcome) -> None:
    if config.interrupted:  # what Dagster raises in a step whose run is stopped
        raise dg.DagsterExecutionInterruptedError("stopped")
    if config.fail:
        try:
            zipfile.ZipFile(__file__)
        except zipfile.BadZipFile as exc:
            raise WorkbookLayoutError("a.xlsx: not a readable .xlsx workbook") from exc


@dg.job(name=REFRESH_JOB)
def stand_in_refresh():
    load_workbook()


def _run(
    instance, fail: bool, interrupted: bool = False, tags: dict | None = None
) -> dg.ExecuteInProcessResult:
    config = {"ops": {"load_workbook": {"config": {"fail": fail, "interrupted": interrupted}}}}
    return stand_in_refresh.execute_in_process(
        run_config=config, instance=instance, raise_on_error=False, tags=tags
    )


def _failure_context(instance, result) -> dg.RunFailureSensorContext:
    event = next(e for e in result.all_events if e.is_run_failure)
    return dg.build_run_status_sensor_context(
        sensor_name=alert_on_run_failure.name,
        dagster_event=event,
        dagster_instance=instance,
        dagster_run=result.dagster_run,
    ).for_run_failure()


def test_a_failed_run_is_posted_to_the_webhook(monkeypatch, webhook):
    with dg.DagsterInstance.ephemeral() as instance:
        result = _run(instance, fail=True)
        context = _failure_context(instance, result)
        monkeypatch.delenv(WEBHOOK_ENV, raising=False)
        assert isinstance(alert_on_run_failure(context), dg.SkipReason)  # no URL: nothing sent
        assert webhook[1] == []
        monkeypatch.setenv(WEBHOOK_ENV, webhook[0])
        alert_on_run_failure(context)
    (alert,) = webhook[1]
    assert alert["run_id"] == result.run_id and alert["job"] == REFRESH_JOB
    assert alert["error"] == (
        "step load_workbook failed: " + LAYOUT.strip() + "\n  caused by: " + BAD_ZIP.strip()
    )
    assert alert["time"].endswith("+00:00")
    assert alert["text"].startswith(f"Defence warehouse: {REFRESH_JOB} run {result.run_id} failed")


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("DEFENCE_WAREHOUSE_DIR", str(tmp_path / "warehouse"))
    (tmp_path / "home").mkdir()
    shutil.copyfile(paths.DAGSTER_CONFIG_FILE, tmp_path / "home" / "dagster.yaml")
    (tmp_path / "warehouse").mkdir()
    return tmp_path


def _check(capsys, *extra) -> tuple[int, str]:
    code = cli.main(["status", "--check", *extra])
    return code, capsys.readouterr().out


def test_status_check_fails_on_a_failed_refresh_and_passes_after_a_good_one(home, capsys):
    paths.published_db().write_bytes(b"published")
    with dg.DagsterInstance.from_config(str(home / "home")) as instance:
        failed = _run(instance, fail=True)
    code, out = _check(capsys)
    assert code == 1
    assert (
        f"FAIL: the last run of {REFRESH_JOB} ({failed.run_id}) failed: step load_workbook" in out
    )
    assert "WorkbookLayoutError: a.xlsx: not a readable .xlsx workbook" in out
    with dg.DagsterInstance.from_config(str(home / "home")) as instance:
        _run(instance, fail=False)
    code, out = _check(capsys)
    assert code == 0 and out.rstrip().endswith("OK"), out


def test_status_check_fails_when_the_warehouse_is_stale(home, capsys, monkeypatch):
    code, out = _check(capsys)
    assert code == 1 and "FAIL: no published warehouse" in out
    target = paths.published_db()
    target.write_bytes(b"published")
    ten_days_ago = time.time() - 10 * 86400
    os.utime(target, (ten_days_ago, ten_days_ago))
    code, out = _check(capsys)
    assert code == 1 and "FAIL: stale:" in out and "10.0 days ago (limit 8)" in out
    assert _check(capsys, "--max-age-days", "11")[0] == 0
    monkeypatch.setenv("DEFENCE_MAX_AGE_DAYS", "12")
    assert _check(capsys)[0] == 0
    monkeypatch.delenv("DEFENCE_MAX_AGE_DAYS")
    # The schedule's tick that found nothing new (it skips) vouches for the warehouse; a failed
    # tick does not. Nor does a tick of another schedule.
    with dg.DagsterInstance.from_config(str(home / "home")) as instance:
        _record_tick(instance, "daily_refresh", TickStatus.FAILURE)
        _record_tick(instance, "another_schedule", TickStatus.SKIPPED)
    assert _check(capsys)[0] == 1
    with dg.DagsterInstance.from_config(str(home / "home")) as instance:
        _record_tick(instance, "daily_refresh", TickStatus.SKIPPED)
    assert _check(capsys)[0] == 0


def test_status_check_counts_a_successful_refresh_run_as_current(home, capsys):
    target = paths.published_db()
    target.write_bytes(b"published")
    os.utime(target, (time.time() - 30 * 86400,) * 2)
    with dg.DagsterInstance.from_config(str(home / "home")) as instance:
        _run(instance, fail=False)
    assert _check(capsys)[0] == 0


def _record_tick(instance, schedule: str, status: TickStatus) -> None:
    """A tick of a schedule, as the daemon records it (the schedule's state first)."""
    location = RegisteredCodeLocationOrigin("pipeline.definitions")
    origin = RemoteInstigatorOrigin(RemoteRepositoryOrigin(location, "__repository__"), schedule)
    state = InstigatorState(
        origin,
        InstigatorType.SCHEDULE,
        InstigatorStatus.DECLARED_IN_CODE,
        ScheduleInstigatorData("0 6 * * *", time.time()),
    )
    if instance.get_instigator_state(state.instigator_origin_id, state.selector_id) is None:
        instance.add_instigator_state(state)
    instance.create_tick(
        TickData(
            state.instigator_origin_id,
            schedule,
            InstigatorType.SCHEDULE,
            status,
            time.time() - 3600,
            selector_id=state.selector_id,
            error=_error("page layout changed", "X") if status == TickStatus.FAILURE else None,
        )
    )


@pytest.mark.e2e
def test_status_after_a_failed_run_says_what_failed(home, capsys, published):
    """Not "checks passed 1, failed: none": the run failed in a step, and status says which and
    why, worded as the run's own summary."""
    shutil.copyfile(published, paths.published_db())
    with dg.DagsterInstance.from_config(str(home / "home")) as instance:
        failed = _run(instance, fail=True)
    assert cli.main(["status"]) == 0
    out = capsys.readouterr().out
    assert f"Last run: {failed.run_id} FAILURE;" in out
    assert "Last run failed: step load_workbook failed: " in out
    assert "WorkbookLayoutError: a.xlsx: not a readable .xlsx workbook" in out
    assert cli.main(["status", "--json"]) == 0
    assert '"error": "step load_workbook failed: ' in capsys.readouterr().out


def _current_inputs_published(raw) -> None:
    """A published warehouse built from the inputs and code as they are now (its
    ``meta.build_info``, as the publish step writes it)."""
    import pandas as pd

    from pipeline.warehouse.build import write_table
    from pipeline.warehouse.fingerprint import snapshot

    info = pd.DataFrame({"fingerprint": [snapshot().fingerprint], "built_at": [pd.Timestamp.now()]})
    write_table(paths.published_db(), "meta", "build_info", info)


def test_status_check_recovers_once_the_published_warehouse_matches_the_inputs_again(
    home, capsys, monkeypatch
):
    """A run failed on a corrupt file; the file is restored, so the published warehouse is again
    the one the inputs make: the check passes (saying the run failed) without a run by hand."""
    from tests.conftest import NATO_FILE

    raw = home / "raw"
    monkeypatch.setenv("DEFENCE_RAW_DIR", str(raw))
    staged = stage_release(raw, NATO_FILE)
    _current_inputs_published(raw)
    good = staged.read_bytes()
    staged.write_bytes(good[:-10])  # corrupt: the next run fails on it
    with dg.DagsterInstance.from_config(str(home / "home")) as instance:
        failed = _run(instance, fail=True)
    code, out = _check(capsys)
    assert code == 1 and f"FAIL: the last run of {REFRESH_JOB} ({failed.run_id}) failed" in out
    staged.write_bytes(good)  # restored
    code, out = _check(capsys)
    assert code == 0, out
    assert f"ok: the last run of {REFRESH_JOB} ({failed.run_id}) failed: " in out
    assert "but the published warehouse was built from the inputs and code as they are now" in out


def test_an_interrupted_run_says_so_and_its_inputs_are_tried_again(home, capsys):
    """Stopping the daemon mid-run fails the run with Dagster's interruption: the words say it was
    stopped, not that it failed on its data, and the next tick launches the same inputs again."""
    from pipeline.defs.automation import FINGERPRINT_TAG, sensor_tick
    from pipeline.warehouse.fingerprint import freshness

    fingerprint = freshness().current[:16]
    with dg.DagsterInstance.from_config(str(home / "home")) as instance:
        stopped = _run(instance, fail=False, interrupted=True, tags={FINGERPRINT_TAG: fingerprint})
        assert not stopped.success
        code, out = _check(capsys)
        assert code == 1
        assert "the run was interrupted during step load_workbook: its process was stopped" in out
        assert "the next tick of the schedule or the sensor runs the same inputs again" in out
        request = sensor_tick(dg.build_sensor_context(instance=instance), REFRESH_JOB)
        assert isinstance(request, dg.RunRequest), request


def test_one_state_of_the_inputs_is_one_run_whichever_tick_sees_it(home):
    """The schedule's run for new inputs failed on them: the sensor, ticking after it, does not
    launch a second run (a second failure, a second alert); nor does the schedule again."""
    from pipeline.defs.automation import FINGERPRINT_TAG, daily_tick, sensor_tick
    from pipeline.warehouse.fingerprint import freshness

    fingerprint = freshness().current[:16]
    with dg.DagsterInstance.from_config(str(home / "home")) as instance:
        first = _run(instance, fail=True, tags={FINGERPRINT_TAG: fingerprint})
        sensor = sensor_tick(dg.build_sensor_context(instance=instance), REFRESH_JOB)
        schedule = daily_tick(dg.build_schedule_context(instance=instance), REFRESH_JOB)
    for skipped in (sensor, schedule):
        assert isinstance(skipped, dg.SkipReason), skipped
        assert f"were already run by {first.run_id} (FAILURE)" in skipped.skip_message
        assert "`python -m pipeline run --force`" in skipped.skip_message


def test_a_failed_refresh_says_on_the_published_warehouse_that_it_is_unchanged(home):
    """The UI's marts show the failed attempt; the published warehouse's asset gets an
    observation saying the attempt failed and that the file analysts read was left as it was."""
    from pipeline.defs.publish import PUBLISHED

    paths.published_db().write_bytes(b"yesterday's warehouse")
    os.utime(paths.published_db(), (time.time() - 3600,) * 2)
    with dg.DagsterInstance.from_config(str(home / "home")) as instance:
        result = _run(instance, fail=True)
        alert_on_run_failure(_failure_context(instance, result))
        (record,) = instance.fetch_observations(PUBLISHED, limit=1).records
    observation = record.asset_observation
    assert observation.description == (
        f"Last attempt, run {result.run_id}, failed: the published warehouse is unchanged, as its "
        "latest materialization describes it (releases, checks passed at publish)."
    )
    assert observation.metadata["last_attempt_error"].value.startswith(
        "step load_workbook failed: " + LAYOUT.strip()
    )
    assert "published_at" in observation.metadata
