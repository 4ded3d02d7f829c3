"""The download step, against an HTTP server this test starts on 127.0.0.1 (never the network)."""

from __future__ import annotations

import functools
import http.server
import threading

import pytest

from pipeline.acquire.download import DownloadError, download_release
from pipeline.provenance import find_releases, verify_release
from pipeline.sources.nato.workbook import parse_release
from tests.conftest import NATO_FILE

META = {
    "source": "nato",
    "release_id": "nato_2024-06-17",
    "format": "nato_tables_xlsx",
    "publisher": "NATO Public Diplomacy Division",
    "title": "Defence Expenditure of NATO Countries (2014-2024)",
    "release_date": "2024-06-17",
    "price_base_year": 2015,
}


@pytest.fixture
def server(tmp_path):
    """Serve a folder holding NATO's real workbook on 127.0.0.1 (a free port)."""
    root = tmp_path / "served"
    root.mkdir()
    (root / NATO_FILE.name).write_bytes(NATO_FILE.read_bytes())
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_a_download_lands_with_a_sidecar_the_pipeline_accepts(server, tmp_path):
    raw = tmp_path / "raw" / "nato"
    path = download_release(f"{server}/{NATO_FILE.name}", raw, META)
    assert path == raw / "2024-06-17" / NATO_FILE.name
    assert path.read_bytes() == NATO_FILE.read_bytes()
    release = verify_release(path)  # sha256 and size recorded from the bytes received
    assert (
        release.meta["sha256"] == "1897e2ead4be252c5c9a9d2f2696a65398c51375c88a2e7425339a8d368a600b"
    )
    assert release.meta["url"].startswith("http://127.0.0.1:")
    assert [r.release_id for r in find_releases(raw)] == ["nato_2024-06-17"]
    assert len(parse_release(path, release.release_id).frame) == 5501


def test_a_failed_download_leaves_nothing_behind(server, tmp_path):
    raw = tmp_path / "raw" / "nato"
    with pytest.raises(DownloadError, match="404"):
        download_release(f"{server}/missing.xlsx", raw, META)
    assert list(raw.iterdir()) == []  # no release folder, no staging folder


def test_an_existing_release_is_never_overwritten(server, tmp_path):
    raw = tmp_path / "raw" / "nato"
    download_release(f"{server}/{NATO_FILE.name}", raw, META)
    with pytest.raises(DownloadError, match="already exists"):
        download_release(f"{server}/{NATO_FILE.name}", raw, META)


def test_only_http_urls_are_fetched(tmp_path):
    with pytest.raises(DownloadError, match="only http and https"):
        download_release(f"file://{NATO_FILE}", tmp_path / "nato", META)


def test_a_download_in_progress_is_not_a_release(tmp_path):
    raw = tmp_path / "nato"
    staging = raw / ".incoming-2024-06-17"
    staging.mkdir(parents=True)
    (staging / NATO_FILE.name).write_bytes(b"partial")
    with pytest.raises(Exception, match="no release files found"):
        find_releases(raw)
