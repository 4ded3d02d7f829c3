"""The "what changed" report as Markdown, and where it is written.

Kept apart from :mod:`pipeline.reports.changes` (which reads the marts) so the wording can change
without touching a query. Figures are printed to two decimals, as NATO prints them (the warehouse
keeps them unrounded), or more where two decimals would show two different figures of a row as
the same: a crossing from 1.996 to 2.00 reads "1.996 -> 2.00", never "2.00 -> 2.00". A missing
figure (no such year in that release) reads "n/a".
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from pipeline.reports.changes import ReleaseChanges, release_changes


def render(changes: ReleaseChanges) -> str:
    """The whole report: headline, then one section per kind of change."""
    release, previous = changes.release, changes.previous
    lines = [
        f"# What changed in {release['release_id']}: {release['title']}",
        "",
        f"Released {release['release_date']:%Y-%m-%d}; {_basis(release)}.",
    ]
    if previous is None:
        lines += ["", "The first NATO release in the warehouse: nothing to compare it with."]
        return "\n".join(lines) + "\n"
    lines += [f"Compared with {previous['release_id']} ({_basis(previous)})."]
    if changes.basis_changed:
        lines += [
            "",
            f"**The {' and the '.join(changes.basis_changed)} changed between these releases**: "
            "differences below are partly a change of what is measured, not only revisions "
            "(see `revision_kind` in `marts.fct_revisions`).",
        ]
    years = ", ".join(str(y) for y in changes.new_years) or "none"
    lines += ["", f"**New years:** {years}.", ""]
    lines += _section("Allies crossing a target in the release's newest years", changes.crossings)
    lines += _section(
        "Ally-years moved across a target by the new release", changes.revision_crossings
    )
    lines += _section("Largest changes to a published share of GDP", changes.largest_revisions)
    lines += _section(
        "Alliance aggregates (share of GDP, %)",
        changes.aggregates,
        f"`before`: {previous['release_id']}; `now` and the counts of allies: "
        f"{release['release_id']}.",
    )
    return "\n".join(lines) + "\n"


def headline(changes: ReleaseChanges) -> list[str]:
    """A few lines for the end of a run that loaded this release."""
    up = changes.crossings[changes.crossings["direction"] == "up"]
    down = changes.crossings[changes.crossings["direction"] == "down"]
    lines = [f"New NATO release {changes.release['release_id']}: {changes.release['title']}"]
    if changes.basis_changed:
        lines.append(
            f"  note: {' and '.join(changes.basis_changed)} changed since the last release"
        )
    lines.append(f"  new years: {', '.join(map(str, changes.new_years)) or 'none'}")
    for label in ("2%", "3.5%"):
        ups = ", ".join(up.loc[up["label"] == label, "country_code"]) or "none"
        downs = ", ".join(down.loc[down["label"] == label, "country_code"]) or "none"
        lines.append(f"  crossing {label} in its newest years: up {ups}; down {downs}")
    return lines


def render_reports(db_path: Path) -> dict[str, str]:
    """One Markdown report per NATO release in the warehouse at ``db_path``, by release id."""
    with duckdb.connect(str(db_path), read_only=True) as con:
        ids = con.sql("select release_id from marts.dim_release where source = 'nato'").fetchall()
        return {r: render(release_changes(con, r)) for (r,) in sorted(ids)}


def write_reports(reports: dict[str, str], out_dir: Path) -> list[Path]:
    """Write each report to ``out_dir/<release_id>.md``; returns the paths written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for release_id, text in reports.items():
        path = out_dir / f"{release_id}.md"
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def _basis(release: dict) -> str:
    return (
        f"definition {release['defence_definition']}, "
        f"constant prices of {release['price_base_year']}"
    )


MAX_DECIMALS = 4


def _section(title: str, frame: pd.DataFrame, note: str | None = None) -> list[str]:
    if frame.empty:
        return [f"## {title}", "", *([note, ""] if note else []), "None.", ""]
    numeric = [pd.api.types.is_numeric_dtype(frame[c]) for c in frame.columns]
    body = _printable(frame).to_markdown(
        index=False,
        disable_numparse=True,  # the figures are text already: "2.00" stays "2.00"
        colalign=["right" if is_number else "left" for is_number in numeric],
    )
    return [f"## {title}", "", *([note, ""] if note else []), body, ""]


def _printable(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with its figures as text (:func:`_row_figures`), right-aligned as numbers."""
    floats = [c for c in frame.columns if pd.api.types.is_float_dtype(frame[c])]
    if not floats:
        return frame
    texts = [_row_figures(row) for row in frame[floats].itertuples(index=False)]
    return frame.assign(**{c: [t[i] for t in texts] for i, c in enumerate(floats)})


def _row_figures(values: tuple) -> list[str]:
    """One row's figures at two decimals, or as many more (up to four) as it takes for figures
    that differ to read differently; a missing figure reads "n/a"."""
    present = [v for v in values if not pd.isna(v)]
    decimals = 2
    while decimals < MAX_DECIMALS and any(
        a != b and f"{a:.{decimals}f}" == f"{b:.{decimals}f}" for a in present for b in present
    ):
        decimals += 1
    return ["n/a" if pd.isna(v) else f"{v:.{decimals}f}" for v in values]
