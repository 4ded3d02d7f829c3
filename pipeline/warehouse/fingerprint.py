"""What the warehouse is built from, hashed once, and the one decision "is it up to date".

:func:`snapshot` hashes every input once: each release file and sidecar under ``data/raw`` and
every file that decides what the warehouse holds (the pipeline package, the dbt project, the
pinned package set). A file kept out of git counts once it is here: a warehouse built without it
differs from one built with it. A run fetches what is missing before it hashes (the lock resource,
:mod:`pipeline.defs.resources`). From that one :class:`Inputs`:

- :attr:`Inputs.fingerprint`, stored by the publish step in ``meta.build_info``;
- :meth:`Inputs.source`, one source's files and the code that loads them: a validated raw table
  whose fingerprint is unchanged is reused (:mod:`pipeline.warehouse.validated`);
- :meth:`Inputs.digests`, each release file's sha256, handed to the verification of the releases
  against their sidecars, so a run hashes each file once;
- :attr:`Inputs.missing`, the files kept out of git that are not here (not fetched yet, or they
  could not be: their publisher was unreachable).

:func:`freshness` is the one "is there anything new" used by the CLI, the schedule and the sensor:
a missing file is work to do (a run tries to fetch it), so a publisher that was down is tried
again by the next run.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipeline import paths
from pipeline.acquire.on_demand import sidecar_marks_fetched
from pipeline.provenance import SIDECAR_SUFFIX, sha256_of

# Every file that decides what the warehouse holds, besides the release files.
CODE_GLOBS = (
    "pipeline/**/*.py",
    "dbt_project/dbt_project.yml",
    "dbt_project/models/**/*",
    "dbt_project/seeds/**/*",
    "dbt_project/macros/**/*",
    "dbt_project/tests/**/*",
    "requirements.lock",
)
# What decides a source's raw table and its GX gate: its files and sidecars, plus the code that
# parses and validates them and the seed the coverage gate reads. dbt's code is not in it: a model
# change rebuilds the marts, not the raw loads.
SOURCE_CODE_GLOBS = (
    "pipeline/sources/**/*.py",
    "pipeline/quality/**/*.py",
    "pipeline/provenance.py",
    "pipeline/acquire/on_demand.py",
    "pipeline/reference.py",
    "dbt_project/seeds/nato_allies.csv",
    "requirements.lock",
)


def _raw_listing() -> tuple[list[Path], list[Path]]:
    """(files present, files kept out of git and not present) under data/raw. Hidden files and
    folders (a download in progress: .incoming-<date>/, a fetch's temporary file) are not inputs."""
    raw = paths.raw_dir()
    if not raw.is_dir():
        return [], []
    files = [
        p
        for p in raw.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(raw).parts)
    ]
    missing = [
        p.with_name(p.name[: -len(SIDECAR_SUFFIX)])
        for p in files
        if p.name.endswith(SIDECAR_SUFFIX) and sidecar_marks_fetched(p)
    ]
    return sorted(files), sorted(p for p in missing if not p.exists())


def _code_files(patterns: Iterable[str]) -> list[Path]:
    return sorted(
        {
            p
            for pattern in patterns
            for p in paths.PROJECT_ROOT.glob(pattern)
            if p.is_file() and "__pycache__" not in p.parts
        }
    )


@dataclass(frozen=True)
class Inputs:
    """Every input of a build, by name (``raw/<source>/<release>/<file>`` or a project path),
    with its sha256 and the file it was read from."""

    files: dict[str, tuple[Path, str]]
    source_code: frozenset[str]  # the names in ``files`` that decide a raw load (SOURCE_CODE_GLOBS)
    missing: tuple[Path, ...] = ()  # files kept out of git whose sidecar is here but not they

    @property
    def fingerprint(self) -> str:
        """sha256 over the names and contents of every input and build-defining file."""
        return _digest(self.files)

    def source(self, name: str) -> str:
        """sha256 over one source's release files and sidecars and the code that loads them:
        equal fingerprints mean a validated raw table of that source can be reused as it is."""
        prefix = f"raw/{name}/"
        return _digest(
            {k: v for k, v in self.files.items() if k.startswith(prefix) or k in self.source_code}
        )

    def digests(self) -> dict[Path, str]:
        """Each input file's sha256 by path (for :func:`pipeline.provenance.find_releases`)."""
        return {path: sha for path, sha in self.files.values()}


def _name(path: Path) -> str:
    raw = paths.raw_dir()
    if path.is_relative_to(raw):
        return f"raw/{path.relative_to(raw)}"
    return str(path.relative_to(paths.PROJECT_ROOT))


def _digest(files: dict[str, tuple[Path, str]]) -> str:
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + bytes.fromhex(files[name][1]))
    return digest.hexdigest()


def snapshot() -> Inputs:
    """Hash every input once (a few hundred small files and the workbooks: tens of ms)."""
    raw, missing = _raw_listing()
    found = [*raw, *_code_files(CODE_GLOBS)]
    return Inputs(
        files={_name(p): (p, sha256_of(p)) for p in found},
        source_code=frozenset(_name(p) for p in _code_files(SOURCE_CODE_GLOBS)),
        missing=tuple(missing),
    )


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


@dataclass(frozen=True)
class Freshness:
    """The inputs' fingerprint now and the published warehouse's (None: nothing published)."""

    current: str
    published: str | None
    missing: tuple[Path, ...] = ()  # files kept out of git, not here: a run tries to fetch them

    @property
    def is_up_to_date(self) -> bool:
        return self.current == self.published and not self.missing

    @property
    def built_from_these_inputs(self) -> str:
        """Why it is up to date, in words."""
        return (
            f"{paths.published_db()} was built from these exact inputs and code "
            f"(fingerprint {self.current[:12]})"
        )

    def describe(self) -> str:
        if self.is_up_to_date:
            return f"up to date: {self.built_from_these_inputs}"
        if self.current == self.published:
            names = ", ".join(p.name for p in self.missing)
            return (
                f"not up to date: {len(self.missing)} file(s) kept out of git are missing "
                f"({names}); a run tries to fetch them"
            )
        was = self.published[:12] if self.published else "none (nothing published)"
        return f"inputs changed: fingerprint {self.current[:12]}, published {was}"


def freshness() -> Freshness:
    """Whether the published warehouse was built from the inputs and code as they are now, with
    nothing left to fetch: the one decision the CLI, the daily schedule and the release sensor make
    before a run."""
    inputs = snapshot()
    return Freshness(inputs.fingerprint, published(), inputs.missing)
