"""The Dagster UI in a real browser: Debian's Chromium, headless, driven by Playwright.

Serves the project's definitions with the instance of the end-to-end run (so runs, materializations
and check results are there) on 127.0.0.1, opens what an analyst looks at (the asset graph, a passed
GX check, a chart, the published state, a mart's preview), and saves screenshots under
test-artifacts/ui/.

One test, a subtest per view (pytest's ``subtests``: each view passes or fails on its own): the
webserver and the browser start once. As separate tests, pytest-xdist could hand them to both
workers, and each would start its own webserver and Chromium.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from pipeline import paths

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = paths.PROJECT_ROOT / "test-artifacts" / "ui"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

if CHROMIUM is None and not os.environ.get("CI"):
    pytest.skip("Debian's chromium is not installed (.ci/run installs it)", allow_module_level=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def ui(end_to_end, tmp_path_factory):
    port = _free_port()
    log = (tmp_path_factory.mktemp("ui") / "webserver.log").open("w")
    env = {
        **os.environ,
        "DAGSTER_HOME": str(end_to_end.dagster_home),
        "DEFENCE_WAREHOUSE_DIR": str(end_to_end.published.parent),
    }
    webserver = Path(sys.executable).parent / "dagster-webserver"
    proc = subprocess.Popen(
        [str(webserver), "-h", "127.0.0.1", "-p", str(port), "-m", "pipeline.definitions"],
        cwd=paths.PROJECT_ROOT,
        env=env,
        stdout=log,
        stderr=log,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while True:
        try:
            with urllib.request.urlopen(f"{base}/server_info", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"dagster-webserver did not come up on {base}")
        time.sleep(1)
    yield base
    proc.terminate()
    proc.wait(timeout=30)


try:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
except ImportError:  # pragma: no cover - playwright is a dev dependency
    PlaywrightTimeout = TimeoutError


# Dagster shows a newsletter dialog ("community NUX") on a first visit from 127.0.0.1, a second
# after the page loads; it would swallow clicks. The UI skips it when the browser's localStorage
# says it was dismissed (the key its "Skip" button sets), so every page starts with that key.
DISMISSED_NUX = "window.localStorage.setItem('communityNux', JSON.stringify('1'))"


@pytest.fixture(scope="module")
def browser():
    """One browser context for the module, with the newsletter dialog marked dismissed."""
    from playwright.sync_api import sync_playwright

    assert CHROMIUM is not None, "chromium is required in CI"
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        context = instance.new_context(viewport={"width": 1600, "height": 1000})
        context.add_init_script(DISMISSED_NUX)
        yield context
        context.close()
        instance.close()


def _open(browser, url):
    page = browser.new_page()
    page.set_default_timeout(60_000)
    page.goto(url)
    return page


def _the_asset_graph_shows_the_marts_with_their_checks(ui, browser):
    page = _open(browser, f"{ui}/locations/pipeline.definitions/asset-groups/marts/lineage")
    # The graph renders only the nodes in view (which ones depends on the layout): any mart will do.
    page.get_by_text(re.compile(r"^(fct|agg|dim)_[a-z_0-9]+$")).first.wait_for()
    page.get_by_text("Passed").first.wait_for()  # "n / n Passed" on each node
    page.screenshot(path=str(ARTIFACTS / "asset_graph_marts.png"))
    assert page.get_by_text("Materialized").count() >= 1


def _a_gx_check_shows_as_passed(ui, browser):
    """The check's execution history shows the publishing run's evaluation as passed (the
    session's second run, refused because the first held the lock, may be the latest attempt)."""
    page = _open(browser, f"{ui}/assets/marts/fct_target_status?view=checks")
    page.get_by_text("gx_fct_target_status").first.click()
    page.get_by_text("Execution history").first.click()
    page.get_by_text("Passed").first.wait_for()
    # The GX suite's own summary is the evaluation's description.
    page.get_by_text(
        re.compile(r"marts__fct_target_status: all \d+ expectations passed")
    ).wait_for()
    page.screenshot(path=str(ARTIFACTS / "gx_check_passed.png"))


def _the_chart_is_attached_to_the_mart(ui, browser):
    page = _open(browser, f"{ui}/assets/marts/fct_target_status?view=events")
    row = page.locator("tr", has_text="chart/shares_against_targets")
    row.get_by_text("[Show Markdown]").click()
    page.locator("img[src^='data:image/png']").first.wait_for()
    page.screenshot(path=str(ARTIFACTS / "chart_shares_against_targets.png"))


def _the_published_state_is_readable_at_a_glance(ui, browser):
    """The published warehouse's asset says, in its latest materialization, what is published
    (the latest release of each source, when, the checks it passed), shown as is; what changed in
    the newest NATO edition is one click away."""
    page = _open(browser, f"{ui}/assets/warehouse/defence?view=events")
    published = page.locator("tr", has_text="published").first
    published.wait_for()
    with contextlib.suppress(PlaywrightTimeout):  # Dagster folds a long Markdown value
        published.get_by_text("[Show Markdown]").click(timeout=2_000)
    page.get_by_text(re.compile(r"Checks at publish: \d+ passed, failed: none")).first.wait_for()
    page.get_by_text("nato_2026-07-10").first.wait_for()
    page.get_by_text(re.compile(r"^Published \d{4}-\d\d-\d\d \d\d:\d\d UTC")).first.wait_for()
    page.screenshot(path=str(ARTIFACTS / "published_state.png"))
    changed = page.locator("tr", has_text="what_changed")
    changed.get_by_text("[Show Markdown]").first.click()
    page.get_by_text("What changed in nato_2026-07-10").first.wait_for()


def _a_marts_preview_answers_a_question(ui, browser):
    page = _open(browser, f"{ui}/assets/marts/fct_target_status?view=events")
    row = page.locator("tr", has_text="preview")
    row.get_by_text("[Show Markdown]").first.click()
    question = "The newest year's verdict for each ally, highest share of GDP first"
    page.get_by_text(question).first.wait_for()


VIEWS = [
    _the_asset_graph_shows_the_marts_with_their_checks,
    _a_gx_check_shows_as_passed,
    _the_chart_is_attached_to_the_mart,
    _the_published_state_is_readable_at_a_glance,
    _a_marts_preview_answers_a_question,
]


def test_an_analyst_finds_what_the_run_did_in_the_ui(ui, browser, subtests):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for view in VIEWS:
        with subtests.test(view.__name__.strip("_").replace("_", " ")):
            view(ui, browser)
