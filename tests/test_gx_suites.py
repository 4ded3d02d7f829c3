"""The GX suites pass on NATO's real figures and fail on crafted bad frames."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.quality.nato_suite import validate_nato_frame
from pipeline.quality.target_status_suite import validate_target_status


@pytest.fixture(scope="module")
def nato_frame(nato_2024) -> pd.DataFrame:
    return nato_2024.frame


def _failed(outcome) -> set[tuple[str, str]]:
    return {(f["expectation"], f["kwargs"].get("column", "")) for f in outcome.failures}


def test_nato_suite_passes_on_the_real_release(nato_frame):
    outcome = validate_nato_frame(nato_frame)
    assert outcome.success, outcome.summary()
    assert outcome.evaluated >= 15


def _scaled_shares(frame, factor):
    bad = frame.copy()
    bad.loc[bad.measure == "defence_exp_share_gdp_pct", "value"] *= factor
    return bad


@pytest.mark.parametrize(
    ("corrupt", "expected"),
    [
        (
            lambda f: _scaled_shares(f, 0.01),  # 2.12 stored as a fraction 0.0212
            ("expect_column_values_to_be_between", "share_gdp_value"),
        ),
        (
            lambda f: _scaled_shares(f, 100),  # multiplied by 100
            ("expect_column_values_to_be_between", "share_gdp_value"),
        ),
        (
            lambda f: f.assign(value=f.value.where(~f.measure.str.startswith("gdp_usd"), -1.0)),
            ("expect_column_values_to_be_between", "money_value"),
        ),
        (
            lambda f: pd.concat([f, f.head(5)], ignore_index=True),
            ("expect_compound_columns_to_be_unique", ""),
        ),
        (
            lambda f: f.assign(year=f.year.where(f.year != 2014, 1014)),
            ("expect_column_values_to_be_between", "year"),
        ),
        (
            lambda f: f.assign(measure=f.measure.replace("military_personnel_k", "troops")),
            ("expect_column_values_to_be_in_set", "measure"),
        ),
    ],
    ids=[
        "share-as-fraction",
        "share-times-100",
        "negative-gdp",
        "duplicate-rows",
        "bad-year",
        "unknown-measure",
    ],
)
def test_nato_suite_fails_on_bad_frames(nato_frame, corrupt, expected):
    outcome = validate_nato_frame(corrupt(nato_frame))
    assert not outcome.success
    assert expected in _failed(outcome), outcome.summary()


def _target_status_frame() -> pd.DataFrame:
    """A small, valid fct_target_status-shaped frame (32 allies x 5 years)."""
    rows = []
    for i in range(32):
        for year in range(2020, 2025):
            share = 1.0 + i * 0.1
            rows.append(
                {
                    "country_code": f"X{chr(65 + i // 26)}{chr(65 + i % 26)}",
                    "year": year,
                    "release_id": "nato_test",
                    "is_estimate": year >= 2023,
                    "has_armed_forces": True,
                    "share_gdp_pct": share,
                    "gap_to_2pct_pp": max(2 - share, 0),
                    "gap_to_3_5pct_pp": max(3.5 - share, 0),
                    "gap_to_5pct_pp": max(5 - share, 0),
                    "gap_to_2pct_usd_m": 1.0,
                    "gap_to_3_5pct_usd_m": 1.0,
                    "gap_to_5pct_usd_m": 1.0,
                }
            )
    return pd.DataFrame(rows)


def test_target_status_suite_passes_on_a_valid_frame():
    outcome = validate_target_status(_target_status_frame())
    assert outcome.success, outcome.summary()


@pytest.mark.parametrize(
    ("corrupt", "expected"),
    [
        (
            lambda f: f.assign(gap_to_2pct_pp=-0.5),
            ("expect_column_values_to_be_between", "gap_to_2pct_pp"),
        ),
        (
            lambda f: f.assign(share_gdp_pct=f.share_gdp_pct * 100),
            ("expect_column_values_to_be_between", "share_gdp_pct"),
        ),
        (
            lambda f: pd.concat([f, f.head(1)], ignore_index=True),
            ("expect_compound_columns_to_be_unique", ""),
        ),
        (
            lambda f: f.assign(release_id=["a", "b"] * (len(f) // 2)),
            ("expect_column_unique_value_count_to_be_between", "release_id"),
        ),
        (lambda f: f.head(10), ("expect_table_row_count_to_be_between", "")),
    ],
    ids=["negative-gap", "share-times-100", "duplicate-key", "mixed-releases", "too-few-rows"],
)
def test_target_status_suite_fails_on_bad_frames(corrupt, expected):
    outcome = validate_target_status(corrupt(_target_status_frame()))
    assert not outcome.success
    assert expected in _failed(outcome), outcome.summary()


@pytest.fixture(scope="module")
def editions_2025_2026() -> pd.DataFrame:
    """The August 2025 and July 2026 editions as the raw load sees them (derived copies)."""
    from pipeline import paths
    from pipeline.sources.load import load_source

    frame, _, _ = load_source(paths.PROJECT_ROOT / "data" / "raw" / "nato")
    return frame[frame.release_id.isin(["nato_2025-08-28", "nato_2026-07-10"])].reset_index(
        drop=True
    )


def test_coverage_per_edition_accepts_a_blank_estimate_only(editions_2025_2026):
    """Germany's 2025 estimate is blank in the August 2025 edition: unknown, not missing. The same
    blank in an actual year (2023) is a broken file: the coverage suite names the ally-year."""
    outcome = validate_nato_frame(editions_2025_2026)
    assert outcome.success, outcome.summary()
    frame = editions_2025_2026.copy()
    actual = (
        (frame.release_id == "nato_2025-08-28")
        & (frame.country_code == "DEU")
        & (frame.year == 2023)
        & (frame.measure == "defence_exp_share_gdp_pct")
    )
    assert actual.sum() == 1
    frame.loc[actual, ["value", "cell_status"]] = [None, "blank"]
    failed = validate_nato_frame(frame)
    assert not failed.success
    (failure,) = [f for f in failed.failures if f["kwargs"].get("column") == "missing_share"]
    assert "DEU 2023 (nato_2025-08-28, shareofgdp.csv)" in str(failure)


def test_coverage_fails_when_an_ally_is_dropped_from_an_edition(editions_2025_2026):
    frame = editions_2025_2026[
        ~(
            (editions_2025_2026.release_id == "nato_2026-07-10")
            & (editions_2025_2026.country_code == "SVN")
        )
    ]
    failed = validate_nato_frame(frame)
    assert ("expect_column_values_to_be_null", "missing_share") in _failed(failed)
