"""Which parser reads which file: the sidecar's ``format`` names it.

Adding a release of a known format is dropping its folder into ``data/raw/<source>/``; a new
format is one parser and one line here.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from pipeline.provenance import ProvenanceError, Release
from pipeline.sources import imf_weo
from pipeline.sources.nato import derived as nato_derived
from pipeline.sources.nato import edition_csv as nato_edition_csv
from pipeline.sources.nato import frame as nato_frame
from pipeline.sources.nato import workbook as nato
from pipeline.sources.nato.frame import ParseResult
from pipeline.sources.sipri import frame as sipri_frame
from pipeline.sources.sipri import workbook as sipri

PARSERS: dict[str, Callable[[Release], ParseResult]] = {
    "nato_tables_xlsx": lambda r: nato.parse_release(r.path, r.release_id),
    "nato_country_year_csv": lambda r: nato_derived.parse_country_year_csv(
        r.path, r.release_id, r.meta
    ),
    "nato_2023_extract_csv": lambda r: nato_derived.parse_2023_extract_csv(
        r.path, r.release_id, r.meta
    ),
    "nato_wide_csv": lambda r: nato_edition_csv.parse_wide_csv(r.path, r.release_id, r.meta),
    "nato_long_csv": lambda r: nato_edition_csv.parse_long_csv(r.path, r.release_id, r.meta),
    "sipri_milex_xlsx": lambda r: sipri.parse_release(r.path, r.release_id),
    "imf_weo_long_csv": imf_weo.parse_long_csv,
    "imf_weo_projection_start_csv": imf_weo.parse_projection_start_csv,
}


# The raw table's columns and types when no release of that format is at hand (a publisher whose
# files cannot be fetched): the parsers' own frame builders, given no records.
EMPTY_FRAMES: dict[str, Callable[[], pd.DataFrame]] = {
    **{fmt: lambda: nato_frame.to_frame([]) for fmt in PARSERS if fmt.startswith("nato_")},
    "sipri_milex_xlsx": lambda: sipri_frame.to_frame([]),
    "imf_weo_long_csv": imf_weo.empty_frame,
    "imf_weo_projection_start_csv": imf_weo.empty_frame,
}


def empty_frame(releases: list[Release]) -> pd.DataFrame:
    """The raw table of a source none of whose ``releases`` is at hand: no rows, the columns and
    types its parser gives, so the dbt models over it build (and come out empty)."""
    formats = {str(r.meta.get("format")) for r in releases}
    if not formats or not formats <= set(EMPTY_FRAMES):
        raise ProvenanceError(
            f"no release at hand and no single known format among {sorted(formats)}: "
            + ", ".join(str(r.path) for r in releases)
        )
    return EMPTY_FRAMES[sorted(formats)[0]]()


def parse(release: Release) -> ParseResult:
    """Parse a verified release with the parser its sidecar's ``format`` names."""
    fmt = release.meta.get("format")
    if fmt not in PARSERS:
        raise ProvenanceError(
            f"{release.path}: sidecar format {fmt!r} is not one of {', '.join(sorted(PARSERS))}"
        )
    return PARSERS[fmt](release)
