"""The SIPRI gate: wartime shares pass only through the documented allowlist; slips still fail."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline import paths
from pipeline.quality.sipri_suite import (
    NO_MILITARY_EXPENDITURE,
    WARTIME_ALLOWLIST,
    validate_sipri_frame,
)
from pipeline.sources.load import load_source
from tests.conftest import once_per_session

pytestmark = pytest.mark.sipri


@pytest.fixture(scope="module")
def sipri(tmp_path_factory, worker_id) -> pd.DataFrame:
    """SIPRI's real editions loaded once for the whole test session (both workers)."""
    return once_per_session(tmp_path_factory, worker_id, "sipri_loaded", _load_sipri)


def _load_sipri(_folder) -> pd.DataFrame:
    frame, _, _ = load_source(paths.PROJECT_ROOT / "data" / "raw" / "sipri")
    return frame


def _failed(outcome) -> set[str]:
    return {f["kwargs"].get("column", "") for f in outcome.failures}


def test_both_real_editions_pass_with_wartime_figures(sipri):
    outcome = validate_sipri_frame(sipri)
    assert outcome.success, outcome.summary()
    ukraine = sipri[
        (sipri.country_code == "UKR") & (sipri.measure == "share_gdp_pct") & (sipri.year == 2023)
    ]
    # 2026, 2025 and 2024 editions
    assert sorted(ukraine.value.round(2)) == [36.03, 36.53, 36.65]
    assert set(sipri.release_id) == {"sipri_2024-04-22", "sipri_2025-04-28", "sipri_2026-04-27"}


def test_every_allowlisted_episode_is_needed(sipri):
    """The allowlist is no longer than the data needs: each episode has a share above 20%."""
    shares = sipri[sipri.measure == "share_gdp_pct"]
    for episode in WARTIME_ALLOWLIST:
        rows = shares[
            (shares.country_code == episode.country_code)
            & shares.year.between(episode.first_year, episode.last_year)
        ]
        assert (rows.value > 20).any(), episode


def test_a_wartime_share_times_100_still_fails(sipri):
    bad = sipri.copy()
    ukraine = (bad.country_code == "UKR") & (bad.measure == "share_gdp_pct") & (bad.year == 2023)
    bad.loc[ukraine, "value"] *= 100
    outcome = validate_sipri_frame(bad)
    assert "allowlisted_share_over_cap" in _failed(outcome), outcome.summary()


def test_a_share_above_20_outside_the_allowlist_fails_naming_the_cell(sipri):
    bad = sipri.copy()
    poland = (bad.country_code == "POL") & (bad.measure == "share_gdp_pct") & (bad.year == 2024)
    bad.loc[poland, "value"] = 41.5  # a decimal slip: 4.15 -> 41.5
    outcome = validate_sipri_frame(bad)
    assert _failed(outcome) == {"share_gdp_value"}
    assert "Share of GDP!BZ146" in outcome.summary()


def test_negative_money_fails(sipri):
    bad = sipri.copy()
    bad.loc[bad.measure == "spending_usd_m", "value"] *= -1
    assert "money_value" in _failed(validate_sipri_frame(bad))


def test_zero_shares_pass_only_for_countries_without_a_military(sipri):
    """The 2026 edition prints 0 for Costa Rica, Iceland and Panama (no military); each entry of
    the list is needed, and a 0 anywhere else still fails naming the cell."""
    zeros = sipri[(sipri.measure == "share_gdp_pct") & (sipri.value == 0)]
    assert set(zeros.release_id) == {"sipri_2026-04-27"}
    assert set(zeros.country_code) == {e.country_code for e in NO_MILITARY_EXPENDITURE}
    bad = sipri.copy()
    poland = (bad.country_code == "POL") & (bad.measure == "share_gdp_pct") & (bad.year == 2024)
    bad.loc[poland, "value"] = 0.0
    outcome = validate_sipri_frame(bad)
    assert _failed(outcome) == {"share_gdp_value"}
    assert "Share of GDP!BZ146" in outcome.summary()


def test_a_negative_share_for_a_country_without_a_military_still_fails(sipri):
    bad = sipri.copy()
    iceland = (bad.country_code == "ISL") & (bad.measure == "share_gdp_pct") & (bad.year == 2025)
    assert iceland.sum() == 1
    bad.loc[iceland, "value"] = -0.5
    assert _failed(validate_sipri_frame(bad)) == {"share_gdp_value"}
