"""A full disk under the warehouse is said as such, naming the file (issue 19: it showed as
``CatalogException: Table with name nato__defence_expenditure does not exist!``).

The disk is a small tmpfs the test mounts (root, as CI runs); elsewhere the module is skipped.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pipeline.warehouse.build import WarehouseWriteError, write_table
from pipeline.warehouse.publish import PublishError, publish
from tests.conftest import write_marts


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
