"""Discovery on schedule, and scheduled work only when there is work.

The daily tick reads the publishers' pages, downloads an edition newer than data/raw's, and asks
for a load; with nothing new it skips and says why. Every page and workbook here is served by an
HTTP server this module starts on 127.0.0.1 (never the network), every raw and warehouse folder is
temporary (``DEFENCE_RAW_DIR``, ``DEFENCE_WAREHOUSE_DIR``), and the fingerprint covers the inputs
only (``CODE_GLOBS`` emptied: other people edit the code while these tests run).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import time
from pathlib import Path

import dagster as dg
import pandas as pd
import pytest
import yaml

from pipeline import paths
from pipeline.acquire.discovery import DiscoveryError, LayoutChanged, settings
from pipeline.acquire.discovery.pages import links, newest
from pipeline.acquire.discovery.publishers import NATO, SIPRI
from pipeline.acquire.discovery.run import newest_held
from pipeline.cli import main as cli
from pipeline.defs import REFRESH_JOB
from pipeline.defs.automation import build_automation
from pipeline.provenance import ProvenanceError, find_releases, read_sidecar, verify_release
from pipeline.warehouse import fingerprint
from pipeline.warehouse.build import write_table
from tests.conftest import NATO_FILE, NATO_RELEASE_DIR, SHARED_ORIGINALS
from tests.local_http import Route

SIPRI_NAME = "SIPRI-Milex-data-1949-2025_v1.2.xlsx"
SIPRI_DIR = paths.PROJECT_ROOT / "data" / "raw" / "sipri" / "2026-04-27"
SIPRI_FILE = next(
    (p for p in (SIPRI_DIR / SIPRI_NAME, SHARED_ORIGINALS / SIPRI_NAME) if p.is_file()), None
)
NATO_PAGE = "/cps/en/natohq/topics_49198.htm"
SIPRI_PAGE = "/databases/milex"
NATO_2027 = "/content/dam/nato/webready/documents/finance/def-exp-2027-en.xlsx"
SIPRI_2026 = "/sites/default/files/SIPRI-Milex-data-1949-2026_v1.1.xlsx"
LAST_MODIFIED = "Sat, 10 Jul 2027 08:30:00 GMT"

daily_refresh, new_release_files = build_automation(REFRESH_JOB)


def nato_page(*hrefs: str) -> Route:
    anchors = "".join(f'<li><a href="{h}">{h.rsplit("/", 1)[-1]}</a></li>' for h in hrefs)
    return Route(body=f"<html><body><ul>{anchors}</ul></body></html>".encode())


@pytest.fixture
def raw(tmp_path, monkeypatch, server) -> Path:
    """data/raw holding NATO's 2024 edition and SIPRI's 2025-data edition (its sidecar, and its
    workbook as fetched on demand); discovery on, pointed at the local server; nothing new.

    No tick here runs the pipeline, so without SIPRI's workbook at hand a placeholder stands in
    for it: the ticks only ask whether the file is there (a missing one is work to do)."""
    root = tmp_path / "raw"
    shutil.copytree(NATO_RELEASE_DIR, root / "nato" / NATO_RELEASE_DIR.name)
    (root / "sipri" / SIPRI_DIR.name).mkdir(parents=True)
    shutil.copyfile(
        SIPRI_DIR / f"{SIPRI_NAME}.meta.yml",
        root / "sipri" / SIPRI_DIR.name / f"{SIPRI_NAME}.meta.yml",
    )
    workbook = root / "sipri" / SIPRI_DIR.name / SIPRI_NAME
    if SIPRI_FILE is not None:
        shutil.copyfile(SIPRI_FILE, workbook)
    else:
        workbook.write_bytes(b"placeholder: never parsed by these tests")
    monkeypatch.setenv("DEFENCE_RAW_DIR", str(root))
    monkeypatch.setenv("DEFENCE_WAREHOUSE_DIR", str(tmp_path / "warehouse"))
    monkeypatch.setattr(fingerprint, "CODE_GLOBS", ())
    monkeypatch.setenv(settings.DISCOVERY_ENV, "on")
    monkeypatch.setenv(settings.NATO_PAGE_ENV, server.base + NATO_PAGE)
    monkeypatch.setenv(settings.SIPRI_PAGE_ENV, server.base + SIPRI_PAGE)
    monkeypatch.setenv(settings.TIMEOUT_ENV, "0.5")
    monkeypatch.delenv(settings.MAX_BYTES_ENV, raising=False)
    server.routes[NATO_PAGE] = nato_page(
        "/nato_static_fl2014/assets/pdf/2024/6/pdf/240617-def-exp-2024-TABLES-en.xlsx"
    )
    server.routes[SIPRI_PAGE] = nato_page(f"/sites/default/files/{SIPRI_NAME}")
    return root


def snapshot(root: Path) -> dict:
    """Every path under ``root`` (hidden ones included) with its bytes' sha256 (None: a folder)."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        if p.is_file()
        else None
        for p in sorted(root.rglob("*"))
    }


def publish_current() -> str:
    """A published warehouse whose meta.build_info holds the inputs' fingerprint, as
    ``write_build_info`` writes it when publishing."""
    current = fingerprint.snapshot().fingerprint
    info = pd.DataFrame({"fingerprint": [current], "built_at": [pd.Timestamp.now(tz="UTC")]})
    write_table(paths.published_db(), "meta", "build_info", info)
    assert fingerprint.published() == current
    return current


def tick():
    return daily_refresh(dg.build_schedule_context())


# --- the daily tick discovers, downloads and loads -----------------------------------------------


@pytest.mark.sipri
def test_the_daily_tick_downloads_new_nato_and_sipri_editions_and_loads_them(raw, server):
    publish_current()  # up to date before the new editions appear
    nato_bytes, sipri_bytes = NATO_FILE.read_bytes(), SIPRI_FILE.read_bytes()
    server.routes[NATO_PAGE] = nato_page(
        "/nato_static_fl2014/assets/pdf/2024/6/pdf/240617-def-exp-2024-TABLES-en.xlsx",
        "../../../content/dam/nato/webready/documents/finance/def-exp-2027-en.pdf",
        "../../../content/dam/nato/webready/documents/finance/def-exp-2027-en.xlsx",  # relative
    )
    server.routes[NATO_2027] = Route(
        body=nato_bytes, headers={"Last-Modified": LAST_MODIFIED, "ETag": '"nato-2027"'}
    )
    server.routes[SIPRI_PAGE] = nato_page(server.base + SIPRI_2026)  # absolute
    server.routes[SIPRI_2026] = Route(body=sipri_bytes)  # no Last-Modified: today's date

    request = tick()

    assert isinstance(request, dg.RunRequest)
    assert request.tags["trigger"] == "daily_refresh"
    nato = raw / "nato" / "2027-07-10" / "def-exp-2027-en.xlsx"
    assert nato.read_bytes() == nato_bytes
    meta = verify_release(nato).meta
    assert meta["release_id"] == "nato_2027-07-10" and meta["format"] == "nato_tables_xlsx"
    assert meta["url"] == server.base + NATO_2027
    assert meta["title"] == "Defence Investment of NATO Countries (2014-2027)"
    assert meta["defence_definition"] == "core_defence"
    assert meta["price_base_year"] == 2015  # read from the workbook's "Constant 2015 prices"
    assert meta["http_last_modified"] == LAST_MODIFIED and meta["http_etag"] == '"nato-2027"'
    assert meta["release_date_basis"].startswith("HTTP Last-Modified")
    assert meta["bytes"] == len(nato_bytes) and meta["retrieved_at"]
    assert (
        "written by the pipeline's discovery" in (nato.parent / f"{nato.name}.meta.yml").read_text()
    )

    today = dt.datetime.now(dt.UTC).date().isoformat()
    sipri = raw / "sipri" / today / "SIPRI-Milex-data-1949-2026_v1.1.xlsx"
    smeta = verify_release(sipri).meta
    assert smeta["redistribution"] == "fetch" and smeta["format"] == "sipri_milex_xlsx"
    assert smeta["price_base_year"] == 2024 and smeta["version"] == "1.1"
    assert smeta["defence_definition"] == "sipri_military_expenditure"
    assert smeta["release_date_basis"].startswith("retrieval date")
    assert smeta["citation"].startswith("SIPRI Military Expenditure Database 2027")
    assert [r.release_id for r in find_releases(raw / "nato")][-1] == "nato_2027-07-10"
    assert not [p for p in raw.rglob(".incoming-*")]

    # The next tick finds nothing newer; the run has not published yet, so it asks again.
    assert isinstance(tick(), dg.RunRequest)
    publish_current()
    skipped = tick()
    assert isinstance(skipped, dg.SkipReason)
    assert (
        "nato: newest linked is def-exp-2027-en.xlsx (2027), data/raw holds 2027: nothing new"
        in (skipped.skip_message)
    )
    assert (
        "sipri: newest linked is SIPRI-Milex-data-1949-2026_v1.1.xlsx (2026)"
        in skipped.skip_message
    )


def test_the_definition_assumed_for_a_new_nato_edition_is_checked_by_the_load(raw, server):
    """The stand-in 2027 file is NATO's 2024 workbook ("Defence expenditure" titles): the sidecar
    assumes core defence, and the load refuses the disagreement rather than mixing definitions."""
    from pipeline.sources.load import _check_definition
    from pipeline.sources.registry import parse

    server.routes[NATO_PAGE] = nato_page(NATO_2027)
    server.routes[NATO_2027] = Route(body=NATO_FILE.read_bytes())
    assert isinstance(tick(), dg.RunRequest)
    (release,) = [
        r for r in find_releases(raw / "nato") if r.meta["defence_definition"] == "core_defence"
    ]
    with pytest.raises(ProvenanceError, match=r"titles say 'nato_defence_expenditure'"):
        _check_definition(release, parse(release).stats)


def test_nothing_new_ends_the_tick_in_seconds_with_a_reason(raw, server):
    publish_current()
    before, started = snapshot(raw), time.monotonic()
    skipped = tick()
    assert isinstance(skipped, dg.SkipReason)
    assert time.monotonic() - started < 5
    message = skipped.skip_message
    assert (
        "nato: newest linked is 240617-def-exp-2024-TABLES-en.xlsx (2024), data/raw holds 2024"
        in message
    )
    assert (
        f"sipri: newest linked is {SIPRI_NAME} (2025), data/raw holds 2025: nothing new" in message
    )
    assert "the warehouse is up to date" in message
    assert snapshot(raw) == before


# --- every failure a real download meets: a clear error, data/raw untouched -----------------------


HTML = b"<!DOCTYPE html><html><body>Please accept our cookies</body></html>"


@pytest.mark.parametrize(
    ("route", "cap", "expected"),
    [
        (None, None, r"download failed: HTTP 404 Not Found \(rule: a release is fetched only"),
        (Route(500, b"boom"), None, r"download failed: HTTP 500"),
        (Route(body=b"PK\x03\x04late", delay_s=2), None, r"timed out: no answer within 0.5 s"),
        (
            Route(body=HTML, headers={"Content-Type": "text/html"}),
            None,
            r"not a workbook: the body starts with an HTML page",
        ),
        (Route(body=NATO_FILE.read_bytes()[:5000], length=206548), None, r"truncated response"),
        (
            Route(body=NATO_FILE.read_bytes()),
            "1000",
            r"server announces 206548 bytes, over 1000 \(rule: a release is at most 1000 bytes",
        ),
    ],
    ids=["http-404", "http-500", "timeout", "html-as-xlsx", "truncated", "over-size-cap"],
)
def test_a_failed_download_names_url_and_rule_and_leaves_raw_unchanged(
    raw, server, monkeypatch, route, cap, expected
):
    publish_current()
    server.routes[NATO_PAGE] = nato_page(NATO_2027)
    if route is not None:
        server.routes[NATO_2027] = route
    if cap is not None:
        monkeypatch.setenv(settings.MAX_BYTES_ENV, cap)
    before, published = snapshot(raw), paths.published_db().read_bytes()
    with pytest.raises(DiscoveryError, match=expected) as error:
        tick()
    assert f"nato: FAILED: {server.base}{NATO_2027}: " in str(error.value)
    assert "sipri: newest linked is" in str(error.value)  # the other publisher was still checked
    assert snapshot(raw) == before
    assert paths.published_db().read_bytes() == published


def test_a_page_whose_links_changed_shape_is_an_error_not_nothing_new(raw, server):
    server.routes[NATO_PAGE] = nato_page("/content/dam/defence-expenditure-2027.xlsx", "/news.htm")
    before = snapshot(raw)
    with pytest.raises(
        DiscoveryError, match=r"nato: FAILED: .* page layout changed: none of"
    ) as error:
        tick()
    assert f"{server.base}{NATO_PAGE}" in str(error.value)
    assert "def-exp-YYYY-en.xlsx" in str(error.value)
    assert snapshot(raw) == before


def test_an_unreachable_page_is_an_error_naming_it(raw, server):
    server.routes.pop(SIPRI_PAGE)
    with pytest.raises(
        DiscoveryError, match=rf"{SIPRI_PAGE}: the publisher's page could not be read: HTTP 404"
    ):
        tick()


def test_a_sipri_workbook_that_is_an_html_page_is_refused(raw, server):
    server.routes[SIPRI_PAGE] = nato_page(SIPRI_2026)
    server.routes[SIPRI_2026] = Route(body=HTML)
    before = snapshot(raw)
    with pytest.raises(DiscoveryError, match=r"sipri: FAILED: .*not a workbook"):
        tick()
    assert snapshot(raw) == before


# --- scheduled work only when there is work -------------------------------------------------------


def test_a_schedule_tick_with_an_unchanged_fingerprint_skips(raw, monkeypatch):
    monkeypatch.setenv(settings.DISCOVERY_ENV, "off")
    assert isinstance(tick(), dg.RunRequest)  # nothing published yet: there is work
    current = publish_current()
    skipped = tick()
    assert isinstance(skipped, dg.SkipReason)
    assert skipped.skip_message == (
        "discovery is off (DEFENCE_DISCOVERY=on checks the publishers); the warehouse is up to "
        f"date: {paths.published_db()} was built from these exact inputs and code (fingerprint "
        f"{current[:12]})"
    )


def test_the_sensor_on_an_up_to_date_warehouse_starts_nothing(raw):
    publish_current()
    first = new_release_files(dg.build_sensor_context())
    assert isinstance(first, dg.SkipReason)
    assert first.skip_message.startswith("sensor tick; the warehouse is up to date")


def test_the_sensor_loads_a_release_dropped_into_raw_once(raw):
    publish_current()
    new_release_files(dg.build_sensor_context())
    folder = raw / "nato" / "2027-07-10"
    folder.mkdir()
    (folder / "def-exp-2027-en.xlsx").write_bytes(NATO_FILE.read_bytes())
    request = new_release_files(dg.build_sensor_context())
    assert isinstance(request, dg.RunRequest)
    assert request.run_key == f"new_release_files-{fingerprint.snapshot().fingerprint[:16]}"
    # Seen again before its run: the same run key, which Dagster launches once.
    assert new_release_files(dg.build_sensor_context()).run_key == request.run_key


def test_both_ticks_defer_to_a_run_already_in_progress(raw, monkeypatch):
    monkeypatch.setenv(settings.DISCOVERY_ENV, "off")
    with dg.instance_for_test() as instance:
        run = dg.DagsterRun(job_name=REFRESH_JOB, status=dg.DagsterRunStatus.STARTED)
        instance.add_run(run)
        skipped = daily_refresh(dg.build_schedule_context(instance=instance))
        assert f"run {run.run_id} of {REFRESH_JOB} is queued or running already" in (
            skipped.skip_message
        )
        context = dg.build_sensor_context(instance=instance)
        assert isinstance(new_release_files(context), dg.SkipReason)


# --- the pieces -----------------------------------------------------------------------------------


def test_links_are_made_absolute_and_the_newest_edition_wins():
    page = "https://www.nato.int/cps/en/natohq/topics_49198.htm"
    html = (
        '<a href="/nato_static_fl2014/assets/pdf/2024/6/pdf/240617-def-exp-2024-TABLES-en.xlsx">'
        '<a href="https://www.nato.int/content/dam/nato/webready/documents/finance/def-exp-2026-en.xlsx">'
        '<a href="def-exp-2025-en.xlsx"><a href="def-exp-2025-en.pdf">'
    )
    urls = links(html, page)
    assert urls[2] == "https://www.nato.int/cps/en/natohq/def-exp-2025-en.xlsx"
    assert newest(urls, NATO.link, page, NATO.expected).year == 2026
    sipri = [
        "https://x/SIPRI-Milex-data-1949-2025.xlsx",
        "https://x/SIPRI-Milex-data-1949-2025_v1.2.xlsx",
        "https://x/SIPRI-Milex-data-1949-2024_2.xlsx",
    ]
    best = newest(sipri, SIPRI.link, "https://x", SIPRI.expected)
    assert (best.year, best.version, best.name) == (
        2025,
        (1, 2),
        "SIPRI-Milex-data-1949-2025_v1.2.xlsx",
    )
    with pytest.raises(LayoutChanged, match=r"https://x: page layout changed: none of its 1 links"):
        newest(sipri[:1], NATO.link, "https://x", NATO.expected)


def test_the_newest_edition_held_is_read_from_the_repos_sidecars():
    raw = paths.PROJECT_ROOT / "data" / "raw"
    assert newest_held(NATO, raw / "nato") == 2026  # "(2014-2026)"
    assert newest_held(SIPRI, raw / "sipri") == 2025  # SIPRI-Milex-data-1949-2025_v1.2.xlsx
    assert read_sidecar(SIPRI_DIR / SIPRI_NAME)["redistribution"] == "fetch"


def test_discovery_is_off_unless_switched_on(monkeypatch):
    monkeypatch.delenv(settings.DISCOVERY_ENV, raising=False)
    assert not settings.enabled()
    for value, expected in (("on", True), ("TRUE", True), ("off", False), ("0", False)):
        monkeypatch.setenv(settings.DISCOVERY_ENV, value)
        assert settings.enabled() is expected
    monkeypatch.setenv(settings.TIMEOUT_ENV, "soon")
    with pytest.raises(ValueError, match="DEFENCE_DOWNLOAD_TIMEOUT_S='soon': not a number"):
        settings.timeout_s()


def test_a_refused_edition_is_set_aside_and_not_fetched_again(raw, server, capsys):
    """Discovery downloads NATO's 2027 edition, its load is refused; the operator refuses it: the
    folder moves, whole, to data/raw/.refused with the reason, the next tick does not download it
    again (and says why), and `retry` puts it back."""
    publish_current()
    server.routes[NATO_PAGE] = nato_page(NATO_2027)
    server.routes[NATO_2027] = Route(
        body=NATO_FILE.read_bytes(), headers={"Last-Modified": LAST_MODIFIED}
    )
    assert isinstance(tick(), dg.RunRequest)
    release = raw / "nato" / "2027-07-10"
    assert release.is_dir()

    assert cli.main(["refuse", "nato_2027-07-10", "--reason", "TABLE3 layout changed"]) == 0
    assert "discovery will not fetch it again" in capsys.readouterr().out
    assert not release.exists()
    kept = raw / ".refused" / "nato" / "2027-07-10"
    record = yaml.safe_load((kept / "refusal.yml").read_text())
    assert record["reason"] == "TABLE3 layout changed"
    assert record["urls"] == [server.base + NATO_2027]
    assert record["file_names"] == ["def-exp-2027-en.xlsx"]
    assert [r.release_id for r in find_releases(raw / "nato")] == ["nato_2024-06-17"]

    skipped = tick()  # the published warehouse matches data/raw again: nothing to do
    assert isinstance(skipped, dg.SkipReason)
    assert "def-exp-2027-en.xlsx (2027), refused on " in skipped.skip_message
    assert "(TABLE3 layout changed): not fetched again" in skipped.skip_message
    assert not release.exists()
    assert cli.main(["refused"]) == 0
    assert "nato_2027-07-10: refused " in capsys.readouterr().out

    assert cli.main(["retry", "nato_2027-07-10"]) == 0
    assert release.is_dir() and not (release / "refusal.yml").exists()
    assert [r.release_id for r in find_releases(raw / "nato")][-1] == "nato_2027-07-10"
