"""The sources the warehouse loads: a name, the raw table it becomes, its publisher and title."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from pipeline import paths
from pipeline.provenance import (
    Release,
    check_release_facts,
    find_releases,
    unavailable_releases,
)


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
        """Every release at hand under ``data/raw/<source>``, each verified against its sidecar
        (``digests``: the sha256 of files the run hashed already), whose facts agree with each
        other's and with those of the releases not at hand
        (:func:`pipeline.provenance.check_release_facts`)."""
        releases = find_releases(self.folder, digests)
        check_release_facts(sorted([*releases, *self.unavailable()], key=lambda r: r.release_date))
        return releases

    def unavailable(self) -> list[Release]:
        """The releases whose files are kept out of git and are not here (they could not be
        fetched): their sidecars' facts, for raw.source_releases and the run's summary."""
        return unavailable_releases(self.folder)


NATO = Source("nato", "nato__defence_expenditure", "NATO, Defence Expenditure of NATO Countries")
SIPRI = Source("sipri", "sipri__military_expenditure", "SIPRI, Military Expenditure Database")
IMF_WEO = Source("imf_weo", "imf_weo__gdp", "IMF, World Economic Outlook Database")
SOURCES = (NATO, SIPRI, IMF_WEO)
