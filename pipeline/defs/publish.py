"""The published warehouse: the audited build copied atomically onto defence.duckdb."""

import dagster as dg

from pipeline import paths
from pipeline.warehouse.publish import REQUIRED_RELATIONS, publish

PUBLISHED = dg.AssetKey(["warehouse", "defence"])
MART_KEYS = [dg.AssetKey(relation.split(".")) for relation in REQUIRED_RELATIONS]


@dg.asset(
    key=PUBLISHED, deps=MART_KEYS, group_name="publish", required_resource_keys={"warehouse_lock"}
)
def published_warehouse(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    """data/warehouse/defence.duckdb: what analysts open (read-only), replaced atomically.

    Depends on every mart, so it runs only after dbt build (with its tests) and every blocking
    GX check on the marts have passed.
    """
    target = paths.published_db()
    counts = publish(paths.build_db(), target)
    context.log.info("published %s", target)
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(target)),
            "bytes": target.stat().st_size,
            **{f"rows/{relation}": count for relation, count in counts.items()},
        }
    )
