"""One discovery pass: for each publisher, read its page, compare the newest edition it links
with the newest data/raw holds, and download a newer one as a whole release folder.

"Newer" is a greater edition year (NATO: the last year of the title's span, e.g. 2026 in
"(2014-2026)"; SIPRI: the last data year in the file name). Only the newest edition is fetched.
Every publisher is checked even when another fails; any failure raises :class:`DiscoveryError`
listing every publisher's outcome, and leaves that publisher's data/raw folder as it was.
"""

from __future__ import annotations

import datetime as dt
import email.utils
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from pipeline import paths
from pipeline.acquire.discovery import settings
from pipeline.acquire.discovery.pages import DiscoveryError, editions, fetch_page, links, newest
from pipeline.acquire.discovery.publishers import PUBLISHERS, Publisher
from pipeline.acquire.download import DownloadError, Received, download_release
from pipeline.acquire.refused import refusal_for
from pipeline.provenance import SIDECAR_SUFFIX


@dataclass
class Outcome:
    """What a pass found: the files downloaded and one line per publisher."""

    downloaded: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return "; ".join(self.notes)


def newest_held(publisher: Publisher, source_dir: Path) -> int | None:
    """The newest edition year any sidecar under ``source_dir`` describes (hidden folders, i.e.
    downloads in progress, skipped; an unreadable sidecar is left for the load to report)."""
    years = []
    for sidecar in source_dir.glob(f"*/*{SIDECAR_SUFFIX}"):
        if sidecar.parent.name.startswith("."):
            continue
        try:
            meta = yaml.safe_load(sidecar.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError):
            continue
        if isinstance(meta, dict) and (year := publisher.held_year(meta)) is not None:
            years.append(year)
    return max(years, default=None)


def release_date_of(received: Received) -> tuple[dt.date, str]:
    """The release date: the file's HTTP Last-Modified date, else the retrieval date; and how."""
    if received.last_modified:
        try:
            stamp = email.utils.parsedate_to_datetime(received.last_modified)
        except (TypeError, ValueError):
            stamp = None
        if stamp is not None:
            day = stamp.astimezone(dt.UTC).date() if stamp.tzinfo else stamp.date()
            return day, f"HTTP Last-Modified of the file ({received.last_modified}), as a UTC date"
    day = received.retrieved_at.astimezone(dt.UTC).date()
    return day, "retrieval date (the server sent no usable Last-Modified header)"


def _header(publisher: Publisher, page: str) -> str:
    lines = [
        "Provenance of the file beside this one, written by the pipeline's discovery",
        f"(pipeline/acquire/discovery) when the daily tick found this edition linked from {page}.",
        "Facts not in the HTTP answer are the publisher's standing facts",
        "(pipeline/acquire/discovery/publishers.py); the price base year is read from the",
        "workbook. The pipeline refuses the file unless its sha256 and size match the values",
        "below.",
    ]
    if publisher.source == "sipri":
        lines += [
            "SIPRI's terms forbid reproducing more than 10% of its database: the workbook is not",
            "committed (.gitignore) and is fetched by sha256 on first use (redistribution: fetch).",
        ]
    return "\n".join(lines)


def check(publisher: Publisher, raw_dir: Path) -> tuple[Path | None, str]:
    """Check one publisher; download its newest edition when it is newer than data/raw's."""
    page = publisher.page_url()
    timeout_s, cap = settings.timeout_s(), settings.max_bytes()
    urls = links(fetch_page(page, timeout_s, settings.PAGE_MAX_BYTES), page)
    edition = newest(urls, publisher.link, page, publisher.expected)
    source_dir = raw_dir / publisher.source
    held = newest_held(publisher, source_dir)
    if held is not None and edition.year <= held:
        note = f"{publisher.source}: newest linked is {edition.name} ({edition.year}), data/raw "
        note += f"holds {held}: nothing new"
        if publisher.announces:
            ahead = [e for e in editions(urls, publisher.announces) if e.year > edition.year]
            if ahead:
                note += f" ({ahead[0].name} is linked but not its workbook yet)"
        return None, note

    refusal = refusal_for(publisher.source, edition.url, raw_dir)
    if refusal is not None:
        return None, (
            f"{publisher.source}: newest linked is {edition.name} ({edition.year}), refused on "
            f"{refusal.record.get('refused_at')} ({refusal.record.get('reason')}): not fetched "
            f"again; `python -m pipeline retry {refusal.release_id}` loads it"
        )

    def describe(received: Received) -> dict:
        release_date, basis = release_date_of(received)
        facts = publisher.facts(edition, page, release_date)
        facts["release_date_basis"] = basis
        facts["price_base_year"] = publisher.price_base_year(received.path)
        return facts

    existed = source_dir.exists()
    try:
        path = download_release(
            edition.url,
            source_dir,
            {"source": publisher.source},
            timeout_s,
            max_bytes=cap,
            describe=describe,
            header=_header(publisher, page),
        )
    except BaseException:
        if not existed and source_dir.is_dir() and not any(source_dir.iterdir()):
            source_dir.rmdir()
        raise
    was = "nothing" if held is None else str(held)
    return (
        path,
        f"{publisher.source}: downloaded {edition.name} ({edition.year}; data/raw held {was})",
    )


def discover(raw_dir: Path | None = None) -> Outcome:
    """Check every publisher; :class:`DiscoveryError` (after trying all) if any failed."""
    root = paths.raw_dir() if raw_dir is None else raw_dir
    outcome, failures = Outcome(), []
    for publisher in PUBLISHERS:
        try:
            path, note = check(publisher, root)
        except (DiscoveryError, DownloadError, OSError, ValueError) as exc:
            failures.append(f"{publisher.source}: FAILED: {exc}")
            outcome.notes.append(failures[-1])
            continue
        outcome.notes.append(note)
        if path is not None:
            outcome.downloaded.append(path)
    if failures:
        raise DiscoveryError(
            "discovery failed; data/raw keeps only whole, verified releases:\n  "
            + "\n  ".join(outcome.notes)
        )
    return outcome
