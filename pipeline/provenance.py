"""Provenance sidecars: read ``<file>.meta.yml`` and prove the file is the one it describes.

Every publisher file in ``data/raw`` has a sidecar recording where it came from (publisher, title,
URL, release and cut-off dates, price base year) and what it is (sha256, bytes). The pipeline
refuses a file whose bytes do not match, so a half-downloaded or edited file never loads.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

SIDECAR_SUFFIX = ".meta.yml"
REQUIRED_FIELDS = (
    "source",
    "release_id",
    "publisher",
    "title",
    "url",
    "release_date",
    "price_base_year",
    "sha256",
    "bytes",
)


FETCH = "fetch"  # the sidecar's ``redistribution`` value for files kept out of git


class ProvenanceError(ValueError):
    """A sidecar is missing, invalid, or does not describe the file beside it."""


def is_fetched(meta: dict) -> bool:
    """True when the sidecar says the file is fetched on demand, not committed (its publisher's
    terms keep it out of git: :mod:`pipeline.acquire.on_demand`)."""
    return str(meta.get("redistribution", "")).strip().lower() == FETCH


@dataclass(frozen=True)
class Release:
    """One publisher file and the facts its sidecar records about it."""

    path: Path
    meta: dict

    @property
    def release_id(self) -> str:
        return str(self.meta["release_id"])

    @property
    def source(self) -> str:
        return str(self.meta["source"])

    @property
    def release_date(self) -> dt.date:
        return self.meta["release_date"]


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_sidecar(data_file: Path) -> dict:
    """Parse and validate the sidecar of ``data_file`` (without checking the file's bytes)."""
    sidecar = data_file.with_name(data_file.name + SIDECAR_SUFFIX)
    if not sidecar.is_file():
        raise ProvenanceError(f"{data_file}: provenance sidecar {sidecar.name} is missing")
    try:
        meta = yaml.safe_load(sidecar.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ProvenanceError(f"{sidecar}: not valid YAML ({exc})") from exc
    if not isinstance(meta, dict):
        raise ProvenanceError(f"{sidecar}: expected a mapping of provenance fields")
    missing = [
        field
        for field in REQUIRED_FIELDS
        if meta.get(field) in (None, "") and not _explained(field, meta)
    ]
    if missing:
        raise ProvenanceError(f"{sidecar}: required field(s) missing: {', '.join(missing)}")
    for field in ("release_date", "cutoff_date"):
        if field in meta and not isinstance(meta[field], dt.date):
            raise ProvenanceError(f"{sidecar}: {field} must be a date (YYYY-MM-DD)")
    return meta


def _explained(field: str, meta: dict) -> bool:
    """A required field may be empty only where it cannot apply and the sidecar says why: the IMF's
    constant-price series have no single price base year (``price_base_note``)."""
    return field == "price_base_year" and bool(str(meta.get("price_base_note") or "").strip())


def verify_release(data_file: Path, sha256: str | None = None) -> Release:
    """Return the file's :class:`Release` after checking its size and sha256 against the sidecar.

    ``sha256`` is the file's digest when the caller has it already (a run hashes each file once,
    :mod:`pipeline.warehouse.fingerprint`); otherwise the file is hashed here."""
    meta = read_sidecar(data_file)
    size = data_file.stat().st_size
    if size != int(meta["bytes"]):
        raise ProvenanceError(
            f"{data_file}: size {size} bytes does not match the sidecar's {meta['bytes']} "
            "(rule: file must be byte-identical to the recorded release)"
        )
    actual = sha256 or sha256_of(data_file)
    if actual != str(meta["sha256"]).lower():
        raise ProvenanceError(
            f"{data_file}: sha256 {actual} does not match the sidecar's {meta['sha256']} "
            "(rule: file must be byte-identical to the recorded release)"
        )
    return Release(path=data_file, meta=meta)


def release_files(source_dir: Path) -> list[Path]:
    """The release files under ``<raw>/<source>/<release>/``, named by their sidecars
    (``<file>.meta.yml``), whether the file is there yet or not (one fetched on first use,
    :mod:`pipeline.acquire.on_demand`). A file without a sidecar is refused by name. Hidden files
    and folders (a download in progress: ``.incoming-<date>/``, a fetch's temporary file) are not
    releases."""
    if not source_dir.is_dir():
        raise ProvenanceError(f"{source_dir}: source folder not found")
    visible = sorted(
        path
        for path in source_dir.glob("*/*")
        if path.is_file() and not path.name.startswith(".") and not path.parent.name.startswith(".")
    )
    sidecars = [path for path in visible if path.name.endswith(SIDECAR_SUFFIX)]
    data_files = [path.with_name(path.name[: -len(SIDECAR_SUFFIX)]) for path in sidecars]
    for orphan in sorted(set(visible) - set(sidecars) - set(data_files)):
        read_sidecar(orphan)  # raises: its provenance sidecar is missing
    if not data_files:
        raise ProvenanceError(f"{source_dir}: no release files found")
    return data_files


def find_releases(source_dir: Path, digests: Mapping[Path, str] | None = None) -> list[Release]:
    """Every verified release file under ``<raw>/<source>/<release>/``, oldest first.

    Every file must match its sidecar. A file kept out of git that is not there (it could not be
    fetched: :func:`pipeline.acquire.on_demand.ensure_source` tried first) is not a release yet:
    :func:`unavailable_releases` lists it; a missing committed file is refused. ``digests`` gives
    the sha256 of files already hashed in this run. Several files may share one ``release_id``
    (one release published as many files).
    """
    digests = digests or {}
    releases = []
    for data_file in release_files(source_dir):
        if not data_file.exists():
            meta = read_sidecar(data_file)  # a broken sidecar is the first thing to report
            if is_fetched(meta):
                continue
            raise ProvenanceError(
                f"{data_file}: file missing (rule: every release file named by a sidecar must be "
                f"present; only a file whose sidecar says 'redistribution: {FETCH}' is fetched, "
                "and this one belongs in git: restore it)"
            )
        releases.append(verify_release(data_file, digests.get(data_file)))
    return sorted(releases, key=lambda r: r.release_date)


def unavailable_releases(source_dir: Path) -> list[Release]:
    """The release files kept out of git (``redistribution: fetch``) that are not there: each as a
    :class:`Release` of its sidecar's facts and the path the file would have, oldest first."""
    missing = [
        Release(path=data_file, meta=meta)
        for data_file in release_files(source_dir)
        if not data_file.exists() and is_fetched(meta := read_sidecar(data_file))
    ]
    return sorted(missing, key=lambda r: r.release_date)


def check_release_facts(releases: list[Release], today: dt.date | None = None) -> None:
    """Refuse sidecars whose facts cannot all be true, naming the files and the rule:

    - a release's folder, ``release_id`` and ``release_date`` must agree
      (``data/raw/nato/2026-07-10/`` holds ``nato_2026-07-10``, released on 2026-07-10), so two
      folders can never share a release id;
    - a release cannot be dated after today (a day's grace for time zones);
    - the same bytes cannot be two releases (a re-posted or copied file is not a new edition).
    """
    today = today or dt.date.today()
    seen: dict[str, Release] = {}
    for release in releases:
        folder = release.path.parent.name
        expected_id = f"{release.source}_{folder}"
        if release.release_id != expected_id or str(release.release_date) != folder:
            raise ProvenanceError(
                f"{release.path}: folder {folder!r}, release_id {release.release_id!r} and "
                f"release_date {release.release_date} disagree (rule: a release lives in "
                f"data/raw/<source>/<release_date>/ and its release_id is <source>_<release_date>, "
                f"here {expected_id!r})"
            )
        if release.release_date > today + dt.timedelta(days=1):
            raise ProvenanceError(
                f"{release.path}: release_date {release.release_date} is in the future (today is "
                f"{today}) (rule: a release cannot be dated after it was obtained)"
            )
        sha = str(release.meta["sha256"]).lower()
        twin = seen.get(sha)
        if twin is not None and twin.release_id != release.release_id:
            raise ProvenanceError(
                f"{release.path}: the same bytes (sha256 {sha}) as {twin.path} of release "
                f"{twin.release_id} (rule: one file is one release; a re-posted or copied file "
                "is not a new edition)"
            )
        seen[sha] = release
