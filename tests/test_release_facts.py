"""A release must agree with what it says of itself, on real-shaped files (issue 19).

- its years with its title's span, its sidecar's estimate years and its date, and a newer release
  must not end before the one it follows (``pipeline/sources/release_checks.py``);
- its folder, ``release_id`` and ``release_date`` with each other, its date with today, and its
  bytes with no other release's (``pipeline.provenance.check_release_facts``);
- a country name in decomposed Unicode (NFD) finds the same ally as the composed one.

Each refusal names the file first and the rule it broke.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
import yaml

from pipeline import paths
from pipeline.provenance import ProvenanceError, check_release_facts, find_releases, sha256_of
from pipeline.sources.countries import nato_country_code
from pipeline.sources.load import load_source
from pipeline.sources.sipri.countries import sipri_country_code
from tests.conftest import NATO_FILE, stage_release

EXTRACT_2023 = paths.PROJECT_ROOT / "data" / "raw" / "nato" / "2023-07-07"
YEAR = re.compile(r"^(20\d\d)(e?)$")


def _shift_year_labels(book) -> None:
    """Every year header one year later (2014 ... 2024e becomes 2015 ... 2025e, "Share of real GDP
    2014 (%)" becomes 2015), as a workbook whose labels slipped by a column would read: the rows
    with two or more year-like cells are headers."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            years = [c for c in row if c.value is not None and YEAR.match(str(c.value).strip())]
            if len(years) < 2:
                continue
            for cell in row:
                if isinstance(cell.value, int):
                    cell.value += 1
                elif isinstance(cell.value, str):
                    cell.value = re.sub(r"20\d\d", lambda m: str(int(m.group()) + 1), cell.value)


def _released(raw: Path, folder: str, source_file: Path, sidecar: dict) -> Path:
    """``source_file`` as a release in ``raw/nato/<folder>/`` with ``sidecar`` describing it."""
    target_dir = raw / "nato" / folder
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / source_file.name
    shutil.copyfile(source_file, target)
    meta = {**sidecar, "sha256": sha256_of(target), "bytes": target.stat().st_size}
    (target_dir / f"{target.name}.meta.yml").write_text(yaml.safe_dump(meta))
    return target


def _sidecar(data_file: Path) -> dict:
    return yaml.safe_load(data_file.with_name(data_file.name + ".meta.yml").read_text())


def test_shifted_year_labels_are_refused_naming_the_file_and_the_rule(crafted_workbook, tmp_path):
    shifted = crafted_workbook(_shift_year_labels)
    staged = stage_release(tmp_path / "raw", shifted)
    with pytest.raises(ProvenanceError) as refused:
        load_source(tmp_path / "raw" / "nato")
    message = str(refused.value)
    assert message.startswith(f"{staged}: the figures run 2015-2025 but the title says 2014-2024")
    assert "rule: a release's years are the span its title states" in message


def test_a_title_promising_years_the_tables_do_not_have_is_refused(tmp_path):
    """The downloaded "(2014-2027)" workbook whose tables end in 2024 (issue 19, case 1)."""
    staged = stage_release(
        tmp_path / "raw", NATO_FILE, title="Defence Investment of NATO Countries (2014-2027)"
    )
    with pytest.raises(ProvenanceError, match=re.escape(f"{staged}: the figures run 2014-2024")):
        load_source(tmp_path / "raw" / "nato")


def test_estimate_years_must_be_the_ones_the_file_marks(tmp_path):
    staged = stage_release(tmp_path / "raw", NATO_FILE, estimate_years=[2024, 2025])
    with pytest.raises(ProvenanceError) as refused:
        load_source(tmp_path / "raw" / "nato")
    assert str(refused.value).startswith(
        f"{staged}: the file marks [2023, 2024] as estimates but the sidecar's estimate_years "
        "are [2024, 2025]"
    )


def test_a_newer_release_that_ends_earlier_is_refused(tmp_path):
    """The 2023 extract (2014-2023) dated after the 2024 edition would take the latest figures
    back a year; it is refused by name."""
    raw = tmp_path / "raw"
    stage_release(raw, NATO_FILE)
    (extract,) = [p for p in EXTRACT_2023.iterdir() if not p.name.endswith(".meta.yml")]
    later = {**_sidecar(extract), "release_id": "nato_2025-01-15"}
    later["release_date"] = dt.date(2025, 1, 15)
    staged = _released(raw, "2025-01-15", extract, later)
    with pytest.raises(ProvenanceError) as refused:
        load_source(raw / "nato")
    assert str(refused.value).startswith(
        f"{staged}: release nato_2025-01-15 ends in 2023, before the release it follows "
        "(nato_2024-06-17, which ends in 2024)"
    )


@pytest.mark.parametrize("source", ["nato", pytest.param("sipri", marks=pytest.mark.sipri)])
def test_the_repos_releases_agree_with_themselves(source):
    releases = find_releases(paths.raw_dir() / source)
    check_release_facts(releases)  # raises otherwise
    assert releases


def test_a_release_dated_in_the_future_is_refused(tmp_path):
    raw = tmp_path / "raw"
    meta = {**_sidecar(NATO_FILE), "release_id": "nato_2027-07-10"}
    meta["release_date"] = dt.date(2027, 7, 10)
    staged = _released(raw, "2027-07-10", NATO_FILE, meta)
    releases = find_releases(raw / "nato")
    with pytest.raises(ProvenanceError) as refused:
        check_release_facts(releases, today=dt.date(2026, 12, 6))
    assert str(refused.value).startswith(
        f"{staged}: release_date 2027-07-10 is in the future (today is 2026-12-06)"
    )
    check_release_facts(releases, today=dt.date(2027, 7, 10))  # published by then


@pytest.mark.parametrize(
    ("release_id", "release_date"),
    [("nato_2024-06-18", dt.date(2024, 6, 17)), ("nato_2024-06-17", dt.date(2024, 6, 18))],
    ids=["release_id", "release_date"],
)
def test_folder_release_id_and_date_must_agree(tmp_path, release_id, release_date):
    staged = stage_release(tmp_path / "raw", NATO_FILE, release_id=release_id)
    meta = _sidecar(staged)
    meta["release_date"] = release_date
    staged.with_name(staged.name + ".meta.yml").write_text(yaml.safe_dump(meta))
    with pytest.raises(ProvenanceError) as refused:
        check_release_facts(find_releases(tmp_path / "raw" / "nato"))
    assert str(refused.value).startswith(f"{staged}: folder '2024-06-17', release_id ")
    assert "rule: a release lives in data/raw/<source>/<release_date>/" in str(refused.value)


def test_the_same_bytes_as_another_release_are_refused_naming_both(tmp_path):
    raw = tmp_path / "raw"
    first = stage_release(raw, NATO_FILE)
    meta = {**_sidecar(NATO_FILE), "release_id": "nato_2024-07-01"}
    meta["release_date"] = dt.date(2024, 7, 1)
    second = _released(raw, "2024-07-01", NATO_FILE, meta)
    with pytest.raises(ProvenanceError) as refused:
        check_release_facts(find_releases(raw / "nato"))
    assert str(refused.value).startswith(f"{second}: the same bytes (sha256 ")
    assert f"as {first} of release nato_2024-06-17" in str(refused.value)


def test_a_name_in_decomposed_unicode_finds_the_same_ally():
    decomposed = "Tu\u0308rkiye"
    assert decomposed != "Türkiye"
    assert nato_country_code(decomposed) == nato_country_code("Türkiye") == "TUR"
    assert sipri_country_code("Tu\u0308rkiye") == sipri_country_code("Türkiye") == "TUR"
