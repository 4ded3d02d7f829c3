"""Which parser reads which file: the sidecar's ``format`` names it.

Adding a release of a known format is dropping its folder into ``data/raw/<source>/``; a new
format is one parser and one line here.
"""

from __future__ import annotations

from collections.abc import Callable

from pipeline.provenance import ProvenanceError, Release
from pipeline.sources.nato import derived as nato_derived
from pipeline.sources.nato import edition_csv as nato_edition_csv
from pipeline.sources.nato import workbook as nato
from pipeline.sources.nato.frame import ParseResult
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
}


def parse(release: Release) -> ParseResult:
    """Parse a verified release with the parser its sidecar's ``format`` names."""
    fmt = release.meta.get("format")
    if fmt not in PARSERS:
        raise ProvenanceError(
            f"{release.path}: sidecar format {fmt!r} is not one of {', '.join(sorted(PARSERS))}"
        )
    return PARSERS[fmt](release)
