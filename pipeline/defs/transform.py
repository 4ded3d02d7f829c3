"""dbt models as Dagster assets: staging -> intermediate -> marts, lineage unbroken from raw.

Importing this module reads ``target/manifest.json`` (dagster-dbt builds the assets from it), so
the manifest is prepared first (:func:`pipeline.defs.dbt_project.prepare_manifest`).
"""

from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from pipeline import paths
from pipeline.defs.dbt_project import DBT_PROJECT
from pipeline.defs.gx_worker import GxWorker
from pipeline.defs.resources import WarehouseLock
from pipeline.quality import gates


class LayeredTranslator(DagsterDbtTranslator):
    """Asset key = DuckDB relation (``marts/fct_target_status``); group = the model's layer."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return dg.AssetKey([dbt_resource_props["source_name"], dbt_resource_props["name"]])
        return dg.AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return dbt_resource_props["schema"]


@dbt_assets(
    manifest=DBT_PROJECT.manifest_path,
    dagster_dbt_translator=LayeredTranslator(),
)
def dbt_models(
    context: dg.AssetExecutionContext,
    dbt: DbtCliResource,
    warehouse_lock: WarehouseLock,
    gx_worker: dg.ResourceParam[GxWorker],
):
    """dbt build on the build warehouse: seeds, models and their data tests, in DAG order.

    dbt's unit tests are left out, as dbt's documentation advises for production builds: they
    test the models' SQL on fixed inputs, not the data, so they cannot fail on a new release; the
    test suite runs them (``tests/test_dbt_unit_tests.py``), and a run saves their second.

    ``warehouse_lock`` is requested only so the run holds the write lock while dbt writes; dbt's
    artifacts go to :func:`pipeline.paths.dbt_run_target`, beside the warehouse it builds (later
    runs on that warehouse reuse its partial-parse state).

    While dbt builds, the run's GX process saves the relation suites that the next step validates
    (their expectations need only the rules and the manifest): about 1 s less in that step."""
    gx_worker.ahead(gates.prepare_relation_suites, paths.gx_docs_root())
    yield from dbt.cli(
        ["build", "--exclude-resource-type", "unit_test"],
        context=context,
        target_path=paths.dbt_run_target(),
    ).stream()


defs = dg.Definitions(assets=[dbt_models])
