"""A full disk under the warehouse or under DAGSTER_HOME is said as such, naming the file (issue
19: it showed as ``CatalogException: Table with name nato__defence_expenditure does not exist!``,
and as about 100 lines of traceback before ``database or disk is full``).

The disk is a small tmpfs the test mounts (root, as CI runs); elsewhere the module is skipped.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pipeline import paths
from pipeline.warehouse.build import WarehouseWriteError, write_table
from pipeline.warehouse.publish import PublishError, publish
from tests.conftest import _pipeline_env, write_marts


@pytest.fixture
def small_disk(tmp_path):
    mount = tmp_path / "small_disk"
    mount.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root (CI runs as root)")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=False)


def _frame(rows: int) -> pd.DataFrame:
    generator = np.random.default_rng(0)
    return pd.DataFrame({"a": generator.random(rows), "b": generator.random(rows)})


def test_a_raw_table_that_does_not_fit_names_the_file_and_the_full_disk(small_disk):
    build = small_disk / "build.duckdb"
    with pytest.raises(WarehouseWriteError) as refused:
        write_table(build, "raw", "too_big", _frame(400_000))
    message = str(refused.value)
    assert message.startswith(f"{build}: could not write raw.too_big: the disk holding it is full")
    assert "set DEFENCE_WAREHOUSE_DIR to a folder with room" in message


def test_a_publish_that_does_not_fit_leaves_the_published_file_and_says_why(small_disk, tmp_path):
    build = tmp_path / "build.duckdb"  # on the roomy disk
    write_marts(build, "new build", rows=1)
    write_table(build, "raw", "bulk", _frame(300_000))  # a few MB: more than the small disk holds
    published = small_disk / "defence.duckdb"
    published.write_bytes(b"yesterday's warehouse")
    with pytest.raises(PublishError) as refused:
        publish(build, published)
    assert "the disk holding it is full" in str(refused.value)
    assert str(refused.value).startswith(str(small_disk / ".defence.duckdb."))
    assert published.read_bytes() == b"yesterday's warehouse"
    assert sorted(p.name for p in Path(small_disk).iterdir()) == ["defence.duckdb"]


def test_a_full_disk_under_dagster_home_is_one_clear_error_not_a_traceback(small_disk, tmp_path):
    """The run cannot record its events (Dagster's SQLite storage on a full disk): the terminal
    says so first, naming DAGSTER_HOME and the setting, with the traceback in the run's log."""
    filler = small_disk / "filler"
    filler.write_bytes(b"\0" * max(0, shutil.disk_usage(small_disk).free - 100_000))
    home = small_disk / "dagster_home"
    result = subprocess.run(
        [sys.executable, "-m", "pipeline", "run", "--force"],
        cwd=paths.PROJECT_ROOT,
        env=_pipeline_env(tmp_path, tmp_path / "warehouse", None) | {"DAGSTER_HOME": str(home)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert lines[1].startswith(
        f"error: {home}: could not record the run in the Dagster instance (full traceback: "
    )
    assert "the disk holding it is full" in lines[1] and "set DAGSTER_HOME" in lines[1]
    assert lines[2] == (
        f"Run failed; the published warehouse was not changed ({tmp_path / 'warehouse'}"
        "/defence.duckdb)."
    )
    assert "Traceback" not in result.stderr and len(lines) == 3
    log = Path(lines[1].split("(full traceback: ")[1].split(")")[0])
    assert "Traceback" in log.read_text()
