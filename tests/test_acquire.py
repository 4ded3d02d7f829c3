"""Fetch on demand (pipeline.acquire.on_demand): files kept out of git arrive whole and verified,
or not at all, with an error naming what was tried. Every server here is on 127.0.0.1 (never the
network) and every raw folder is temporary (``DEFENCE_RAW_DIR``), never the repo's data/raw."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import socket
from pathlib import Path

import pytest
import yaml

from pipeline import paths
from pipeline.acquire import on_demand as acquire
from pipeline.acquire.on_demand import ensure_source
from pipeline.provenance import ProvenanceError, find_releases, unavailable_releases
from pipeline.warehouse import fingerprint
from tests.local_http import SIPRI_2026_SIDECAR, Route

REAL_SIDECAR = SIPRI_2026_SIDECAR
NAME = "publisher-file.xlsx"
PAYLOAD = bytes(range(256)) * 200  # 51,200 bytes standing in for a workbook
RELEASE = "2026-04-27"


def fetch_and_verify(source_dir):
    """What a run does: fetch the missing files (the lock resource), then verify every release
    at hand (the release-files asset)."""
    ensure_source(source_dir)
    return find_releases(source_dir)


def unavailable(source_dir) -> str:
    """Fetch the source's files; the one file could not be had: the message saying why."""
    acquired = ensure_source(source_dir)
    assert acquired.fetched == [] and find_releases(source_dir) == []
    (message,) = acquired.unavailable.values()
    assert [r.path.name for r in unavailable_releases(source_dir)] == [NAME]
    return message


def _sidecar(payload: bytes = PAYLOAD, **overrides) -> dict:
    meta = {
        "source": "sipri",
        "release_id": "sipri_test",
        "format": "sipri_milex_xlsx",
        "publisher": "A publisher",
        "title": "A file its publisher does not let us commit",
        "url": "http://127.0.0.1:9/never-used",
        "release_date": dt.date.fromisoformat(RELEASE),
        "price_base_year": 2024,
        "licence": "quoted terms",
        "redistribution": "fetch",
        "sha256": hashlib.sha256(payload).hexdigest(),
        "bytes": len(payload),
    }
    meta.update(overrides)
    return meta


@pytest.fixture
def raw(tmp_path, monkeypatch) -> Path:
    """A temporary data/raw holding one sidecar (the file itself absent), mirror unset."""
    root = tmp_path / "raw"
    monkeypatch.setenv("DEFENCE_RAW_DIR", str(root))
    monkeypatch.delenv(acquire.MIRROR_ENV, raising=False)
    write_sidecar(root, _sidecar())
    return root


def write_sidecar(root: Path, meta: dict, name: str = NAME) -> Path:
    folder = root / "sipri" / RELEASE
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.meta.yml").write_text(yaml.safe_dump(meta, sort_keys=False))
    return folder / name


def release_folder(root: Path) -> list[str]:
    """Every name in the release folder, hidden ones included (a temp file must not survive)."""
    return sorted(p.name for p in (root / "sipri" / RELEASE).iterdir())


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- success -------------------------------------------------------------------------------------


def test_fetch_from_a_local_folder_mirror(raw, tmp_path, monkeypatch):
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    (mirror / NAME).write_bytes(PAYLOAD)
    monkeypatch.setenv(acquire.MIRROR_ENV, str(mirror))
    (release,) = fetch_and_verify(raw / "sipri")
    assert release.path == raw / "sipri" / RELEASE / NAME
    assert release.path.read_bytes() == PAYLOAD
    assert release.path.stat().st_mode & 0o777 == 0o644
    assert release_folder(raw) == [NAME, f"{NAME}.meta.yml"]
    (mirror / NAME).unlink()
    assert fetch_and_verify(raw / "sipri")[0].path.read_bytes() == PAYLOAD  # present: not refetched


def test_a_relative_mirror_folder_is_taken_from_the_repo_root(monkeypatch):
    monkeypatch.setenv(acquire.MIRROR_ENV, "../shared/data/original")
    assert acquire.locations(NAME, {}) == [
        str(paths.PROJECT_ROOT / "../shared/data/original" / NAME)
    ]
    monkeypatch.setenv(acquire.MIRROR_ENV, "  ")
    assert acquire.locations(NAME, {"url": "https://example.org/f"}) == ["https://example.org/f"]


@pytest.mark.sipri
def test_the_real_2026_workbook_from_a_base_url_mirror(tmp_path, monkeypatch, server):
    """SIPRI's real sidecar, its workbook served by a local HTTP mirror under a base path."""
    root = tmp_path / "raw"
    monkeypatch.setenv("DEFENCE_RAW_DIR", str(root))
    folder = root / "sipri" / RELEASE
    folder.mkdir(parents=True)
    shutil.copyfile(REAL_SIDECAR, folder / REAL_SIDECAR.name)
    workbook = REAL_SIDECAR.with_name(REAL_SIDECAR.name.removesuffix(".meta.yml"))
    server.routes[f"/mirror/{workbook.name}"] = Route(body=workbook.read_bytes())
    monkeypatch.setenv(acquire.MIRROR_ENV, f"{server.base}/mirror/")
    (release,) = fetch_and_verify(root / "sipri")
    assert release.release_id == "sipri_2026-04-27"
    assert release.meta["redistribution"] == "fetch" and release.meta["price_base_year"] == 2024
    assert release.path.stat().st_size == 922_552
    assert sorted(p.name for p in folder.iterdir()) == [workbook.name, REAL_SIDECAR.name]


def test_a_fetched_file_counts_once_it_is_here_and_a_missing_one_is_work_to_do(
    raw, tmp_path, monkeypatch
):
    """A warehouse built without a file kept out of git differs from one built with it: the
    fingerprint changes when the file arrives, and until then "up to date" is never said (a run
    tries to fetch it)."""
    monkeypatch.setattr(fingerprint, "CODE_GLOBS", ())  # the inputs only: code may be edited
    monkeypatch.setattr(fingerprint, "published", lambda: before.fingerprint)
    before = fingerprint.snapshot()
    assert before.missing == (raw / "sipri" / RELEASE / NAME,)
    state = fingerprint.freshness()
    assert not state.is_up_to_date and state.current == state.published
    assert state.describe() == (
        f"not up to date: 1 file(s) kept out of git are missing ({NAME}); a run tries to fetch them"
    )
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    (mirror / NAME).write_bytes(PAYLOAD)
    monkeypatch.setenv(acquire.MIRROR_ENV, str(mirror))
    assert ensure_source(raw / "sipri").fetched == [raw / "sipri" / RELEASE / NAME]
    after = fingerprint.snapshot()
    assert after.missing == () and after.fingerprint != before.fingerprint
    assert after.source("sipri") != before.source("sipri")  # the raw table is not reused
    monkeypatch.setattr(fingerprint, "published", lambda: after.fingerprint)
    assert fingerprint.freshness().is_up_to_date


# --- wrong bytes fail the run; nothing is left under the real name --------------------------------


def test_wrong_sha256_from_the_mirror_is_refused(raw, tmp_path, monkeypatch):
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    tampered = bytearray(PAYLOAD)
    tampered[100] ^= 0xFF
    (mirror / NAME).write_bytes(bytes(tampered))
    monkeypatch.setenv(acquire.MIRROR_ENV, str(mirror))
    with pytest.raises(ProvenanceError) as error:
        fetch_and_verify(raw / "sipri")
    assert not isinstance(error.value, acquire.FetchUnavailable)
    message = str(error.value)
    assert message.startswith(f"{raw / 'sipri' / RELEASE / NAME}: {mirror / NAME} sent")
    assert f"sidecar records {len(PAYLOAD)} bytes with sha256 {_sidecar()['sha256']}" in message
    assert message.endswith(
        "(rule: a fetched file must be byte-identical to the release its sidecar records)"
    )
    assert release_folder(raw) == [f"{NAME}.meta.yml"]


def test_an_html_page_instead_of_the_file_is_a_sha256_mismatch(raw, monkeypatch, server):
    page = b"<!DOCTYPE html><html><body>Please accept our cookies</body></html>"
    server.routes[f"/{NAME}"] = Route(body=page, headers={"Content-Type": "text/html"})
    monkeypatch.setenv(acquire.MIRROR_ENV, server.base)
    with pytest.raises(ProvenanceError, match=r"with sha256 [0-9a-f]{64} \(an HTML page"):
        fetch_and_verify(raw / "sipri")
    assert release_folder(raw) == [f"{NAME}.meta.yml"]


@pytest.mark.parametrize(
    ("announce", "cap", "message"),
    [
        (False, None, r"more than 51200 bytes; refused"),
        (True, None, r"server announces 102400 bytes, over 51200"),
        (True, 1024, r"the sidecar's size 51200 bytes is over the 1024-byte cap"),
    ],
)
def test_a_body_over_the_size_cap_is_refused(raw, monkeypatch, server, announce, cap, message):
    body = PAYLOAD * 2
    headers = {} if announce else {"Content-Length": None}  # None: send no length, stream on
    server.routes[f"/{NAME}"] = Route(body=body, headers=headers)
    monkeypatch.setenv(acquire.MIRROR_ENV, server.base)
    if cap is not None:
        monkeypatch.setattr(acquire, "MAX_FETCH_BYTES", cap)
    with pytest.raises(ProvenanceError, match=message) as error:
        fetch_and_verify(raw / "sipri")
    assert not isinstance(error.value, acquire.FetchUnavailable)
    assert release_folder(raw) == [f"{NAME}.meta.yml"]


# --- no location has the file: unavailable, and the run goes on without it -----------------------


@pytest.mark.parametrize("status", [404, 500])
def test_http_errors_make_the_file_unavailable_naming_the_url(raw, monkeypatch, server, status):
    if status == 500:
        server.routes[f"/{NAME}"] = Route(500, b"boom")
    monkeypatch.setenv(acquire.MIRROR_ENV, server.base)
    message = unavailable(raw / "sipri")
    assert f"{server.base}/{NAME}: HTTP {status}" in message
    assert acquire.MIRROR_ENV in message
    assert release_folder(raw) == [f"{NAME}.meta.yml"]


def test_a_truncated_body_makes_the_file_unavailable(raw, monkeypatch, server):
    half = PAYLOAD[: len(PAYLOAD) // 2]
    server.routes[f"/{NAME}"] = Route(body=half, length=len(PAYLOAD))
    monkeypatch.setenv(acquire.MIRROR_ENV, server.base)
    assert "truncated response" in unavailable(raw / "sipri")
    assert release_folder(raw) == [f"{NAME}.meta.yml"]


def test_unreachable_publisher_and_no_mirror_says_what_was_tried(tmp_path, monkeypatch):
    root = tmp_path / "raw"
    monkeypatch.setenv("DEFENCE_RAW_DIR", str(root))
    monkeypatch.delenv(acquire.MIRROR_ENV, raising=False)
    url = f"http://127.0.0.1:{_closed_port()}/{NAME}"
    target = write_sidecar(root, _sidecar(url=url))
    message = unavailable(root / "sipri")
    assert message.startswith(f"{target}: file missing and could not be fetched")
    assert f"Tried:\n  - {url}: request failed (" in message and "refused" in message
    assert message.endswith(
        f"{acquire.MIRROR_ENV} is unset, so the publisher URL was tried: set "
        f"{acquire.MIRROR_ENV} to a folder or http(s) base URL holding {NAME}."
    )
    assert release_folder(root) == [f"{NAME}.meta.yml"]


def test_one_file_unavailable_does_not_stop_the_others(raw, tmp_path, monkeypatch):
    """Two releases of one source: the mirror has the newer one only. It is fetched and verified;
    the older one is listed as unavailable, with its sidecar's facts."""
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    newer = b"newer edition " * 100
    (mirror / "newer.xlsx").write_bytes(newer)
    folder = raw / "sipri" / "2026-05-01"
    folder.mkdir()
    meta = _sidecar(newer, release_id="sipri_2026-05-01", release_date=dt.date(2026, 5, 1))
    (folder / "newer.xlsx.meta.yml").write_text(yaml.safe_dump(meta))
    monkeypatch.setenv(acquire.MIRROR_ENV, str(mirror))
    acquired = ensure_source(raw / "sipri")
    assert acquired.fetched == [folder / "newer.xlsx"]
    assert list(acquired.unavailable) == [raw / "sipri" / RELEASE / NAME]
    assert [r.release_id for r in find_releases(raw / "sipri")] == ["sipri_2026-05-01"]
    (missing,) = unavailable_releases(raw / "sipri")
    assert (missing.release_id, missing.meta["bytes"]) == ("sipri_test", len(PAYLOAD))


def test_a_missing_committed_file_is_not_fetched(raw, monkeypatch):
    write_sidecar(raw, _sidecar(redistribution=None))
    monkeypatch.setenv(acquire.MIRROR_ENV, "/nonexistent")
    with pytest.raises(ProvenanceError, match=r"file missing; its sidecar does not say"):
        fetch_and_verify(raw / "sipri")


def test_releases_are_found_by_sidecar_and_a_file_without_one_is_refused(raw, tmp_path):
    hidden = raw / "sipri" / ".incoming-2027-01-01"
    hidden.mkdir()
    (hidden / f"{NAME}.meta.yml").write_text("not: [read")  # a download in progress: skipped
    (raw / "sipri" / RELEASE / "stray.xlsx").write_bytes(b"no sidecar")
    with pytest.raises(ProvenanceError, match=r"stray\.xlsx: provenance sidecar .* is missing"):
        fetch_and_verify(raw / "sipri")
