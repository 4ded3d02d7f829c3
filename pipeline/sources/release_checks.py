"""A release's years must agree with what it says of itself, and with the release before it.

A workbook whose year labels are shifted by one (2015 ... 2027e instead of 2014 ... 2026e) parses
cleanly and passes every value check; so does a file titled "(2014-2027)" whose tables end in 2024.
Both would be published as the latest release. The sidecar and the title state the span, the
estimate years and the date: :func:`check_years` holds the parsed frame to them, and
:func:`check_no_shrinking` refuses a newer release that ends before the one it follows.
Pure functions (no Dagster); :func:`pipeline.sources.load.load_source` calls both.
"""

from __future__ import annotations

import re

import pandas as pd

from pipeline.provenance import ProvenanceError, Release

TITLE_SPAN = re.compile(r"\b(1[89]\d\d|20\d\d)\s*[-–]\s*(1[89]\d\d|20\d\d)\b")


def title_span(release: Release) -> tuple[int, int] | None:
    """The first and last year the release's title states ("... (2014-2026)"), if any."""
    found = TITLE_SPAN.search(str(release.meta.get("title", "")))
    return (int(found.group(1)), int(found.group(2))) if found else None


def check_years(release: Release, frame: pd.DataFrame) -> None:
    """Raise :class:`ProvenanceError`, naming the file and the rule, when the years parsed from
    ``release`` disagree with its title's span, its sidecar's ``estimate_years`` or its date."""
    if frame.empty:
        return
    oldest, newest = int(frame["year"].min()), int(frame["year"].max())
    span = title_span(release)
    if span is not None and (oldest, newest) != span:
        raise ProvenanceError(
            f"{release.path}: the figures run {oldest}-{newest} but the title says "
            f"{span[0]}-{span[1]} ({release.meta['title']!r}) (rule: a release's years are the "
            "span its title states; shifted year labels or a wrong title stop the load)"
        )
    horizon = release.meta.get("projection_horizon")
    if horizon is not None and newest > int(horizon):
        raise ProvenanceError(
            f"{release.path}: figures for {newest}, after the projection horizon {horizon} its "
            "sidecar states (rule: a projection runs to its stated horizon, no further)"
        )
    if horizon is None and newest > release.release_date.year:
        raise ProvenanceError(
            f"{release.path}: figures for {newest}, after the release's own date "
            f"{release.release_date} (rule: no release has figures for a later year, except "
            "projections to the horizon its sidecar states)"
        )
    declared = release.meta.get("estimate_years")
    if declared and "is_estimate" in frame.columns:
        flagged = frame.loc[frame["is_estimate"].fillna(False).astype(bool), "year"]
        marked = sorted({int(y) for y in flagged})
        if marked != sorted(int(y) for y in declared):
            raise ProvenanceError(
                f"{release.path}: the file marks {marked} as estimates but the sidecar's "
                f"estimate_years are {sorted(declared)} (rule: the estimate years are the ones "
                "the release marks)"
            )


def check_no_shrinking(releases: list[Release], frame: pd.DataFrame) -> None:
    """Raise when a release ends in an earlier year than the release before it: a newer edition
    that covers fewer years would silently take the latest figures back (``fct_target_status``
    went back to 2024). ``releases`` oldest first; ``frame`` holds them all (``release_id``)."""
    newest = frame.groupby("release_id")["year"].max()
    previous: tuple[str, int] | None = None
    for release in releases:
        if release.release_id not in newest.index or (
            previous is not None and previous[0] == release.release_id
        ):
            continue
        year = int(newest[release.release_id])
        if previous is not None and year < previous[1]:
            raise ProvenanceError(
                f"{release.path}: release {release.release_id} ends in {year}, before the release "
                f"it follows ({previous[0]}, which ends in {previous[1]}) (rule: a newer release "
                "covers at least the years of the one before it)"
            )
        previous = (release.release_id, year)
