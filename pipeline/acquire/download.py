"""Fetch a publisher's release file into data/raw with its provenance sidecar, atomically.

The file and its sidecar are written into a hidden staging folder beside the release folders
(``data/raw/<source>/.incoming-<date>/``) and the folder is renamed into place in one step, so the
pipeline (and its sensor) sees either the whole release or nothing; a failed download leaves
nothing behind. The sidecar records the sha256 and size of the bytes actually received, the HTTP
``Last-Modified`` and ``ETag`` when the server sent them, and the retrieval time.

The bytes come through :func:`pipeline.acquire.fetch.copy_url` (shared with
:mod:`pipeline.acquire.on_demand`): a timeout on each socket operation and on the whole transfer, a
size cap, a truncation check against ``Content-Length``; an ``.xlsx`` must also start with the zip
signature, so an HTML page served under a workbook's name is refused. Every refusal names the URL
and the rule broken.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

import yaml

from pipeline.acquire.fetch import FetchError, copy_url
from pipeline.provenance import SIDECAR_SUFFIX, ProvenanceError, verify_release

MAX_DOWNLOAD_BYTES = 25 * 1024 * 1024  # the parsers' own size cap; more is not a release
ZIP_MAGIC = b"PK\x03\x04"  # an .xlsx is a zip archive


class DownloadError(RuntimeError):
    """The release could not be fetched; nothing was written."""


@dataclass(frozen=True)
class Received:
    """A file fetched into the staging folder, and what the server said about it."""

    url: str
    path: Path
    sha256: str
    bytes: int
    last_modified: str | None
    etag: str | None
    retrieved_at: dt.datetime


Describe = Callable[[Received], dict]


def download_release(
    url: str,
    source_dir: Path,
    meta: dict,
    timeout_s: float = 60,
    *,
    max_bytes: int = MAX_DOWNLOAD_BYTES,
    describe: Describe | None = None,
    header: str | None = None,
) -> Path:
    """Download ``url`` into ``source_dir/<release_date>/`` with a sidecar built from ``meta``.

    ``meta`` holds the provenance fields the sidecar needs (source, release_id, format, publisher,
    title, release_date, price_base_year, ...); url, file name, sha256, bytes, retrieval time and
    the HTTP validators are added here. ``describe``, when given, is called with the received
    (still staged) file and returns more fields, e.g. a release date taken from ``Last-Modified``
    or a price base year read from the file. ``header`` is written as a comment atop the sidecar.
    """
    known = _as_date(meta["release_date"]) if meta.get("release_date") else None
    if known is not None:
        _refuse_existing(source_dir / known.isoformat())
    name = unquote(Path(urlparse(url).path).name) or "release"
    if name.startswith(".") or "/" in name or "\\" in name:
        raise DownloadError(f"{url}: file name {name!r} is hidden or not a plain name")
    staging = source_dir / f".incoming-{(known or dt.date.today()).isoformat()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        received = _receive(url, staging / name, timeout_s, max_bytes)
        sidecar = {**meta, **(describe(received) if describe else {})}
        release_date = _as_date(sidecar["release_date"])
        final_dir = source_dir / release_date.isoformat()
        _refuse_existing(final_dir)
        sidecar.update(url=url, release_date=release_date, file=name)
        sidecar.update(sha256=received.sha256, bytes=received.bytes)
        validators = {"http_last_modified": received.last_modified, "http_etag": received.etag}
        sidecar.update({k: v for k, v in validators.items() if v})
        sidecar["retrieved_at"] = received.retrieved_at.isoformat()
        comment = "".join(
            f"# {line}\n".replace("# \n", "#\n") for line in (header or "").splitlines()
        )
        text = comment + yaml.safe_dump(sidecar, sort_keys=False, allow_unicode=True)
        (staging / f"{name}{SIDECAR_SUFFIX}").write_text(text, encoding="utf-8")
        try:
            verify_release(staging / name)  # the load will accept what lands
        except ProvenanceError as exc:
            raise DownloadError(f"{url}: the sidecar written would be refused ({exc})") from None
        staging.rename(final_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return final_dir / name


def _as_date(value) -> dt.date:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def _refuse_existing(final_dir: Path) -> None:
    if final_dir.exists():
        raise DownloadError(f"{final_dir}: release folder already exists; not overwriting it")


def _rule(reason: str, max_bytes: int, timeout_s: float) -> str:
    if reason.startswith("timed out"):
        return f"a release arrives within the {timeout_s:g} s timeout"
    if "bytes, over" in reason or reason.startswith("more than"):
        return f"a release is at most {max_bytes} bytes (the size cap)"
    if reason.startswith("truncated"):
        return "the body must have the length the server announced (Content-Length)"
    if reason.startswith("HTTP"):
        return "a release is fetched only from a successful (2xx) answer"
    return "the publisher's server must answer"


def _receive(url: str, target: Path, timeout_s: float, max_bytes: int) -> Received:
    if urlparse(url).scheme not in ("http", "https"):
        raise DownloadError(f"{url}: only http and https URLs are fetched")
    retrieved_at = dt.datetime.now(dt.UTC).replace(microsecond=0)
    try:
        with target.open("wb") as out:
            copied = copy_url(url, out, max_bytes, timeout_s, deadline_s=4 * timeout_s)
    except FetchError as exc:
        rule = _rule(str(exc), max_bytes, timeout_s)
        raise DownloadError(f"{url}: download failed: {exc} (rule: {rule})") from None
    if copied.size == 0:
        raise DownloadError(f"{url}: empty response (rule: a release file is never empty)")
    if target.suffix.lower() == ".xlsx" and not copied.head.startswith(ZIP_MAGIC):
        what = "an HTML page" if copied.head.lstrip()[:1] == b"<" else f"{copied.head[:8]!r}"
        raise DownloadError(
            f"{url}: not a workbook: the body starts with {what}, not the zip signature "
            f"PK\\x03\\x04 (rule: an .xlsx file is a zip archive)"
        )
    return Received(
        url=url,
        path=target,
        sha256=copied.sha256,
        bytes=copied.size,
        last_modified=copied.headers.get("last-modified"),
        etag=copied.headers.get("etag"),
        retrieved_at=retrieved_at,
    )
