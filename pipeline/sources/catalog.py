"""The sources the warehouse loads: a name, the raw table it becomes, its publisher and title."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from pipeline import paths
from pipeline.provenance import Release, check_release_facts, find_releases


@dataclass(frozen=True)
class Source:
    name: str
    raw_table: str
    publisher_and_title: str

    @property
    def folder(self) -> Path:
        """``data/raw/<source>``: one sub-folder per release."""
        return paths.raw_dir() / self.name

    def releases(self, digests: Mapping[Path, str] | None = None) -> list[Release]:
        """Every release under ``data/raw/<source>``, each verified against its sidecar
        (``digests``: the sha256 of files the run hashed already), whose facts agree
        (:func:`pipeline.provenance.check_release_facts`)."""
        releases = find_releases(self.folder, digests)
        check_release_facts(releases)
        return releases


NATO = Source("nato", "nato__defence_expenditure", "NATO, Defence Expenditure of NATO Countries")
SIPRI = Source("sipri", "sipri__military_expenditure", "SIPRI, Military Expenditure Database")
SOURCES = (NATO, SIPRI)
