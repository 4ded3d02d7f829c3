"""Skip a run when nothing changed: a fingerprint of every input and of the code that builds.

The fingerprint hashes every release file and sidecar under ``data/raw`` (a file fetched on
demand through its sidecar only: the sidecar holds its sha256) and every file that
decides what the warehouse holds (the pipeline package, the dbt project, the pinned package set).
Publishing stores it in the warehouse (``meta.build_info``); a run whose fingerprint matches the
published one has nothing to do, so a scheduled run with nothing new costs about a second.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb

from pipeline import paths
from pipeline.acquire import sidecar_marks_fetched
from pipeline.provenance import SIDECAR_SUFFIX

CODE_GLOBS = (
    "pipeline/**/*.py",
    "dbt_project/dbt_project.yml",
    "dbt_project/models/**/*",
    "dbt_project/seeds/**/*",
    "dbt_project/macros/**/*",
    "dbt_project/tests/**/*",
    "requirements.lock",
)


def raw_files() -> list[Path]:
    """Every file under data/raw except hidden ones (a download in progress: .incoming-<date>/)
    and files fetched on demand: those are listed by their sidecar alone, which pins their sha256,
    so fetching one (or not yet having it) changes neither the fingerprint nor the sensor's view."""
    raw = paths.raw_dir()
    files = [
        p
        for p in raw.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(raw).parts)
    ]
    fetched = {
        p.with_name(p.name[: -len(SIDECAR_SUFFIX)])
        for p in files
        if p.name.endswith(SIDECAR_SUFFIX) and sidecar_marks_fetched(p)
    }
    return sorted(p for p in files if p not in fetched)


def _files() -> list[tuple[str, Path]]:
    raw = paths.raw_dir()
    inputs = [(f"raw/{p.relative_to(raw)}", p) for p in raw_files()]
    code = [
        (str(p.relative_to(paths.PROJECT_ROOT)), p)
        for pattern in CODE_GLOBS
        for p in paths.PROJECT_ROOT.glob(pattern)
        if p.is_file() and "__pycache__" not in p.parts
    ]
    return sorted(inputs + code)


# What decides a source's raw table and its GX gate: its files and sidecars, plus the code that
# parses and validates them and the seed the coverage gate reads. dbt's code is not in it: a model
# change rebuilds the marts, not the raw loads.
SOURCE_CODE_GLOBS = (
    "pipeline/sources/**/*.py",
    "pipeline/quality/**/*.py",
    "pipeline/load.py",
    "pipeline/provenance.py",
    "pipeline/acquire.py",
    "pipeline/reference.py",
    "dbt_project/seeds/nato_allies.csv",
    "requirements.lock",
)


def current() -> str:
    """sha256 over the names and contents of every input and build-defining file."""
    return _digest(_files())


def source(name: str) -> str:
    """sha256 over one source's release files and sidecars and the code that loads them: equal
    fingerprints mean a validated raw table of that source can be reused as it is."""
    raw = paths.raw_dir()
    inputs = [(f"raw/{p.relative_to(raw)}", p) for p in raw_files() if p.is_relative_to(raw / name)]
    code = [
        (str(p.relative_to(paths.PROJECT_ROOT)), p)
        for pattern in SOURCE_CODE_GLOBS
        for p in paths.PROJECT_ROOT.glob(pattern)
        if p.is_file() and "__pycache__" not in p.parts
    ]
    return _digest(sorted(inputs + code))


def _digest(files: list[tuple[str, Path]]) -> str:
    digest = hashlib.sha256()
    for name, path in files:
        digest.update(name.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def published() -> str | None:
    """The fingerprint stored in the published warehouse, if any (opened read-only)."""
    target = paths.published_db()
    if not target.exists():
        return None
    try:
        with duckdb.connect(str(target), read_only=True) as con:
            row = con.execute("select fingerprint from meta.build_info").fetchone()
    except duckdb.Error:
        return None
    return row[0] if row else None
