"""What the pipeline knows about each publisher before it sees a new edition: where the page is,
how its workbook links are named, how to tell which edition data/raw already holds, and the
standing facts a new edition's sidecar records (publisher, title pattern, format, definition,
licence, citation). The price base year is read from the downloaded workbook itself.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from pipeline.acquire.discovery import settings
from pipeline.acquire.discovery.pages import DiscoveryError, Edition
from pipeline.sources.nato.blocks import price_base
from pipeline.sources.release_checks import TITLE_SPAN
from pipeline.sources.sipri.workbook import SHEETS as SIPRI_SHEETS
from pipeline.sources.workbook import WorkbookLayoutError, open_workbook

_SIPRI_SPAN = re.compile(r"1949-(\d{4})")


@dataclass(frozen=True)
class Publisher:
    source: str
    link: re.Pattern  # the workbook's file name on the page; group 1 is the edition's year
    expected: str  # the same, for people reading an error
    held_year: Callable[[dict], int | None]  # the edition year a sidecar in data/raw describes
    facts: Callable[[Edition, str, dt.date], dict]  # edition, page URL, release date -> sidecar
    price_base_year: Callable[[Path], int]
    announces: re.Pattern | None = None  # a companion link that may appear before the workbook

    def page_url(self) -> str:
        return settings.page_url(self.source)


@contextmanager
def _workbook(path: Path):
    """The downloaded workbook, opened as the parsers open it; an unreadable file is a
    :class:`DiscoveryError` (the download is refused), not a parser's layout error."""
    try:
        with open_workbook(path) as book:
            yield book
    except WorkbookLayoutError as exc:
        raise DiscoveryError(str(exc)) from None


# --- NATO ----------------------------------------------------------------------------------------


def _nato_held_year(meta: dict) -> int | None:
    """The last year in the title ("... (2014-2026)"), else the release date's year."""
    if match := TITLE_SPAN.search(str(meta.get("title", ""))):
        return int(match.group(2))
    release_date = meta.get("release_date")
    return release_date.year if isinstance(release_date, dt.date) else None


def _nato_facts(edition: Edition, page_url: str, release_date: dt.date) -> dict:
    # NATO's July 2026 edition is the first on the Hague commitment's core-defence basis (and is
    # titled "Defence Investment of NATO Countries"); editions after 2025 are assumed to keep both.
    # The assumption is checked, not trusted: the NATO parser reads the definition off the tables'
    # titles and the load refuses a sidecar that disagrees (pipeline/sources/load.py,
    # _check_definition).
    core = edition.year > 2025
    title = (
        f"Defence {'Investment' if core else 'Expenditure'} of NATO Countries (2014-{edition.year})"
    )
    return {
        "source": "nato",
        "release_id": f"nato_{release_date.isoformat()}",
        "format": "nato_tables_xlsx",
        "publisher": "NATO Public Diplomacy Division",
        "title": title,
        "landing_page": page_url,
        "release_date": release_date,
        "defence_definition": "core_defence" if core else "nato_defence_expenditure",
        "licence": "NATO public release; reuse with attribution to NATO",
        "citation": f"NATO, {title}, {release_date.day} {release_date:%B %Y}.",
        "is_original_publisher_file": True,
    }


def _nato_price_base_year(path: Path) -> int:
    """The year of NATO's constant prices ("Constant 2021 prices"), as the parser reads it."""
    years: Counter[int] = Counter()
    with _workbook(path) as book:
        for sheet in book.worksheets:
            for row in sheet.iter_rows(values_only=True):
                years.update(y for v in row if isinstance(v, str) and (y := price_base(None, v)))
    if not years:
        raise DiscoveryError(
            f"{path.name}: no 'YYYY prices' text in any sheet, so the price base year is unknown "
            "(rule: a NATO workbook states the year of its constant prices)"
        )
    return years.most_common(1)[0][0]


NATO = Publisher(
    source="nato",
    link=re.compile(r"def-exp-(\d{4})(?:-TABLES)?-en\.xlsx$", re.IGNORECASE),
    expected="def-exp-YYYY-en.xlsx or ...-def-exp-YYYY-TABLES-en.xlsx",
    held_year=_nato_held_year,
    facts=_nato_facts,
    price_base_year=_nato_price_base_year,
    announces=re.compile(r"def-exp-(\d{4})-en\.pdf$", re.IGNORECASE),
)


# --- SIPRI ---------------------------------------------------------------------------------------

SIPRI_LICENCE = (
    "SIPRI's 'fair use' policy, as its workbooks' front page states it: the data may be used "
    "freely for non-commercial purposes provided SIPRI is cited as the source and no more than "
    "10% of the database (3,500 units of data) is reproduced; commercial use or reproducing more "
    "requires SIPRI's permission. The exact terms are on the workbook's front page."
)


def _sipri_held_year(meta: dict) -> int | None:
    """The last data year in the file name (SIPRI-Milex-data-1949-2025_v1.2.xlsx), else title."""
    for text in (meta.get("file"), meta.get("title")):
        if match := _SIPRI_SPAN.search(str(text or "")):
            return int(match.group(1))
    return None


def _sipri_facts(edition: Edition, page_url: str, release_date: dt.date) -> dict:
    version = ".".join(map(str, edition.version))
    label = f"{release_date:%B %Y} edition" + (f", v{version}" if version else "")
    facts = {
        "source": "sipri",
        "release_id": f"sipri_{release_date.isoformat()}",
        "format": "sipri_milex_xlsx",
        "publisher": "Stockholm International Peace Research Institute (SIPRI)",
        "title": f"SIPRI Military Expenditure Database, data for all countries 1949-{edition.year} "
        f"({label})",
        "landing_page": page_url,
        "release_date": release_date,
        "licence": SIPRI_LICENCE,
        # SIPRI's database of year N holds data to N-1 and is cited by N.
        "citation": f"SIPRI Military Expenditure Database {edition.year + 1}, {page_url}",
        # SIPRI's terms forbid committing the workbook (.gitignore): only this sidecar is in git.
        "redistribution": "fetch",
        "is_original_publisher_file": True,
        "defence_definition": "sipri_military_expenditure",
    }
    if version:
        facts["version"] = version
    return facts


def _sipri_price_base_year(path: Path) -> int:
    """The year in the sheet name 'Constant (2024) US$', as the parser reads it."""
    with _workbook(path) as book:
        names = list(book.sheetnames)
    for name in names:
        if match := SIPRI_SHEETS[0].title.match(name):
            return int(match.group("base"))
    raise DiscoveryError(
        f"{path.name}: no sheet named 'Constant (YYYY) US$' (sheets: {', '.join(names)}), so the "
        "price base year is unknown (rule: SIPRI's workbook names its constant-price year)"
    )


SIPRI = Publisher(
    source="sipri",
    link=re.compile(r"SIPRI-Milex-data-1949-(\d{4})(_v[\d.]+|_\d+)?\.xlsx$", re.IGNORECASE),
    expected="SIPRI-Milex-data-1949-YYYY[_vN.N|_N].xlsx",
    held_year=_sipri_held_year,
    facts=_sipri_facts,
    price_base_year=_sipri_price_base_year,
)

PUBLISHERS = (NATO, SIPRI)
