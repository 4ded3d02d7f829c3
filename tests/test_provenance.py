"""Provenance sidecars: the real file verifies; any mismatch or bad sidecar is refused by name."""

from __future__ import annotations

import shutil

import pytest

from pipeline.provenance import ProvenanceError, find_releases, verify_release
from tests.conftest import NATO_FILE, stage_release


def test_real_file_matches_its_sidecar():
    release = verify_release(NATO_FILE)
    assert release.release_id == "nato_2024-06-17"
    assert release.meta["sha256"] == (
        "1897e2ead4be252c5c9a9d2f2696a65398c51375c88a2e7425339a8d368a600b"
    )
    assert release.meta["price_base_year"] == 2015
    assert str(release.meta["cutoff_date"]) == "2024-06-12"


def test_truncated_file_is_refused(tmp_path):
    target = stage_release(tmp_path, NATO_FILE)
    target.write_bytes(NATO_FILE.read_bytes()[:50_000])
    with pytest.raises(ProvenanceError, match=r"size 50000 bytes does not match"):
        verify_release(target)


def test_same_size_other_bytes_is_refused(tmp_path):
    target = stage_release(tmp_path, NATO_FILE)
    data = bytearray(NATO_FILE.read_bytes())
    data[1000] ^= 0xFF
    target.write_bytes(bytes(data))
    with pytest.raises(ProvenanceError, match=r"sha256 [0-9a-f]{64} does not match"):
        verify_release(target)


def test_missing_sidecar_is_refused(tmp_path):
    shutil.copyfile(NATO_FILE, tmp_path / NATO_FILE.name)
    with pytest.raises(ProvenanceError, match=r"provenance sidecar .*\.meta\.yml is missing"):
        verify_release(tmp_path / NATO_FILE.name)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: [unclosed", "not valid YAML"),
        ("- a list", "expected a mapping"),
        ("source: nato\n", "required field\\(s\\) missing: release_id"),
    ],
)
def test_invalid_sidecar_is_refused(tmp_path, text, message):
    target = stage_release(tmp_path, NATO_FILE)
    target.with_name(target.name + ".meta.yml").write_text(text)
    with pytest.raises(ProvenanceError, match=message):
        verify_release(target)


def test_find_releases_lists_every_release_oldest_first(tmp_path):
    stage_release(tmp_path, NATO_FILE)
    releases = find_releases(tmp_path / "nato")
    assert [r.release_id for r in releases] == ["nato_2024-06-17"]
    with pytest.raises(ProvenanceError, match="source folder not found"):
        find_releases(tmp_path / "sipri")
