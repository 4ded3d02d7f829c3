"""The dbt project's manifest: where it is, whether it is stale, and what it declares.

The manifest is the one declaration of the relations: the publish audit's list of marts and the GX
suites' keys (each model's ``config.meta.grain``) are read from it, so adding a mart's YAML adds it
to both. Reading it needs neither dbt nor Dagster; making it is
:func:`pipeline.defs.dbt_project.prepare_manifest` (``python -m pipeline prepare``), which every
command runs before Dagster loads the definitions.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from pipeline import paths

MARTS = "marts"
TARGET_DIR = "target"
MANIFEST_PATH = paths.DBT_PROJECT_DIR / TARGET_DIR / "manifest.json"
# dbt's parse state, saved beside the manifest; dagster-dbt copies it into a new warehouse's target
# folder, and it fits every warehouse (pipeline/cli/dbt_child.py).
PARSE_STATE_PATH = paths.DBT_PROJECT_DIR / TARGET_DIR / "partial_parse.msgpack"
_DBT_SOURCE_DIRS = ("models", "seeds", "tests", "macros")


class ManifestMissingError(RuntimeError):
    """The dbt manifest has not been made yet."""


def manifest_is_stale() -> bool:
    """True when the manifest is missing or older than any dbt source file or folder (a folder's
    time changes when a file in it is added, renamed or deleted, which no file's time shows), or
    than dbt's profile (the parse state saved beside the manifest holds the profile's settings)."""
    if not MANIFEST_PATH.exists():
        return True
    built = MANIFEST_PATH.stat().st_mtime
    paths_ = [paths.DBT_PROJECT_DIR / "dbt_project.yml", paths.DBT_PROJECT_DIR / "profiles.yml"]
    for folder in _DBT_SOURCE_DIRS:
        paths_ += [paths.DBT_PROJECT_DIR / folder, *(paths.DBT_PROJECT_DIR / folder).rglob("*")]
    return any(p.exists() and p.stat().st_mtime > built for p in paths_)


def load_manifest(path: Path | None = None) -> dict:
    """The manifest as a dict; a clear error when it was never made."""
    path = path or MANIFEST_PATH
    if not path.exists():
        raise ManifestMissingError(
            f"{path}: dbt manifest not found; run `python -m pipeline prepare` (make setup)"
        )
    return json.loads(path.read_text())


def models(manifest: dict) -> dict[str, dict]:
    """Model nodes by ``schema.name`` (the DuckDB relation dbt builds)."""
    return {
        f"{node['schema']}.{node['name']}": node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
    }


def grain(node: dict) -> tuple[str, ...]:
    return tuple((node.get("config", {}).get("meta") or {}).get("grain") or ())


def grains(manifest: dict) -> dict[str, tuple[str, ...]]:
    """Every model that declares a grain, by relation, in the manifest's order."""
    return {relation: grain(node) for relation, node in models(manifest).items() if grain(node)}


def mart_relations(manifest: dict) -> tuple[str, ...]:
    """Every model in the marts schema, sorted."""
    return tuple(sorted(r for r in models(manifest) if r.split(".")[0] == MARTS))


@cache
def project_grains() -> dict[str, tuple[str, ...]]:
    """The grains of this dbt project (read once per process)."""
    return grains(load_manifest())


@cache
def project_marts() -> tuple[str, ...]:
    return mart_relations(load_manifest())
