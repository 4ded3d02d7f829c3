"""Fetch on first use the publisher files whose terms keep them out of git.

SIPRI allows reproducing at most 10% of its database, so its workbooks are not committed: only
their sidecars are (URL, sha256, size, the terms, the citation, and ``redistribution: fetch``).
:func:`ensure_present` puts such a file into ``data/raw/<source>/<date>/`` when it is missing:

- from a mirror when ``DEFENCE_MIRROR`` is set: a folder (absolute, or relative to the repo root)
  or an ``http(s)://`` base URL, holding the file under its own name; only the mirror is tried;
- otherwise from the publisher URL recorded in the sidecar.

Bytes go to a hidden temporary file in the release folder (hidden names are not releases), are
checked against the sidecar's size and sha256, and only then renamed into place with
``os.replace``; any failure removes the temporary file, so a partial file never exists under the
real name. Settings are read when used.

Two failures, told apart: a file that no location has (not there, no route, a server error, a
transfer cut short) is *unavailable* (:class:`FetchUnavailable`, naming the file, every location
tried with its error, and the setting to change), and :func:`ensure_source` records it so the run
loads what it has: one publisher down does not stop the others, and the run says what is missing.
A location that sends bytes that are not the file (another size or sha256, an HTML page, more
bytes than the sidecar records) is *wrong* (:class:`ProvenanceError`) and fails the run.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlparse

import yaml

from pipeline import paths
from pipeline.acquire.fetch import FetchError, OversizeError, copy_url, stream
from pipeline.provenance import FETCH, ProvenanceError, is_fetched, read_sidecar, release_files

MIRROR_ENV = "DEFENCE_MIRROR"
MAX_FETCH_BYTES = 25 * 1024 * 1024  # the parsers' own size cap; more is not a release
TIMEOUT_S = 60.0


def sidecar_marks_fetched(sidecar: Path) -> bool:
    """:func:`is_fetched` read straight from a sidecar file; False when it cannot be read (the
    load reports a broken sidecar by name)."""
    try:
        meta = yaml.safe_load(sidecar.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return False
    return isinstance(meta, dict) and is_fetched(meta)


def mirror() -> str | None:
    """The ``DEFENCE_MIRROR`` setting, or None when unset or blank."""
    value = os.environ.get(MIRROR_ENV, "").strip()
    return value or None


def locations(name: str, meta: dict) -> list[str]:
    """Where to look for the file called ``name``: the mirror's copy if set, else the publisher."""
    base = mirror()
    if base is None:
        return [str(meta["url"])]
    if urlparse(base).scheme in ("http", "https"):
        return [f"{base.rstrip('/')}/{quote(name)}"]
    folder = Path(base).expanduser()
    if not folder.is_absolute():
        folder = paths.PROJECT_ROOT / folder
    return [str(folder / name)]


class FetchUnavailable(ProvenanceError):
    """A file kept out of git could not be had from any location tried (not there, no route, a
    server error, a transfer cut short): its release is unavailable to this run, not wrong.
    Wrong bytes (another size or sha256, more than the file) raise :class:`ProvenanceError`."""


@dataclass(frozen=True)
class Acquired:
    """What fetching on demand did: the files fetched, and those that could not be had, each with
    the message saying what was tried and the setting to change."""

    fetched: list[Path] = field(default_factory=list)
    unavailable: dict[Path, str] = field(default_factory=dict)

    def __add__(self, other: Acquired) -> Acquired:
        return Acquired([*self.fetched, *other.fetched], {**self.unavailable, **other.unavailable})


def ensure_present(data_file: Path, meta: dict, timeout_s: float = TIMEOUT_S) -> Path:
    """Return ``data_file``, fetching it first when it is missing and its sidecar allows that.

    Raises :class:`FetchUnavailable` when no location had the file, :class:`ProvenanceError` when
    one sent wrong bytes or the file belongs in git. Verification of a file already present is left
    to :func:`pipeline.provenance.verify_release`; a fetched file is verified while it is copied.
    """
    if data_file.exists():
        return data_file
    if not is_fetched(meta):
        raise ProvenanceError(
            f"{data_file}: file missing; its sidecar does not say 'redistribution: {FETCH}', so "
            "the file belongs in git (restore it, or mark the sidecar if the publisher's terms "
            "forbid committing it)"
        )
    cap, expected_bytes = MAX_FETCH_BYTES, int(meta["bytes"])
    if expected_bytes > cap:
        raise ProvenanceError(
            f"{data_file}: the sidecar's size {expected_bytes} bytes is over the {cap}-byte cap "
            "(rule: a release file is at most the parsers' size cap)"
        )
    tried = []
    for location in locations(data_file.name, meta):
        try:
            _fetch_verified(location, data_file, meta, timeout_s)
            return data_file
        except FetchError as exc:
            tried.append(f"  - {location}: {exc}")
    raise FetchUnavailable(
        f"{data_file}: file missing and could not be fetched (sidecar: redistribution: {FETCH}, "
        f"sha256 {meta['sha256']}, {meta['bytes']} bytes). Tried:\n"
        + "\n".join(tried)
        + "\n"
        + how_to_get(data_file.name)
    )


def how_to_get(name: str) -> str:
    """The setting that decides where ``name`` is fetched from, and how to change it."""
    setting = mirror()
    if setting:
        return (
            f"Set {MIRROR_ENV} (now {setting!r}) to a folder or http(s) base URL holding "
            f"{name}, or unset it to fetch from the publisher URL in the sidecar."
        )
    return (
        f"{MIRROR_ENV} is unset, so the publisher URL was tried: set {MIRROR_ENV} to a "
        f"folder or http(s) base URL holding {name}."
    )


def _fetch_verified(location: str, target: Path, meta: dict, timeout_s: float) -> None:
    """Copy ``location`` to ``target`` whole and verified, or leave nothing. A location that does
    not answer with bytes raises :class:`FetchError`; one that sends bytes that are not the file
    raises :class:`ProvenanceError`."""
    expected_bytes, expected_sha = int(meta["bytes"]), str(meta["sha256"]).lower()
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed and renamed or removed below
        dir=target.parent, prefix=f".{target.name}.", suffix=".part", delete=False
    )
    temp = Path(handle.name)
    rule = "(rule: a fetched file must be byte-identical to the release its sidecar records)"
    try:
        with handle:
            try:  # more bytes than the sidecar records cannot be the file
                digest, size, head = _copy(location, handle, expected_bytes, timeout_s)
            except OversizeError as exc:
                raise ProvenanceError(f"{target}: {location} sent {exc} {rule}") from None
            handle.flush()
            os.fsync(handle.fileno())
        if size != expected_bytes or digest != expected_sha:
            hint = " (an HTML page, not the file)" if head.lstrip()[:1] == b"<" else ""
            raise ProvenanceError(
                f"{target}: {location} sent {size} bytes with sha256 {digest}{hint}; the sidecar "
                f"records {expected_bytes} bytes with sha256 {expected_sha} {rule}"
            )
        temp.chmod(0o644)  # a temporary file is created private; the release file is not
        os.replace(temp, target)
    finally:
        temp.unlink(missing_ok=True)


def _copy(location: str, out, limit: int, timeout_s: float) -> tuple[str, int, bytes]:
    """Stream ``location`` into ``out``; (sha256, size, first bytes). Refuses past ``limit``.
    HTTP goes through :func:`pipeline.acquire.fetch.copy_url`, shared with the download path."""
    if urlparse(location).scheme in ("http", "https"):
        copied = copy_url(location, out, limit, timeout_s)
        return copied.sha256, copied.size, copied.head
    if urlparse(location).scheme:
        raise FetchError("only http(s) URLs and folders are fetched from")
    try:
        with open(location, "rb") as source:
            return stream(source, out, limit)
    except OSError as exc:
        raise FetchError(f"cannot read ({exc.strerror or exc})") from None


def ensure_source(source_dir: Path) -> Acquired:
    """Fetch every missing fetch-on-demand release file of one source folder
    (``data/raw/<source>``). A file no location has is recorded as unavailable, and the run goes
    on with the releases at hand (one publisher down does not hold the others hostage); wrong bytes
    raise, naming the file and the rule."""
    acquired = Acquired()
    for data_file in release_files(source_dir):
        if data_file.exists():
            continue
        try:
            ensure_present(data_file, read_sidecar(data_file))
            acquired.fetched.append(data_file)
        except FetchUnavailable as exc:
            acquired.unavailable[data_file] = str(exc)
    return acquired


def ensure_all(raw: Path | None = None) -> Acquired:
    """:func:`ensure_source` for every source folder under ``raw`` (default: data/raw). The run's
    lock resource calls it before hashing the inputs; so does the tests' session set-up."""
    root = paths.raw_dir() if raw is None else raw
    acquired = Acquired()
    for source in sorted(root.iterdir()) if root.is_dir() else []:
        if source.is_dir() and not source.name.startswith("."):
            acquired = acquired + ensure_source(source)
    return acquired
