"""Shared fixtures: the real NATO workbook, its parse, and helpers to craft bad variants."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
import yaml

from pipeline import paths
from pipeline.provenance import sha256_of
from pipeline.sources.nato import ParseResult, parse_release

NATO_RELEASE_DIR = paths.PROJECT_ROOT / "data" / "raw" / "nato" / "2024-06-17"
NATO_FILE = NATO_RELEASE_DIR / "240617-def-exp-2024-TABLES-en.xlsx"
NATO_RELEASE_ID = "nato_2024-06-17"


@pytest.fixture(scope="session")
def nato_2024() -> ParseResult:
    return parse_release(NATO_FILE, NATO_RELEASE_ID)


@pytest.fixture
def crafted_workbook(tmp_path) -> Callable[[Callable[[openpyxl.Workbook], None]], Path]:
    """Copy the real workbook, apply ``edit(workbook)``, save, and return the new file's path."""

    def make(edit: Callable[[openpyxl.Workbook], None]) -> Path:
        book = openpyxl.load_workbook(NATO_FILE)
        edit(book)
        target = tmp_path / NATO_FILE.name
        book.save(target)
        return target

    return make


def stage_release(raw_dir: Path, data_file: Path, **sidecar_overrides) -> Path:
    """Put ``data_file`` into ``raw_dir/nato/2024-06-17/`` with a sidecar describing its bytes."""
    release_dir = raw_dir / "nato" / "2024-06-17"
    release_dir.mkdir(parents=True, exist_ok=True)
    target = release_dir / NATO_FILE.name
    if data_file != target:
        shutil.copyfile(data_file, target)
    meta = yaml.safe_load((NATO_RELEASE_DIR / (NATO_FILE.name + ".meta.yml")).read_text())
    meta.update(sha256=sha256_of(target), bytes=target.stat().st_size)
    meta.update(sidecar_overrides)
    (release_dir / (NATO_FILE.name + ".meta.yml")).write_text(yaml.safe_dump(meta))
    return target


def run_pipeline(
    tmp: Path, warehouse: Path, raw: Path | None = None
) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DEFENCE_WAREHOUSE_DIR": str(warehouse),
        "DAGSTER_HOME": str(tmp / "dagster_home"),
    }
    if raw is not None:
        env["DEFENCE_RAW_DIR"] = str(raw)
    return subprocess.run(
        [sys.executable, "-m", "pipeline", "run"],
        cwd=paths.PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="session")
def published(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("e2e")
    result = run_pipeline(tmp, tmp / "warehouse")
    assert result.returncode == 0, result.stderr[-4000:]
    target = tmp / "warehouse" / paths.PUBLISHED_DB_NAME
    assert target.is_file()
    return target
