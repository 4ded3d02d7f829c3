"""Refused editions: set aside with the reason, remembered, and not downloaded again.

When a release's load is refused (a workbook whose layout changed, figures that fail the gate), an
operator who deleted its folder saw discovery download it again at the next tick, and the run fail
again, every day. ``python -m pipeline refuse <release_id> --reason ...`` instead moves the release
folder, whole, to ``data/raw/.refused/<source>/<folder>/`` (hidden: not a release, not an input)
with ``refusal.yml`` beside its files: the reason, when, and what identifies the edition (its URL,
file names and sha256). Discovery skips an edition whose URL or file name a refusal names
(:func:`refusal_for`). ``python -m pipeline retry <release_id>`` moves it back to be loaded again
(after a fix to the parser, say); ``python -m pipeline refused`` lists them.

Pure file moves (``os.rename`` within data/raw: all or nothing); the CLI holds the warehouse write
lock around them, so no run is reading the folder meanwhile.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

import yaml

from pipeline import paths
from pipeline.provenance import SIDECAR_SUFFIX, ProvenanceError

REFUSED_DIR = ".refused"
RECORD = "refusal.yml"


@dataclass(frozen=True)
class Refusal:
    """One refused edition: where it is kept, and what its record says."""

    release_id: str
    source: str
    folder: Path  # data/raw/.refused/<source>/<release folder>
    record: dict

    @property
    def urls(self) -> set[str]:
        return set(self.record.get("urls", []))

    @property
    def file_names(self) -> set[str]:
        return set(self.record.get("file_names", []))


def refused_root(raw: Path | None = None) -> Path:
    return (paths.raw_dir() if raw is None else raw) / REFUSED_DIR


def _release_folder(release_id: str, raw: Path) -> Path:
    """``data/raw/<source>/<date>/`` of ``release_id`` (``<source>_<date>``), which must exist."""
    source, _, date = release_id.partition("_")
    folder = raw / source / date
    if not (source and date) or not folder.is_dir():
        raise ProvenanceError(
            f"{folder}: no release {release_id!r} in data/raw (a release id is <source>_<date>, "
            "as in dim_release)"
        )
    return folder


def refuse(release_id: str, reason: str, raw: Path | None = None) -> Refusal:
    """Set the release aside with ``reason``; returns its refusal."""
    raw = paths.raw_dir() if raw is None else raw
    folder = _release_folder(release_id, raw)
    if not reason.strip():
        raise ValueError("a refusal needs a reason (--reason), so the next operator knows why")
    sidecars = sorted(folder.glob(f"*{SIDECAR_SUFFIX}"))
    metas = [yaml.safe_load(s.read_text(encoding="utf-8")) or {} for s in sidecars]
    record = {
        "release_id": release_id,
        "reason": reason.strip(),
        "refused_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "urls": sorted({str(m["url"]) for m in metas if m.get("url")}),
        "file_names": sorted(s.name[: -len(SIDECAR_SUFFIX)] for s in sidecars),
        "sha256": sorted({str(m["sha256"]) for m in metas if m.get("sha256")}),
    }
    target = refused_root(raw) / folder.parent.name / folder.name
    if target.exists():
        raise ProvenanceError(f"{target}: a refusal of {release_id} is already kept there")
    target.parent.mkdir(parents=True, exist_ok=True)
    os.rename(folder, target)  # the whole folder at once: the sensor sees it gone, not half
    (target / RECORD).write_text(yaml.safe_dump(record, sort_keys=False), encoding="utf-8")
    return Refusal(release_id, folder.parent.name, target, record)


def refusals(raw: Path | None = None, source: str | None = None) -> list[Refusal]:
    """Every refusal kept under data/raw/.refused (of ``source`` only, when given)."""
    root = refused_root(raw)
    found = []
    for record_path in sorted(root.glob(f"*/*/{RECORD}")):
        record = yaml.safe_load(record_path.read_text(encoding="utf-8")) or {}
        folder = record_path.parent
        if source is None or folder.parent.name == source:
            found.append(Refusal(str(record.get("release_id")), folder.parent.name, folder, record))
    return found


def retry(release_id: str, raw: Path | None = None) -> Path:
    """Move a refused release back into data/raw, to be loaded by the next run; its folder."""
    raw = paths.raw_dir() if raw is None else raw
    match = [r for r in refusals(raw) if r.release_id == release_id]
    if not match:
        raise ProvenanceError(f"no refusal of {release_id!r} under {refused_root(raw)}")
    refusal = match[0]
    target = raw / refusal.source / refusal.folder.name
    if target.exists():
        raise ProvenanceError(f"{target}: already exists; move it away before retrying")
    (refusal.folder / RECORD).unlink()
    os.rename(refusal.folder, target)
    return target


def refusal_for(source: str, url: str, raw: Path | None = None) -> Refusal | None:
    """The refusal naming the edition at ``url`` (by its URL, or its file's name), if any."""
    name = unquote(Path(urlparse(url).path).name)
    for refusal in refusals(raw, source):
        if url in refusal.urls or name in refusal.file_names:
            return refusal
    return None
