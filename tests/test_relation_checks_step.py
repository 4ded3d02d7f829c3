"""The relation suites run as one Dagster step (``gx_relations``), one blocking check each: a
failing suite still stops what depends on its relation.

Runs the real step on a copy of the session's real build warehouse with one mart broken, with
stand-ins for the dbt assets and the publish step so that nothing but the checks executes. That
every suite passes on the real build, and that the step writes the data docs, is read off the
session's publishing run (tests/test_end_to_end.py).
"""

from __future__ import annotations

import shutil

import dagster as dg
import duckdb
import pytest

from pipeline import paths
from pipeline.defs.charts_ahead import chart_drawer
from pipeline.defs.checks import gx_relations
from pipeline.defs.gx_worker import gx_worker
from pipeline.defs.resources import WarehouseLock
from pipeline.quality.relation_suites import SUITES

PUBLISHED = []


def _stand_ins() -> list[dg.AssetsDefinition]:
    """One do-nothing asset per checked relation (already built in the copied warehouse), and a
    publish stand-in downstream of all of them that records that it ran."""
    keys = [dg.AssetKey(s.relation.split(".")) for s in SUITES]

    @dg.multi_asset(specs=[dg.AssetSpec(k) for k in keys])
    def built_relations():
        for key in keys:
            yield dg.MaterializeResult(asset_key=key)

    @dg.asset(key=["warehouse", "defence"], deps=keys)
    def publish_stand_in() -> None:
        PUBLISHED.append(True)

    return [built_relations, publish_stand_in]


@pytest.fixture
def build_copy(end_to_end, tmp_path, monkeypatch):
    warehouse = tmp_path / "warehouse"
    shutil.copytree(end_to_end.published.parent, warehouse, ignore=shutil.ignore_patterns("*.lock"))
    shutil.rmtree(warehouse / "gx", ignore_errors=True)
    monkeypatch.setenv(paths.WAREHOUSE_DIR_ENV, str(warehouse))
    PUBLISHED.clear()
    return warehouse


def _run() -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [*_stand_ins(), gx_relations],
        instance=dg.DagsterInstance.ephemeral(),
        # the run's inputs, its GX process and its chart-drawing thread, as the job's
        resources={
            "warehouse_lock": WarehouseLock(),
            "gx_worker": gx_worker,
            "chart_drawer": chart_drawer,
        },
        raise_on_error=False,
    )


def _evaluations(result) -> dict[str, bool]:
    return {e.check_name: e.passed for e in result.get_asset_check_evaluations()}


@pytest.mark.e2e
@pytest.mark.slow
def test_a_failing_blocking_suite_stops_the_publish(build_copy):
    with duckdb.connect(str(build_copy / paths.BUILD_DB_NAME)) as con:
        # A duplicated ally breaks dim_country's grain (country_code unique), which GX alone checks.
        con.execute("insert into marts.dim_country select * from marts.dim_country limit 1")
    result = _run()
    evaluations = _evaluations(result)
    assert evaluations["gx_dim_country"] is False
    assert evaluations["gx_fct_target_status"] is True
    assert PUBLISHED == []
    failed = next(
        e for e in result.get_asset_check_evaluations() if e.check_name == "gx_dim_country"
    )
    assert "expect_column_values_to_be_unique" in failed.description
