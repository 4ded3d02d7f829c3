"""GX suites as Dagster asset checks: on each raw table and on every dbt relation that matters.

Blocking checks stop everything downstream (nothing is published); the caveat suites warn. Each
check's metadata carries the failing expectations with counts and samples, and the path of the
GX data docs (HTML) written for the run.
"""

from collections.abc import Iterator
from pathlib import Path

import dagster as dg

from pipeline import paths
from pipeline.acquire.on_demand import MIRROR_ENV
from pipeline.defs.charts_ahead import ChartDrawer
from pipeline.defs.gx_worker import GxWorker
from pipeline.defs.resources import WarehouseLock
from pipeline.defs.sources import RAW_NATO, RAW_SIPRI, RAW_WEO, sources_missing
from pipeline.provenance import read_sidecar, release_files
from pipeline.quality import gates
from pipeline.quality.relation_suites import SUITES, RelationSuite, check_name
from pipeline.quality.runner import SuiteOutcome, build_docs
from pipeline.sources.catalog import IMF_WEO, NATO, SIPRI, Source
from pipeline.warehouse.build import count_rows_in
from pipeline.warehouse.validated import last_load, mark_validated


def _result(
    outcome: SuiteOutcome, rows: int, blocking: bool = True, key: dg.AssetCheckKey | None = None
) -> dg.AssetCheckResult:
    metadata = {
        "suite": outcome.suite_name,
        "rows_validated": rows,
        "expectations_evaluated": outcome.evaluated,
        "expectations_failed": len(outcome.failures),
        "failures": dg.MetadataValue.json(outcome.failures),
    }
    if outcome.docs_index is not None:
        metadata["gx_data_docs"] = dg.MetadataValue.path(str(outcome.docs_index))
    return dg.AssetCheckResult(
        asset_key=key.asset_key if key else None,
        check_name=key.name if key else None,
        passed=outcome.success,
        severity=dg.AssetCheckSeverity.ERROR if blocking else dg.AssetCheckSeverity.WARN,
        description=outcome.summary(),
        metadata=metadata,
    )


@dg.asset_check(asset=RAW_NATO, name=check_name("raw.nato__defence_expenditure"), blocking=True)
def gx_raw_nato(
    warehouse_lock: WarehouseLock, gx_worker: dg.ResourceParam[GxWorker]
) -> dg.AssetCheckResult:
    """GX suites on the parsed NATO frame: keys, years contiguous, shares in bounds and consistent
    with money / GDP, estimates only in the newest years, every ally present each member year."""
    from pipeline.quality.nato_suite import COMPLETE_FORMATS

    sidecars = [read_sidecar(path) for path in release_files(NATO.folder)]  # verified upstream
    complete = {str(m["release_id"]) for m in sidecars if m.get("format") in COMPLETE_FORMATS}
    return _gate(NATO, warehouse_lock, gx_worker, gates.nato_gate, complete)


@dg.asset_check(asset=RAW_SIPRI, name=check_name("raw.sipri__military_expenditure"), blocking=True)
def gx_raw_sipri(
    warehouse_lock: WarehouseLock, gx_worker: dg.ResourceParam[GxWorker]
) -> dg.AssetCheckResult:
    """GX suite on the parsed SIPRI frame: keys, years, shares in bounds or a wartime allowlist."""
    return _gate(SIPRI, warehouse_lock, gx_worker, gates.sipri_gate)


@dg.asset_check(asset=RAW_WEO, name=check_name("raw.imf_weo__gdp"), blocking=True)
def gx_raw_imf_weo(
    warehouse_lock: WarehouseLock, gx_worker: dg.ResourceParam[GxWorker]
) -> dg.AssetCheckResult:
    """GX suite on the parsed WEO frame: all 32 allies, every measure for every year, growth in a
    plausible band, positive levels, one first projection year per ally inside the span."""
    return _gate(IMF_WEO, warehouse_lock, gx_worker, gates.weo_gate)


def nothing_at_hand(
    source: str, files: list[Path], key: dg.AssetCheckKey | None = None
) -> dg.AssetCheckResult:
    """A warning, not a pass: the relation is empty because none of ``source``'s releases is at
    hand (their files are kept out of git and could not be fetched), so nothing was validated."""
    return dg.AssetCheckResult(
        asset_key=key.asset_key if key else None,
        check_name=key.name if key else None,
        passed=False,
        severity=dg.AssetCheckSeverity.WARN,
        description=f"no {source} release at hand, nothing to validate: the table is empty "
        f"({len(files)} file(s) kept out of git could not be fetched; "
        f"marts.dim_release.unavailable_reason says why, {MIRROR_ENV} where they come from)",
        metadata={"rows_validated": 0, "missing_files": [str(p) for p in files]},
    )


def _gate(
    source: Source, lock: WarehouseLock, worker: GxWorker, gate, *args
) -> dg.AssetCheckResult:
    """Validate ``raw.<raw table>`` unless it passed this gate already for the same inputs and
    code (the raw asset then reused it, and GX is not even asked); mark it validated when it
    passes. An empty table of a source with no release at hand is a warning (nothing to check)."""
    build_db, raw_table = paths.build_db(), source.raw_table
    missing = sources_missing(lock.inputs).get(source.name)
    if missing and count_rows_in(build_db, "raw", raw_table) == 0:
        return nothing_at_hand(source.name, missing)
    loaded = last_load(build_db, raw_table)
    if loaded is not None and loaded.is_validated:
        return dg.AssetCheckResult(
            passed=True,
            description="inputs and code unchanged since this table passed the gate: reused",
            metadata={"reused_validated_load": True, "source_fingerprint": loaded.fingerprint},
        )
    outcome, rows = worker.run(gate, build_db, raw_table, *args, paths.gx_docs_root())
    if outcome.success:
        mark_validated(build_db, raw_table)
    return _result(outcome, rows)


def _relation_key(suite: RelationSuite) -> dg.AssetCheckKey:
    """The check ``gx_<table>`` on the asset ``<schema>/<table>``."""
    return dg.AssetCheckKey(dg.AssetKey(suite.relation.split(".")), suite.check_name)


@dg.multi_asset_check(
    specs=[
        dg.AssetCheckSpec(
            name=suite.check_name,
            asset=_relation_key(suite).asset_key,
            blocking=suite.blocking,
            description=f"GX suite on {suite.relation}: grain {', '.join(suite.keys)}"
            + (f"; {suite.description}" if suite.description else ""),
        )
        for suite in SUITES
    ],
    can_subset=True,
)
def gx_relations(
    context: dg.AssetCheckExecutionContext,
    warehouse_lock: WarehouseLock,
    gx_worker: dg.ResourceParam[GxWorker],
    chart_drawer: dg.ResourceParam[ChartDrawer],
) -> Iterator[dg.AssetCheckResult]:
    """The GX suites on the dbt relations, one check each, run as one step after the dbt build
    (13 steps cost about 0.3 s each in Dagster's and GX's overhead); the run's GX data docs are
    built once, at the end of this, the run's last GX step, which then lets the GX process go. A
    relation that is empty because its source has no release at hand gets a warning, not its
    suite. While the GX process validates, this process draws the marts' charts for the publish
    step (:mod:`pipeline.defs.charts_ahead`)."""
    selected, build_db = context.selected_asset_check_keys, paths.build_db()
    chart_drawer.ahead(build_db)
    missing = sources_missing(warehouse_lock.inputs)
    for suite in SUITES:
        key = _relation_key(suite)
        if key not in selected:
            continue
        source = suite.rules.source
        if source in missing and count_rows_in(build_db, *suite.relation.split(".")) == 0:
            yield nothing_at_hand(source, missing[source], key)
            continue
        outcome, rows = gx_worker.run(
            gates.relation_gate, build_db, suite.relation, paths.gx_docs_root()
        )
        yield _result(outcome, rows, suite.blocking, key)
    gx_worker.run(build_docs, paths.gx_docs_root())
    gx_worker.finish()  # the run's last GX step


GX_CHECKS = [gx_raw_nato, gx_raw_sipri, gx_raw_imf_weo, gx_relations]


defs = dg.Definitions(asset_checks=GX_CHECKS)
