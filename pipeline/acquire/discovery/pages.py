"""A publisher's page: fetch it (bounded, through :mod:`pipeline.acquire.fetch`), list its links,
and pick the newest edition whose link matches the publisher's file-name pattern.

A page with no matching link at all is not "nothing new": the page's layout (or the file names)
changed, and :class:`LayoutChanged` says so, naming the page and the pattern.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import PurePosixPath
from urllib.parse import unquote, urljoin, urlparse

from pipeline.acquire.fetch import FetchError, copy_url


class DiscoveryError(RuntimeError):
    """A publisher could not be checked, or its new edition not fetched; data/raw is unchanged."""


class LayoutChanged(DiscoveryError):
    """The page answered but links no file of the expected name: its layout changed."""


@dataclass(frozen=True)
class Edition:
    """One edition a page links: its last data year, the file's URL and name, any version."""

    year: int
    url: str
    name: str
    version: tuple[int, ...] = ()


def fetch_page(url: str, timeout_s: float, max_bytes: int) -> str:
    """The page's text (UTF-8, undecodable bytes replaced); :class:`DiscoveryError` on failure."""
    if urlparse(url).scheme not in ("http", "https"):
        raise DiscoveryError(f"{url}: only http and https pages are checked")
    buffer = io.BytesIO()
    try:
        copy_url(url, buffer, max_bytes, timeout_s, deadline_s=4 * timeout_s)
    except FetchError as exc:
        raise DiscoveryError(f"{url}: the publisher's page could not be read: {exc}") from None
    return buffer.getvalue().decode("utf-8", errors="replace")


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        self.hrefs.extend(value for key, value in attrs if key == "href" and value)


def links(html: str, base_url: str) -> list[str]:
    """Every ``href`` on the page, made absolute against ``base_url`` (relative hrefs allowed)."""
    parser = _Links()
    parser.feed(html)
    parser.close()
    return [urljoin(base_url, href.strip()) for href in parser.hrefs]


def file_name(url: str) -> str:
    return unquote(PurePosixPath(urlparse(url).path).name)


def _version(suffix: str | None) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", suffix or ""))


def editions(urls: list[str], pattern: re.Pattern) -> list[Edition]:
    """The links whose file name matches ``pattern`` (group 1: the year; group 2: a version)."""
    found = []
    for url in urls:
        name = file_name(url)
        if match := pattern.search(name):
            version = match.group(2) if pattern.groups >= 2 else None
            found.append(Edition(int(match.group(1)), url, name, _version(version)))
    return found


def newest(urls: list[str], pattern: re.Pattern, page_url: str, expected: str) -> Edition:
    """The newest edition linked (highest year, then highest version; first link on a tie)."""
    found = editions(urls, pattern)
    if not found:
        raise LayoutChanged(
            f"{page_url}: page layout changed: none of its {len(urls)} links is a file named "
            f"like {expected} (rule: the page links each edition's workbook; pattern "
            f"{pattern.pattern}). Check the page and update the pattern or the page URL setting."
        )
    return max(found, key=lambda e: (e.year, e.version, -found.index(e)))
