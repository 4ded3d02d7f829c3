"""GX suites as blocking Dagster asset checks: a failure stops everything downstream."""

import dagster as dg

from pipeline import paths
from pipeline.defs.sources import RAW_NATO, RAW_SIPRI
from pipeline.quality.runner import SuiteOutcome
from pipeline.warehouse.build import read_table

TARGET_STATUS = dg.AssetKey(["marts", "fct_target_status"])


def _result(outcome: SuiteOutcome, rows: int) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        passed=outcome.success,
        severity=dg.AssetCheckSeverity.ERROR,
        description=outcome.summary(),
        metadata={
            "suite": outcome.suite_name,
            "rows_validated": rows,
            "expectations_evaluated": outcome.evaluated,
            "expectations_failed": len(outcome.failures),
            "failures": dg.MetadataValue.json(outcome.failures),
        },
    )


@dg.asset_check(asset=RAW_NATO, name="gx_raw_nato", blocking=True)
def gx_raw_nato() -> dg.AssetCheckResult:
    """GX suite on the parsed NATO frame: columns, keys, years, shares and money within bounds."""
    from pipeline.quality.nato_suite import validate_nato_frame

    frame = read_table(paths.build_db(), "raw", "nato__defence_expenditure")
    return _result(validate_nato_frame(frame), len(frame))


@dg.asset_check(asset=RAW_SIPRI, name="gx_raw_sipri", blocking=True)
def gx_raw_sipri() -> dg.AssetCheckResult:
    """GX suite on the parsed SIPRI frame: keys, years, shares in bounds or a wartime allowlist."""
    from pipeline.quality.sipri_suite import validate_sipri_frame

    frame = read_table(paths.build_db(), "raw", "sipri__military_expenditure")
    return _result(validate_sipri_frame(frame), len(frame))


@dg.asset_check(asset=TARGET_STATUS, name="gx_fct_target_status", blocking=True)
def gx_fct_target_status() -> dg.AssetCheckResult:
    """GX suite on marts.fct_target_status: one row per ally-year, plausible shares, gaps >= 0."""
    from pipeline.quality.target_status_suite import validate_target_status

    frame = read_table(paths.build_db(), "marts", "fct_target_status")
    return _result(validate_target_status(frame), len(frame))


GX_CHECKS = [gx_raw_nato, gx_raw_sipri, gx_fct_target_status]
