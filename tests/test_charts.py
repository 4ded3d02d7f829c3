"""The charts draw what the marts hold, NULLs included: an edition that starts after 2014 has no
pace since 2014, so ``fct_path_to_2035`` has NULL projections (issue 19: its chart raised
matplotlib's ConversionError after the warehouse was replaced)."""

from __future__ import annotations

import pandas as pd

from pipeline.reports import charts
from pipeline.reports.previews import _plain_numbers

PNG = b"\x89PNG"


def _path(projected) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "country_code": ["POL", "DEU", "ISL"],
            "base_share_gdp_pct": pd.array([4.48, 2.12, None], dtype="Float64"),
            "projected_share_gdp_pct_2035": pd.array(projected, dtype="Float64"),
        }
    )


def test_the_path_chart_draws_an_edition_without_a_pace_since_2014():
    for frame in (_path([None, None, None]), _plain_numbers(_path([None, None, None]))):
        assert charts.path_to_2035(frame).startswith(PNG)


def test_the_path_chart_draws_the_allies_that_have_a_projection():
    assert charts.path_to_2035(_path([6.1, None, None])).startswith(PNG)


def test_nullable_numbers_become_nan_for_matplotlib():
    plain = _plain_numbers(_path([None, 3.0, None]))
    assert plain["projected_share_gdp_pct_2035"].dtype == "float64"
    assert plain["projected_share_gdp_pct_2035"].isna().tolist() == [True, False, True]
    assert plain["country_code"].tolist() == ["POL", "DEU", "ISL"]
