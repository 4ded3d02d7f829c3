"""Fetch a publisher's release file into data/raw with its provenance sidecar, atomically.

The file and its sidecar are written into a hidden staging folder beside the release folders
(``data/raw/<source>/.incoming-<date>/``) and the folder is renamed into place in one step, so the
pipeline (and its sensor) sees either the whole release or nothing; a failed download leaves
nothing behind. The sidecar records the sha256 and size of the bytes actually received.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import yaml

MAX_DOWNLOAD_BYTES = 25 * 1024 * 1024  # the parsers' own size cap; more is not a release


class DownloadError(RuntimeError):
    """The release could not be fetched; nothing was written."""


def download_release(url: str, source_dir: Path, meta: dict, timeout_s: float = 60) -> Path:
    """Download ``url`` into ``source_dir/<release_date>/`` with a sidecar built from ``meta``.

    ``meta`` holds the provenance fields the sidecar needs (source, release_id, format, publisher,
    title, release_date, price_base_year, ...); url, file name, sha256 and bytes are added here.
    """
    release_date = meta["release_date"]
    if isinstance(release_date, str):
        release_date = dt.date.fromisoformat(release_date)
    final_dir = source_dir / release_date.isoformat()
    if final_dir.exists():
        raise DownloadError(f"{final_dir}: release folder already exists; not overwriting it")
    name = Path(urlparse(url).path).name or "release"
    staging = source_dir / f".incoming-{release_date.isoformat()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        digest, size = _fetch(url, staging / name, timeout_s)
        sidecar = {
            **meta,
            "url": url,
            "release_date": release_date,
            "file": name,
            "sha256": digest,
            "bytes": size,
            "retrieved_at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        }
        (staging / f"{name}.meta.yml").write_text(yaml.safe_dump(sidecar, sort_keys=False))
        staging.rename(final_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return final_dir / name


def _fetch(url: str, target: Path, timeout_s: float) -> tuple[str, int]:
    if urlparse(url).scheme not in ("http", "https"):
        raise DownloadError(f"{url}: only http and https URLs are fetched")
    digest, size = hashlib.sha256(), 0
    try:
        with urllib.request.urlopen(url, timeout=timeout_s) as response, target.open("wb") as out:
            expected = response.headers.get("Content-Length")
            while block := response.read(1 << 16):
                size += len(block)
                if size > MAX_DOWNLOAD_BYTES:
                    raise DownloadError(f"{url}: more than {MAX_DOWNLOAD_BYTES} bytes; refused")
                digest.update(block)
                out.write(block)
    except OSError as exc:  # URLError, HTTPError, timeouts
        raise DownloadError(f"{url}: download failed ({exc})") from exc
    if expected is not None and int(expected) != size:
        raise DownloadError(f"{url}: received {size} bytes, server announced {expected}")
    if size == 0:
        raise DownloadError(f"{url}: empty response")
    return digest.hexdigest(), size
