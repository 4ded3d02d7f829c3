"""Discovery's settings, read from the environment when used (never at import time).

- ``DEFENCE_DISCOVERY``: ``on`` (or ``1``, ``true``, ``yes``) lets the daily tick check the
  publishers' pages; anything else, or unset, keeps it off. Off by default so tests, CI and a
  laptop's ``dagster dev`` never reach the internet; a production deployment turns it on.
- ``DEFENCE_NATO_PAGE_URL``: NATO's topic page listing each edition's files.
- ``DEFENCE_SIPRI_PAGE_URL``: SIPRI's Military Expenditure Database page.
- ``DEFENCE_DOWNLOAD_TIMEOUT_S``: seconds to wait on each socket operation (default 15); a whole
  transfer gets at most four times that.
- ``DEFENCE_DOWNLOAD_MAX_BYTES``: the size cap of a downloaded workbook (default 25 MiB, the
  parsers' own cap); a page is capped at :data:`PAGE_MAX_BYTES`.
"""

from __future__ import annotations

import os

from pipeline.acquire.download import MAX_DOWNLOAD_BYTES

DISCOVERY_ENV = "DEFENCE_DISCOVERY"
NATO_PAGE_ENV = "DEFENCE_NATO_PAGE_URL"
SIPRI_PAGE_ENV = "DEFENCE_SIPRI_PAGE_URL"
TIMEOUT_ENV = "DEFENCE_DOWNLOAD_TIMEOUT_S"
MAX_BYTES_ENV = "DEFENCE_DOWNLOAD_MAX_BYTES"

NATO_PAGE_DEFAULT = "https://www.nato.int/cps/en/natohq/topics_49198.htm"
SIPRI_PAGE_DEFAULT = "https://www.sipri.org/databases/milex"
TIMEOUT_DEFAULT_S = 15.0
PAGE_MAX_BYTES = 5 * 1024 * 1024

_ON = {"on", "1", "true", "yes"}


def enabled() -> bool:
    """True only when ``DEFENCE_DISCOVERY`` says on: no setting, no network."""
    return os.environ.get(DISCOVERY_ENV, "").strip().lower() in _ON


# Each publisher's page listing its editions: (setting, default).
PAGES = {
    "nato": (NATO_PAGE_ENV, NATO_PAGE_DEFAULT),
    "sipri": (SIPRI_PAGE_ENV, SIPRI_PAGE_DEFAULT),
}


def page_url(source: str) -> str:
    """The page to check for ``source``'s editions: its setting, else the publisher's page."""
    env, default = PAGES[source]
    return os.environ.get(env, "").strip() or default


def timeout_s() -> float:
    return _number(TIMEOUT_ENV, TIMEOUT_DEFAULT_S, float)


def max_bytes() -> int:
    return _number(MAX_BYTES_ENV, MAX_DOWNLOAD_BYTES, int)


def _number(env: str, default, kind):
    raw = os.environ.get(env, "").strip()
    if not raw:
        return default
    try:
        value = kind(raw)
    except ValueError:
        raise ValueError(f"{env}={raw!r}: not a number") from None
    if value <= 0:
        raise ValueError(f"{env}={raw!r}: must be positive")
    return value
