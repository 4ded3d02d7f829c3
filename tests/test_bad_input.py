"""Bad input, scenario by scenario, through the load path a scheduled run takes.

Each scenario stages the real NATO releases in a temporary raw folder, breaks one thing, and
expects a clear error naming the file and sheet/row/column and the rule, or a failed GX gate that
names the cells. The real files in data/raw are never written. docs/scenarios.md lists them all.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest

from pipeline import paths
from pipeline.provenance import ProvenanceError, sha256_of
from pipeline.quality.nato_suite import validate_nato_frame
from pipeline.sources.load import load_source
from pipeline.sources.workbook import WorkbookLayoutError
from tests.conftest import NATO_FILE, stage_release

REAL_NATO_DIR = paths.PROJECT_ROOT / "data" / "raw" / "nato"


@pytest.fixture(scope="module")
def real_raw_checksums():
    files = sorted(p for p in (paths.PROJECT_ROOT / "data" / "raw").rglob("*") if p.is_file())
    before = {p: sha256_of(p) for p in files}
    yield before
    assert {p: sha256_of(p) for p in files} == before, "a test changed a file in data/raw"


@pytest.fixture
def raw_copy(tmp_path, real_raw_checksums) -> Path:
    """A copy of data/raw/nato with every release, ready to be broken."""
    target = tmp_path / "nato"
    shutil.copytree(REAL_NATO_DIR, target)
    return target


def _restage(raw_copy: Path, edit, **sidecar_overrides) -> Path:
    """Rewrite the 2024 workbook in ``raw_copy`` with ``edit`` and a sidecar matching its bytes."""
    book = openpyxl.load_workbook(NATO_FILE)
    edit(book)
    crafted = raw_copy.parent / "crafted.xlsx"
    book.save(crafted)
    return stage_release(raw_copy.parent, crafted, **sidecar_overrides)


def test_a_half_downloaded_workbook_is_refused(raw_copy):
    target = raw_copy / "2024-06-17" / NATO_FILE.name
    target.write_bytes(NATO_FILE.read_bytes()[:100_000])
    with pytest.raises(ProvenanceError, match=r"240617-def-exp-2024-TABLES-en.xlsx: size 100000"):
        load_source(raw_copy)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "file is empty"),
        (b"<html><body>Service unavailable</body></html>", "not a readable .xlsx workbook"),
        (b"PK\x03\x04" + b"\x00" * 200, "not a readable .xlsx workbook"),
    ],
    ids=["empty", "html-error-page", "corrupt-zip"],
)
def test_a_file_that_is_not_a_workbook_fails_by_name_even_with_a_matching_sidecar(
    raw_copy, tmp_path, content, message
):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(content)
    stage_release(raw_copy.parent, bad)
    with pytest.raises(WorkbookLayoutError, match=message):
        load_source(raw_copy)


def test_a_zip_bomb_is_refused_before_parsing(raw_copy, tmp_path):
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/big.bin", b"\x00" * (210 * 1024 * 1024))
    stage_release(raw_copy.parent, bomb)
    with pytest.raises(WorkbookLayoutError, match="rule: no zip bombs"):
        load_source(raw_copy)


def test_a_missing_or_invalid_sidecar_is_refused(raw_copy):
    sidecar = raw_copy / "2024-06-17" / (NATO_FILE.name + ".meta.yml")
    sidecar.write_text("sha256: [not, closed")
    with pytest.raises(ProvenanceError, match="not valid YAML"):
        load_source(raw_copy)
    sidecar.unlink()
    with pytest.raises(ProvenanceError, match="provenance sidecar .* is missing"):
        load_source(raw_copy)


def test_an_unknown_format_in_the_sidecar_is_refused(raw_copy):
    stage_release(raw_copy.parent, NATO_FILE, format="nato_tables_pdf")
    with pytest.raises(ProvenanceError, match="sidecar format 'nato_tables_pdf' is not one of"):
        load_source(raw_copy)


def _gate(frame):
    return validate_nato_frame(frame, {"nato_2019-06-25", "nato_2024-06-17"})


def _failed_columns(outcome) -> set[str]:
    return {f["kwargs"].get("column", "") for f in outcome.failures}


def test_a_release_that_drops_a_year_fails_the_gate(raw_copy):
    def drop_2019(book):
        for sheet in ("TABLE1", "TABLE2", "TABLE3", "TABLE5", "TABLE6", "TABLE8a", "TABLE8b"):
            book[sheet].delete_cols(9)  # column I: 2019
        book["TABLE7"].delete_cols(10)

    _restage(raw_copy, drop_2019)
    frame, _, _ = load_source(raw_copy)
    outcome = _gate(frame)
    assert "year_gap" in _failed_columns(outcome), outcome.summary()
    assert "2014-2024 with 1 year(s) missing" in outcome.summary()


def test_a_missing_ally_fails_the_gate_naming_it(raw_copy):
    def remove_poland(book):
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    if isinstance(cell.value, str) and cell.value.startswith("Poland"):
                        sheet.delete_rows(cell.row)
                        break

    _restage(raw_copy, remove_poland)
    frame, _, _ = load_source(raw_copy)
    outcome = _gate(frame)
    assert "missing_share" in _failed_columns(outcome)
    # The release and the file to open (issue 19: the release alone was named).
    assert "POL 2014 (nato_2024-06-17, 240617-def-exp-2024-TABLES-en.xlsx)" in outcome.summary()
    assert outcome.failures[0]["detail"]["unexpected_count"] == 11  # 2014-2024


def test_a_unit_slip_in_one_cell_fails_the_gate_naming_the_cell(raw_copy):
    # Germany 2022: 1.49 stored as 1.49 x 1.5; still a plausible share, but no longer
    # 100 x spending / GDP of Tables 2 and 5.
    _restage(raw_copy, lambda b: b["TABLE3"].__setitem__("M21", b["TABLE3"]["M21"].value * 1.5))
    frame, _, _ = load_source(raw_copy)
    outcome = _gate(frame)
    assert _failed_columns(outcome) == {"share_vs_money_gap_pp"}
    assert "TABLE3!M21" in outcome.summary()


def test_an_estimate_the_sidecar_does_not_list_is_refused_by_the_load(raw_copy):
    staged = _restage(raw_copy, lambda b: b["TABLE3"].__setitem__("K8", "2020e"))
    with pytest.raises(ProvenanceError) as refused:
        load_source(raw_copy)
    assert str(refused.value).startswith(
        f"{staged}: the file marks [2020, 2023, 2024] as estimates but the sidecar's "
        "estimate_years are [2023, 2024]"
    )


def test_an_estimate_marked_before_actual_years_fails_the_gate(raw_copy):
    """A sidecar that lists no estimate years leaves the rule to the GX gate."""
    _restage(raw_copy, lambda b: b["TABLE3"].__setitem__("K8", "2020e"), estimate_years=None)
    frame, _, _ = load_source(raw_copy)
    outcome = _gate(frame)
    assert "estimate_before_actual" in _failed_columns(outcome)
    assert "2020 estimate before actual 2022" in outcome.summary()


def test_the_real_releases_pass_the_gate(raw_copy):
    frame, stats, releases = load_source(raw_copy)
    assert list(dict.fromkeys(r.release_id for r in releases)) == [
        "nato_2019-06-25",
        "nato_2023-07-07",
        "nato_2024-06-17",
        "nato_2025-08-28",
        "nato_2026-07-10",
    ]
    outcome = _gate(frame)
    assert outcome.success, outcome.summary()
