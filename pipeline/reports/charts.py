"""Charts of the published marts, as PNG bytes, drawn from frames read out of the warehouse.

Each function takes the rows it plots and returns a PNG: the Dagster UI shows them on the mart
assets, and they are written beside the warehouse for anyone without the UI. Matplotlib's Agg
backend draws without a screen.
"""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)
import pandas as pd  # noqa: E402

TARGET_LINES = (
    (2.0, "2% (Wales 2014)", "#555555"),
    (3.5, "3.5% core (Hague 2035)", "#d95f02"),
    (5.0, "5% (Hague 2035)", "#7570b3"),
)


def _png(figure) -> bytes:
    buffer = io.BytesIO()
    figure.tight_layout()
    figure.savefig(buffer, format="png", dpi=90)
    plt.close(figure)
    return buffer.getvalue()


def shares_against_targets(status: pd.DataFrame) -> bytes:
    """Each ally's share of GDP in the latest year, against the 2%, 3.5% and 5% lines."""
    year = int(status["year"].max())
    rows = status[(status["year"] == year) & status["share_gdp_pct"].notna()]
    rows = rows.sort_values("share_gdp_pct")
    figure, axes = plt.subplots(figsize=(8, 9))
    colours = ["#1b9e77" if met else "#bbbbbb" for met in rows["meets_2pct"]]
    axes.barh(rows["country_code"], rows["share_gdp_pct"], color=colours)
    for value, label, colour in TARGET_LINES:
        axes.axvline(value, color=colour, linestyle="--", label=label)
    estimate = " (estimate)" if rows["is_estimate"].any() else ""
    axes.set_title(f"Defence spending, % of GDP, {year}{estimate} (NATO)")
    axes.set_xlabel("% of real GDP")
    axes.legend(loc="lower right")
    return _png(figure)


def allies_meeting_two_percent(alliance: pd.DataFrame) -> bytes:
    """Allies meeting 2% each year, out of the allies with data (latest NATO release)."""
    rows = alliance[alliance["aggregate_name"] == "NATO Total"].sort_values("year")
    figure, axes = plt.subplots(figsize=(8, 4))
    axes.bar(rows["year"], rows["allies_with_data"], color="#dddddd", label="allies with data")
    axes.bar(rows["year"], rows["allies_meeting_2pct"], color="#1b9e77", label="meeting 2%")
    axes.set_title("Allies meeting 2% of GDP (NATO)")
    axes.set_xticks(rows["year"])
    axes.legend(loc="upper left")
    return _png(figure)


def europe_and_canada_against_us(alliance: pd.DataFrame, status: pd.DataFrame) -> bytes:
    """NATO Europe and Canada's share of GDP against the United States', by year."""
    europe = alliance[alliance["aggregate_name"] == "NATO Europe and Canada"].sort_values("year")
    us = status[status["country_code"] == "USA"].sort_values("year")
    figure, axes = plt.subplots(figsize=(8, 4))
    axes.plot(
        europe["year"],
        europe["share_gdp_pct_published"],
        marker="o",
        label="NATO Europe and Canada",
    )
    axes.plot(us["year"], us["share_gdp_pct"], marker="o", label="United States")
    axes.axhline(2.0, color="#555555", linestyle="--", label="2%")
    axes.set_title("Share of GDP: Europe and Canada vs the United States (NATO)")
    axes.set_ylabel("% of real GDP")
    axes.legend()
    return _png(figure)


def path_to_2035(path: pd.DataFrame) -> bytes:
    """Each ally's share now and, at its own pace since 2014, in 2029 and 2035."""
    rows = path[path["base_share_gdp_pct"].notna()].sort_values("projected_share_gdp_pct_2035")
    figure, axes = plt.subplots(figsize=(8, 9))
    points = (
        ("base_share_gdp_pct", "latest year", "#333333", "o"),
        ("projected_share_gdp_pct_2035", "2035 at own pace", "#1b9e77", ">"),
    )
    for column, label, colour, marker in points:
        shown = rows[rows[column].notna()]  # no pace since 2014 (an edition that starts later)
        if shown.empty:
            continue
        axes.scatter(
            shown[column], shown["country_code"], label=label, color=colour, marker=marker, zorder=3
        )
    for value, label, colour in TARGET_LINES[1:]:
        axes.axvline(value, color=colour, linestyle="--", label=label)
    axes.set_title("Path to 2035: own pace since 2014 (NATO)")
    axes.set_xlabel("% of real GDP")
    axes.legend(loc="lower right")
    return _png(figure)


LARGEST = 6  # allies drawn in the spending-path chart: the largest by 3.5% of GDP in 2035


def spending_paths_2035(paths: pd.DataFrame) -> bytes:
    """The core spending a straight line to 3.5% of GDP in 2035 takes, year by year, for the
    largest allies (billions of US dollars at the NATO release's prices); dashed where the GDP
    behind it is extrapolated past the IMF WEO's last year."""
    final = paths[paths["year"] == paths["year"].max()]
    largest = final.nlargest(LARGEST, "spending_path_3_5pct_usd_const_m")["country_code"]
    figure, axes = plt.subplots(figsize=(8, 5))
    for code in largest:
        rows = paths[paths["country_code"] == code].sort_values("year")
        billions = rows["spending_path_3_5pct_usd_const_m"] / 1000
        solid = rows["gdp_basis"] != "extrapolated"
        (line,) = axes.plot(rows["year"][solid], billions[solid], marker="o", label=code)
        tail = rows["year"] >= rows.loc[solid, "year"].max()  # from the WEO's last year on
        axes.plot(rows["year"][tail], billions[tail], linestyle="--", color=line.get_color())
    price_base = int(paths["price_base_year"].dropna().iloc[0])
    axes.set_yscale("log")
    axes.set_title("Core defence spending on a straight line to 3.5% of GDP in 2035")
    axes.set_ylabel(f"billion USD, {price_base} prices (log scale)")
    axes.set_xlabel("dashed: GDP extrapolated past the IMF WEO's last year")
    axes.legend(loc="upper left", ncol=2)
    return _png(figure)
