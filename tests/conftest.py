"""Shared fixtures: the real NATO workbook, its parse, and helpers to craft bad variants."""

from __future__ import annotations

import contextlib
import fcntl
import functools
import os
import pickle
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import openpyxl
import pandas as pd
import pytest
import yaml

from pipeline import paths
from pipeline.defs.dbt_project import DBT_EXECUTABLE
from pipeline.provenance import sha256_of
from pipeline.sources.nato.workbook import ParseResult, parse_release
from pipeline.warehouse.build import write_table
from pipeline.warehouse.dbt_manifest import PARSE_STATE_PATH
from tests.processes import describe, session_processes

# The local HTTP server fixture (``server``) for the download tests.
pytest_plugins = ["tests.local_http"]

NATO_RELEASE_DIR = paths.PROJECT_ROOT / "data" / "raw" / "nato" / "2024-06-17"
NATO_FILE = NATO_RELEASE_DIR / "240617-def-exp-2024-TABLES-en.xlsx"
NATO_RELEASE_ID = "nato_2024-06-17"


@pytest.fixture(scope="session")
def nato_2024() -> ParseResult:
    return parse_release(NATO_FILE, NATO_RELEASE_ID)


@pytest.fixture
def crafted_workbook(tmp_path) -> Callable[[Callable[[openpyxl.Workbook], None]], Path]:
    """Copy the real workbook, apply ``edit(workbook)``, save, and return the new file's path."""

    def make(edit: Callable[[openpyxl.Workbook], None]) -> Path:
        book = openpyxl.load_workbook(NATO_FILE)
        edit(book)
        target = tmp_path / NATO_FILE.name
        book.save(target)
        return target

    return make


def table3_share(frame, country_code: str, year: int):
    """The one Table 3 share-of-GDP row of an ally-year in a parsed NATO frame."""
    rows = frame[
        (frame.country_code == country_code)
        & (frame.year == year)
        & (frame.measure == "defence_exp_share_gdp_pct")
        & (frame.table_id == "3")
    ]
    assert len(rows) == 1
    return rows.iloc[0]


def write_marts(path: Path, marker: str, rows: int = 1) -> None:
    """A stand-in build warehouse: every public mart, each holding ``rows`` marked rows."""
    from pipeline.warehouse.publish import REQUIRED_RELATIONS

    frame = pd.DataFrame({"marker": [marker] * rows, "n": range(rows)})
    for relation in REQUIRED_RELATIONS:
        write_table(path, *relation.split("."), frame)


def stage_release(raw_dir: Path, data_file: Path, **sidecar_overrides) -> Path:
    """Put ``data_file`` into ``raw_dir/nato/2024-06-17/`` with a sidecar describing its bytes."""
    release_dir = raw_dir / "nato" / "2024-06-17"
    release_dir.mkdir(parents=True, exist_ok=True)
    target = release_dir / NATO_FILE.name
    if data_file != target:
        shutil.copyfile(data_file, target)
    meta = yaml.safe_load((NATO_RELEASE_DIR / (NATO_FILE.name + ".meta.yml")).read_text())
    meta.update(sha256=sha256_of(target), bytes=target.stat().st_size)
    meta.update(sidecar_overrides)
    (release_dir / (NATO_FILE.name + ".meta.yml")).write_text(yaml.safe_dump(meta))
    return target


T = TypeVar("T")


def dbt_from_saved_state(
    args: list[str], *, project: Path, warehouse: Path, target: Path
) -> subprocess.CompletedProcess:
    """Run dbt as a run's dbt runs: through ``dbt-in-run`` (in the warehouse folder), starting from
    the parse state ``prepare`` saved, copied into ``target`` as dagster-dbt copies it. dbt's
    artifacts and its log go to ``target``."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(PARSE_STATE_PATH, target / PARSE_STATE_PATH.name)
    return subprocess.run(
        [DBT_EXECUTABLE, *args],
        cwd=project,
        env={
            **os.environ,
            paths.WAREHOUSE_DIR_ENV: str(warehouse),
            "DBT_TARGET_PATH": str(target),
            "DBT_LOG_PATH": str(target),
        },
        capture_output=True,
        text=True,
        timeout=300,
    )


def parsed_from_saved_state(target: Path) -> bool:
    """True when dbt's latest invocation logged in ``target`` started from the saved parse state
    (dbt appends to its log: the latest invocation is the text after its last version line)."""
    latest = (target / "dbt.log").read_text().rsplit("MainReportVersion", 1)[-1]
    return "Partial parsing enabled" in latest and "Unable to do partial parsing" not in latest


# The environment as the session began, once ``pytest_configure`` has set the mirror: the session's
# end-to-end runs start in a background thread (``_end_to_end_started_early``) while other tests
# run, and must not see what a test monkeypatches.
SESSION_ENVIRON: dict[str, str] = {}


def _pipeline_env(tmp: Path, warehouse: Path, raw: Path | None, base: dict | None = None) -> dict:
    env = {
        **(os.environ if base is None else base),
        "DEFENCE_WAREHOUSE_DIR": str(warehouse),
        "DAGSTER_HOME": str(tmp / "dagster_home"),
    }
    if raw is not None:
        env["DEFENCE_RAW_DIR"] = str(raw)
    return env


def start_pipeline(tmp: Path, warehouse: Path, name: str, *options: str) -> subprocess.Popen:
    """Start ``python -m pipeline run`` in its own session (so a test can kill its whole group),
    in the environment the test session began with (:data:`SESSION_ENVIRON`).

    Output goes to ``<tmp>/<name>.out`` and ``.err``: a pipe would fill and stall the run.
    """
    return subprocess.Popen(
        [sys.executable, "-m", "pipeline", "run", *options],
        cwd=paths.PROJECT_ROOT,
        env=_pipeline_env(tmp, warehouse, None, SESSION_ENVIRON),
        stdout=(tmp / f"{name}.out").open("w"),
        stderr=(tmp / f"{name}.err").open("w"),
        start_new_session=True,
    )


def run_command(
    tmp: Path, warehouse: Path, *args: str, raw: Path | None = None, timeout_s: float = 600
) -> subprocess.CompletedProcess:
    """Run ``python -m pipeline <args>`` to the end, as a user would, on ``warehouse``."""
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *args],
        cwd=paths.PROJECT_ROOT,
        env=_pipeline_env(tmp, warehouse, raw),
        capture_output=True,
        text=True,
        timeout=timeout_s,
    )


def run_pipeline(
    tmp: Path, warehouse: Path, raw: Path | None = None
) -> subprocess.CompletedProcess:
    """Run ``python -m pipeline run`` to the end, as a user would."""
    return run_command(tmp, warehouse, "run", raw=raw)


def _dbt_build_running(session_id: int) -> bool:
    """True once a `dbt build` process runs in the given session (the pipeline run's)."""
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            argv = (proc / "cmdline").read_bytes().split(b"\0")
            if os.getsid(int(proc.name)) != session_id:
                continue
        except (OSError, ProcessLookupError):
            continue
        # A script runs as "<python> <venv>/bin/dbt build ...": look for the script itself.
        script = b"/dbt"
        if any(arg.endswith(script) for arg in argv[:2]) and b"build" in argv:
            return True
    return False


def _wait_for(condition, timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"gave up waiting for {what}")
        time.sleep(0.2)


@dataclass
class EndToEnd:
    """What the session's end-to-end runs did (see the ``published`` fixture)."""

    published: Path
    previous_bytes: bytes
    bytes_after_kill: bytes
    kill_leftovers: list[str]
    dbt_outlived_s: float  # how long the killed run's dbt child went on after the run died
    others_outlived_s: float  # how long any other process of the killed run went on (GX's...)
    survivors: list[str]  # processes of the killed run still alive 30 s after it died
    concurrent: subprocess.CompletedProcess
    run_stdout: str
    dagster_home: Path


@pytest.fixture(scope="session")
def end_to_end(tmp_path_factory, worker_id) -> EndToEnd:
    """The session's real pipeline runs (see :func:`_end_to_end`), done once per test session.

    ``make test`` runs two pytest-xdist workers; whichever needs it first runs it under a file
    lock in the folder both share, and the other reuses the result (pytest-xdist's documented
    pattern for session fixtures): the 40 s run is not paid twice. The first worker starts it in
    the background as soon as its session begins (:func:`_end_to_end_started_early`)."""
    return _shared_end_to_end(tmp_path_factory, worker_id)


def _shared_end_to_end(tmp_path_factory, worker_id: str) -> EndToEnd:
    return once_per_session(tmp_path_factory, worker_id, "end_to_end", _end_to_end)


def once_per_session(
    tmp_path_factory, worker_id: str, name: str, compute: Callable[[Path], T]
) -> T:
    """``compute(folder)`` once for the whole test session, its result shared by every
    pytest-xdist worker (pytest-xdist's documented pattern for session fixtures): the first worker
    to need it computes it under a file lock in the folder the workers share and pickles it; the
    others wait on the lock and read it. pytest-xdist hands out tests one at a time, so a
    module's tests run on both workers, and each would otherwise compute its module fixtures."""
    if worker_id == "master":  # plain pytest, no workers
        return compute(tmp_path_factory.mktemp(name))
    shared = tmp_path_factory.getbasetemp().parent
    with (shared / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        result = shared / f"{name}.pickle"
        if result.exists():
            return pickle.loads(result.read_bytes())
        outcome = compute(shared / name)
        result.write_bytes(pickle.dumps(outcome))
        return outcome


@pytest.fixture(scope="session", autouse=True)
def _end_to_end_started_early(request, tmp_path_factory, worker_id):
    """On the first xdist worker, start the session's end-to-end runs in a background thread at
    once, when any collected test needs them: they are subprocesses, so the workers run the other
    tests meanwhile instead of one of them waiting a minute on the file lock. A failure there is
    not lost: the fixture, run again by whichever test needs it, fails the same way."""
    needed = any("end_to_end" in item.fixturenames for item in request.session.items)
    if worker_id != "gw0" or not needed:
        yield
        return
    # Made here, in the main thread: pytest empties the worker's base folder when it first makes
    # it, which from the thread could remove a test's tmp_path being made meanwhile.
    tmp_path_factory.getbasetemp()
    with ThreadPoolExecutor(max_workers=1) as background:
        background.submit(_shared_end_to_end, tmp_path_factory, worker_id)
        yield


def _end_to_end(tmp: Path) -> EndToEnd:
    """Run the real pipeline as a scheduled run would meet the world:

    1. a warehouse already published (a small marker file stands in for yesterday's);
    2. a run's process killed with SIGKILL while dbt builds: the published file must be untouched,
       and its dbt child must die with it (not go on writing the build warehouse);
    3. two runs started half a second apart, the second with ``--force``: one takes the lock,
       cleans up after the killed one and publishes; the other must refuse (exit 3) before it
       touches anything shared (the build file, GX's files).
    """
    tmp.mkdir(parents=True, exist_ok=True)
    warehouse = tmp / "warehouse"
    target = warehouse / paths.PUBLISHED_DB_NAME
    write_table(target, "marts", "yesterday", pd.DataFrame({"marker": ["previous publish"]}))
    previous = target.read_bytes()

    killed = start_pipeline(tmp, warehouse, "killed")
    try:
        _wait_for(
            lambda: _dbt_build_running(killed.pid) or killed.poll() is not None,
            300,
            "dbt build to start",
        )
        assert killed.poll() is None, (tmp / "killed.err").read_text()[-3000:]
        os.kill(killed.pid, signal.SIGKILL)  # the run's process alone, as `kill -9 <pid>` does
        killed.wait()
        dbt_died = time.monotonic()
        _wait_for(lambda: not _dbt_build_running(killed.pid), 30, "the killed run's dbt to end")
        dbt_outlived_s = time.monotonic() - dbt_died
        # Its GX process, Dagster's log watchers, multiprocessing's tracker: all must go too.
        with contextlib.suppress(TimeoutError):
            _wait_for(lambda: not session_processes(killed.pid), 30, "the killed run's processes")
        others_outlived_s = time.monotonic() - dbt_died
        survivors = [describe([pid]) for pid in session_processes(killed.pid)]
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(killed.pid, signal.SIGKILL)  # whatever else of it is left
    after_kill = target.read_bytes()
    leftovers = sorted(p.name for p in warehouse.iterdir())

    first = start_pipeline(tmp, warehouse, "first")
    time.sleep(0.5)
    second = start_pipeline(tmp, warehouse, "second", "--force")
    for proc in (first, second):
        proc.wait(timeout=600)
    outcomes = {
        name: subprocess.CompletedProcess(
            proc.args,
            proc.returncode,
            (tmp / f"{name}.out").read_text(),
            (tmp / f"{name}.err").read_text(),
        )
        for name, proc in (("first", first), ("second", second))
    }
    winners = [o for o in outcomes.values() if o.returncode == 0]
    assert len(winners) == 1, {n: (o.returncode, o.stderr[-3000:]) for n, o in outcomes.items()}
    (loser,) = [o for o in outcomes.values() if o.returncode != 0]
    return EndToEnd(
        target,
        previous,
        after_kill,
        leftovers,
        dbt_outlived_s,
        others_outlived_s,
        survivors,
        loser,
        winners[0].stdout,
        tmp / "dagster_home",
    )


@pytest.fixture(scope="session")
def published(end_to_end) -> Path:
    return end_to_end.published


# --- publisher files fetched on demand (SIPRI's workbooks are not in git) ------------------------

SHARED_ORIGINALS = paths.PROJECT_ROOT.parent / "shared" / "data" / "original"


SIPRI_SKIP = (
    "SIPRI's workbooks are not at hand (kept out of git by SIPRI's terms and fetched on demand): "
    "set DEFENCE_MIRROR to a folder or URL holding them, or put the team's copies in "
    "../shared/data/original"
)


@functools.cache
def sipri_at_hand() -> bool:
    """Every SIPRI workbook named by a sidecar in data/raw is there."""
    from pipeline.provenance import unavailable_releases

    return not unavailable_releases(paths.PROJECT_ROOT / "data" / "raw" / "sipri")


def pytest_configure(config):
    """Before any test (in each pytest-xdist worker too): every file whose sidecar says
    ``redistribution: fetch`` is fetched into data/raw through the pipeline's own path
    (``pipeline.acquire.on_demand``) from the mirror.

    The mirror is ``DEFENCE_MIRROR``, or the team's copies beside the checkout (the Makefile's
    default) when it is unset; it is exported for the session so pipeline runs started by tests
    use it too. Tests never fetch from the internet: with no mirror at all, ``DEFENCE_MIRROR``
    points at a folder that does not exist. A newcomer without the files gets one warning, the
    tests marked ``sipri`` skip with one message, and everything else runs, the session's pipeline
    runs included (on NATO's files alone, as a run does with SIPRI down). Under CI (``CI`` set) a
    file that cannot be fetched stops the session at once: CI must test them.
    """
    from pipeline.acquire import on_demand as acquire

    if acquire.mirror() is None:
        default = SHARED_ORIGINALS if SHARED_ORIGINALS.is_dir() else None
        os.environ[acquire.MIRROR_ENV] = str(
            default or paths.PROJECT_ROOT / ".no-mirror-configured"
        )
    SESSION_ENVIRON.update(os.environ)  # the mirror included: runs never fetch from the internet
    missing = acquire.ensure_all(paths.PROJECT_ROOT / "data" / "raw").unavailable
    if missing:
        message = (
            f"{len(missing)} publisher file(s) kept out of git could not be fetched, so the tests "
            f"that need them skip and the session's pipeline runs go without them. Tests never "
            f"fetch from the internet: set {acquire.MIRROR_ENV}, or put the team's copies in "
            f"{SHARED_ORIGINALS}. First: {next(iter(missing.values()))}"
        )
        if os.environ.get("CI"):
            pytest.exit(message, returncode=1)
        if not hasattr(config, "workerinput"):  # once, from pytest-xdist's controller
            config.issue_config_time_warning(pytest.PytestWarning(message), stacklevel=2)


def pytest_runtest_setup(item):
    """A test marked ``sipri`` skips, with one message, when SIPRI's workbooks are not at hand."""
    if item.get_closest_marker("sipri") is not None and not sipri_at_hand():
        pytest.skip(SIPRI_SKIP)


# --- the order two workers take the tests in (``make test``: ``-n 2``) ---------------------------


def _order(item: pytest.Item) -> int:
    """0: the long tests that mostly wait (daemons, a UI stopped by a signal), while the session's
    runs start in the background; then the tests that need no session run (1: the ``slow`` ones,
    2: the rest), then those that need it, done by then instead of holding a worker that waits (3:
    ``slow``, 4: the rest). Slow tests first within each half: the quick ones left at the end
    let both workers finish together."""
    if item.get_closest_marker("postgres") or item.get_closest_marker("lifecycle"):
        return 0
    quick = item.get_closest_marker("slow") is None
    return (3 if "end_to_end" in item.fixturenames else 1) + quick


def pytest_collection_modifyitems(config, items):
    """Order the tests so that both workers stay busy (a stable sort: each file's own order is
    kept). ``make test`` hands them out one at a time (``--maxschedchunk 1``: pytest-xdist's
    default sends each worker a quarter of its share at once, so a worker held by a long test sits
    on tests the other could take). No test relies on another having run (the PostgreSQL
    deployment story is one test)."""
    items.sort(key=_order)
