"""NATO's August 2025 and July 2026 editions, parsed from the derived copies in data/raw.

Values asserted are the ones ../shared/data/SOURCES.md lists as checked against independent copies.
Crafted variants prove each rule of the two CSV parsers fails loudly, naming file and line.
"""

from __future__ import annotations

import math
import shutil

import pytest
import yaml

from pipeline import paths
from pipeline.provenance import find_releases, sha256_of
from pipeline.sources.csv_rows import csv_number
from pipeline.sources.load import load_source
from pipeline.sources.nato.edition_csv import parse_long_csv, parse_wide_csv
from pipeline.sources.workbook import WorkbookLayoutError
from tests.conftest import table3_share

NATO_DIR = paths.PROJECT_ROOT / "data" / "raw" / "nato"
EDITION_2025 = NATO_DIR / "2025-08-28"
EDITION_2026 = NATO_DIR / "2026-07-10"


def _meta(path):
    return yaml.safe_load(path.with_name(path.name + ".meta.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def editions():
    """Every NATO release through the same load path a run takes, by release."""
    frame, stats, releases = load_source(NATO_DIR)
    return {rid: part for rid, part in frame.groupby("release_id")}, stats, releases


def test_the_2025_edition_is_one_release_of_seven_files(editions):
    _, stats, releases = editions
    files = [r.path.name for r in releases if r.release_id == "nato_2025-08-28"]
    assert sorted(files) == [
        "militarypersonelinthousands.csv",
        "portionofexpenditure_equipment.csv",
        "portionofexpenditure_infrastructure.csv",
        "portionofexpenditure_other.csv",
        "portionofexpenditure_personel.csv",
        "realchange.csv",
        "shareofgdp.csv",
    ]
    assert stats["nato_2025-08-28/shareofgdp.csv"] == {"rows": 33 * 12, "lines": 33}
    assert [r.release_id for r in find_releases(NATO_DIR)][-1] == "nato_2026-07-10"


def test_2025_edition_values_as_checked_in_sources(editions):
    frame = editions[0]["nato_2025-08-28"]
    assert table3_share(frame, "POL", 2024).value == pytest.approx(3.789, abs=5e-5)
    assert table3_share(frame, "POL", 2025).value == pytest.approx(4.4805, abs=5e-5)
    spain = table3_share(frame, "ESP", 2025)
    assert spain.value == pytest.approx(2.000015, abs=5e-7) and spain.is_estimate
    shares = frame[frame.measure == "defence_exp_share_gdp_pct"].set_index(["country_name", "year"])
    assert round(shares.loc[("NATO Europe and Canada", 2014), "value"], 4) == 1.3989
    assert round(shares.loc[("NATO Europe and Canada", 2025), "value"], 4) == 2.2724
    assert round(shares.loc[("NATO Total", 2025), "value"], 4) == 2.7599
    assert set(frame.price_base_year.dropna()) == {2021}
    assert sorted(frame.loc[frame.is_estimate, "year"].unique()) == [2024, 2025]


def test_germany_2025_is_blank_in_the_2025_edition_not_zero(editions):
    frame = editions[0]["nato_2025-08-28"]
    germany = table3_share(frame, "DEU", 2025)
    assert math.isnan(germany.value) and germany.cell_status == "blank"
    assert germany.cell == "line 12, column 13"
    blanks = frame[frame.cell_status == "blank"]
    assert len(blanks) == 13  # Germany x 6 series, DNK 1, PRT 3, FRA/GBR/USA personnel
    assert set(blanks.year) == {2025}


def test_2026_edition_is_core_defence_at_two_decimals(editions):
    frame = editions[0]["nato_2026-07-10"]
    assert len(frame) == 6273 and (frame.cell_status == "value").all()
    assert table3_share(frame, "POL", 2025).value == 4.25
    assert table3_share(frame, "POL", 2026).value == 4.68
    assert table3_share(frame, "DEU", 2025).value == 2.22
    assert table3_share(frame, "ESP", 2026).value == 2.0
    greece = table3_share(frame, "GRC", 2026)  # Eurostat's EL, Italian name as printed
    assert greece.country_label == "Grecia" and greece.country_name == "Greece"
    shares = frame[frame.measure == "defence_exp_share_gdp_pct"].set_index(["country_name", "year"])
    assert shares.loc[("NATO Europe and Canada", 2026), "value"] == 2.53
    assert "ISL" not in set(frame.country_code)
    assert frame.has_national_2pct_law.isna().all()  # the copy lost NATO's '*': unknown


def _staged(tmp_path, source, edit):
    """Copy a real release file, apply ``edit(text) -> text``, and fix its sidecar's checksum."""
    target = tmp_path / source.name
    target.write_text(edit(source.read_text(encoding="utf-8")), encoding="utf-8")
    meta = _meta(source)
    meta.update(sha256=sha256_of(target), bytes=target.stat().st_size)
    return target, meta


def test_text_where_a_share_belongs_fails_naming_file_line_and_column(tmp_path):
    source = EDITION_2025 / "shareofgdp.csv"
    target, meta = _staged(tmp_path, source, lambda t: t.replace("1.330681866", "n/a", 1))
    with pytest.raises(WorkbookLayoutError, match=r"shareofgdp.csv, line 2, column 2 \(2014\)"):
        parse_wide_csv(target, "nato_2025-08-28", meta)


def test_an_unknown_country_or_geo_code_fails(tmp_path):
    wide, meta = _staged(
        tmp_path, EDITION_2025 / "shareofgdp.csv", lambda t: t.replace('"Albania"', '"Albnia"')
    )
    with pytest.raises(WorkbookLayoutError, match="line 2: unknown country 'Albnia'"):
        parse_wide_csv(wide, "nato_2025-08-28", meta)
    long, meta = _staged(
        tmp_path, EDITION_2026 / "nato_defence.csv", lambda t: t.replace("\nAL,", "\nXX,", 1)
    )
    with pytest.raises(WorkbookLayoutError, match="nato_defence.csv, line 2: unknown geo code"):
        parse_long_csv(long, "nato_2026-07-10", meta)


def test_estimates_and_price_base_must_match_the_sidecar(tmp_path):
    wide, meta = _staged(tmp_path, EDITION_2025 / "shareofgdp.csv", lambda t: t)
    with pytest.raises(WorkbookLayoutError, match=r"estimate years \[2024, 2025\] differ"):
        parse_wide_csv(wide, "nato_2025-08-28", {**meta, "estimate_years": [2025]})
    long, meta = _staged(tmp_path, EDITION_2026 / "nato_defence.csv", lambda t: t)
    with pytest.raises(
        WorkbookLayoutError, match="is in 2021 prices, but the sidecar says price_base_year 2015"
    ):
        parse_long_csv(long, "nato_2026-07-10", {**meta, "price_base_year": 2015})


def test_an_unknown_series_in_the_long_file_fails(tmp_path):
    long, meta = _staged(
        tmp_path,
        EDITION_2026 / "nato_defence.csv",
        lambda t: t.replace("core_share_gdp", "core_share_gnp", 1),
    )
    with pytest.raises(WorkbookLayoutError, match="unknown series 'core_share_gnp'"):
        parse_long_csv(long, "nato_2026-07-10", meta)


def test_a_sidecar_whose_definition_contradicts_the_file_stops_the_load(tmp_path, monkeypatch):
    """load_source compares the definition a parser reads off the file with the sidecar's."""
    from pipeline.provenance import ProvenanceError
    from pipeline.sources import load

    raw = tmp_path / "nato" / "2026-07-10"
    raw.mkdir(parents=True)
    shutil.copy(EDITION_2026 / "nato_defence.csv", raw)
    shutil.copy(EDITION_2026 / "nato_defence.csv.meta.yml", raw)
    real_parse = load.parse

    def parse_reading_titles(release):
        result = real_parse(release)
        result.stats["defence_definition"] = "nato_defence_expenditure"
        return result

    monkeypatch.setattr(load, "parse", parse_reading_titles)
    with pytest.raises(ProvenanceError, match="sidecar records defence_definition 'core_defence'"):
        load.load_source(tmp_path / "nato")


def test_one_csv_number_reader_for_every_csv_copy():
    """Each CSV parser reads figures with ``csv_rows.csv_number``; only what counts as missing
    differs (passport's ``NA``) and whether a copied ``#REF!`` keeps its status."""
    assert csv_number(" 2.5 ", "f, line 2") == (2.5, "value")
    assert csv_number("", "f, line 2") == (None, "blank")
    assert csv_number("NA", "f, line 2", missing=("", "NA")) == (None, "blank")
    assert csv_number("#REF!", "f, line 2", excel_errors=True) == (None, "excel_error")
    for raw in ("NA", "#REF!", "2,5"):
        with pytest.raises(WorkbookLayoutError, match=rf"f, line 2: expected a number.*{raw}"):
            csv_number(raw, "f, line 2")
