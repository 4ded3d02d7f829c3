"""The NATO parser on NATO's real June 2024 workbook: real cells, flags and counts."""

from __future__ import annotations

import pytest

from tests.conftest import NATO_FILE, table3_share


def _share(frame, country_code, year):
    return table3_share(frame, country_code, year)


def test_every_table_parses_into_one_long_frame(nato_2024):
    frame = nato_2024.frame
    assert sorted(frame.table_id.unique()) == ["1", "2", "3", "4", "5", "6", "7", "8a", "8b"]
    assert len(frame) == 5501
    assert nato_2024.stats["tables"] == 9
    assert frame.duplicated(["table_id", "section", "country_name", "year", "measure"]).sum() == 0


def test_poland_2024_estimate_as_published_in_table_3(nato_2024):
    poland = _share(nato_2024.frame, "POL", 2024)
    assert poland.value == pytest.approx(4.120190989357147, rel=1e-12)
    assert poland.is_estimate
    assert poland.has_national_2pct_law
    assert poland.price_base_year == 2015
    assert poland.country_label == "Poland*"
    assert (poland.sheet, poland.cell) == ("TABLE3", "N32")


def test_only_us_greece_and_uk_met_two_percent_in_2014(nato_2024):
    frame = nato_2024.frame
    shares = frame[
        (frame.measure == "defence_exp_share_gdp_pct")
        & (frame.table_id == "3")
        & (frame.year == 2014)
        & ~frame.is_aggregate
    ]
    met = shares[shares.value >= 2].set_index("country_code").value.round(3).to_dict()
    assert met == {"USA": 3.714, "GRC": 2.222, "GBR": 2.142}


def test_aggregates_are_kept_and_marked(nato_2024):
    frame = nato_2024.frame
    europe = (
        frame[
            (frame.country_name == "NATO Europe and Canada")
            & (frame.table_id == "3")
            & (frame.measure == "defence_exp_share_gdp_pct")
        ]
        .set_index("year")
        .value
    )
    assert europe[2014] == pytest.approx(1.4278, abs=1e-4)
    assert europe[2024] == pytest.approx(2.0155, abs=1e-4)
    aggregates = frame[frame.is_aggregate]
    assert aggregates.country_code.isna().all()
    assert set(aggregates.country_name) == {"NATO Europe and Canada", "NATO Total"}


def test_estimate_years_come_from_the_e_on_the_header(nato_2024):
    frame = nato_2024.frame
    assert sorted(frame.loc[frame.is_estimate, "year"].unique()) == [2023, 2024]
    assert not frame.loc[frame.year == 2019, "is_estimate"].any()  # '2019' is stored as text


def test_national_two_percent_law_stars(nato_2024):
    starred = set(nato_2024.frame.loc[nato_2024.frame.has_national_2pct_law, "country_code"])
    assert starred == {"CZE", "EST", "LVA", "LTU", "POL", "ROU"}


def test_iceland_has_gdp_rows_only(nato_2024):
    iceland = nato_2024.frame[nato_2024.frame.country_code == "ISL"]
    assert set(iceland.measure) == {
        "gdp_usd_current_m",
        "gdp_usd_const_m",
        "gdp_per_capita_usd_const_k",
    }
    assert len(iceland) == 33


def test_broken_ref_rows_are_counted_not_loaded(nato_2024):
    # Tables 1, 8a and 8b end with aggregate rows whose labels and cells read #REF! in NATO's file.
    assert nato_2024.stats["unlabelled_rows_skipped"] == 6
    assert nato_2024.stats["excel_error_cells_in_unlabelled_rows"] == 30


def test_currency_and_units(nato_2024):
    frame = nato_2024.frame
    albania = frame[(frame.country_code == "ALB") & (frame.table_id == "1")].iloc[0]
    assert albania.currency == "Leks"
    assert albania.unit == "million national currency units"
    assert albania.value == pytest.approx(18788.017032)


def test_source_file_and_release_recorded(nato_2024):
    assert set(nato_2024.frame.source_file) == {NATO_FILE.name}
    assert set(nato_2024.frame.release_id) == {"nato_2024-06-17"}
