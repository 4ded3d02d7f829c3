"""The sources the warehouse loads: a name, the raw table it becomes, its publisher and title.

Kept apart from the Dagster assets (``pipeline/defs/sources.py``) so that what needs only this list
does not import Dagster: ``python -m pipeline run`` starts its worker from it before Dagster loads
(0.8 s sooner; docs/architecture.md §22).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from pipeline import paths
from pipeline.provenance import Release, find_releases

if TYPE_CHECKING:
    import dagster as dg


@dataclass(frozen=True)
class Source:
    name: str
    raw_table: str
    publisher_and_title: str

    @property
    def files_key(self) -> dg.AssetKey:
        import dagster as dg

        return dg.AssetKey(["sources", f"{self.name}_release_files"])

    @property
    def raw_key(self) -> dg.AssetKey:
        import dagster as dg

        return dg.AssetKey(["raw", self.raw_table])

    def releases(self) -> list[Release]:
        """Every release under ``data/raw/<source>``, each verified against its sidecar."""
        return find_releases(paths.raw_dir() / self.name)


NATO = Source("nato", "nato__defence_expenditure", "NATO, Defence Expenditure of NATO Countries")
SIPRI = Source("sipri", "sipri__military_expenditure", "SIPRI, Military Expenditure Database")
SOURCES = (NATO, SIPRI)
