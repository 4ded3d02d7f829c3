"""A snapshot of the Dagster asset graph: assets, groups, deps, checks, jobs, schedules, sensors.

Wiring changes (an asset renamed or dropped, a dependency or group changed, a GX or dbt check
added or lost, a writing asset no longer holding the warehouse lock) show up as a diff of
``tests/snapshots/asset_graph.json`` in review, as dagster-open-platform does. After an intended
change, rewrite the snapshot and commit it with the change:

    UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest tests/test_asset_graph.py
"""

from __future__ import annotations

import difflib
import json
import os
from pathlib import Path

import dagster as dg
import pytest

SNAPSHOT = Path(__file__).parent / "snapshots" / "asset_graph.json"
UPDATE_ENV = "UPDATE_SNAPSHOTS"


def graph_summary(defs: dg.Definitions) -> dict:
    """The parts of the definitions that decide what runs, in what order, in a stable form."""
    repo = defs.get_repository_def()
    graph = repo.asset_graph
    assets = {}
    for key in sorted(graph.get_all_asset_keys()):
        node = graph.get(key)
        assets[key.to_user_string()] = {
            "group": node.group_name,
            "deps": sorted(k.to_user_string() for k in node.parent_keys),
            "materializable": node.is_materializable,
            "resources": sorted(node.assets_def.required_resource_keys - {"io_manager"}),
        }
    checks = {
        f"{key.asset_key.to_user_string()}:{key.name}": graph.get_check_spec(key).blocking
        for key in sorted(graph.asset_check_keys, key=lambda k: (k.asset_key, k.name))
    }
    return {
        "assets": assets,
        "checks (blocking)": checks,
        "jobs": sorted(j.name for j in repo.get_all_jobs() if not j.name.startswith("__")),
        "schedules": {
            s.name: {"cron": s.cron_schedule, "job": s.job_name, "default": s.default_status.value}
            for s in sorted(repo.schedule_defs, key=lambda s: s.name)
        },
        "sensors": {
            s.name: {
                "jobs": sorted(t.job_name for t in s.targets),
                "default": s.default_status.value,
            }
            for s in sorted(repo.sensor_defs, key=lambda s: s.name)
        },
        "resources": sorted(repo.get_top_level_resources()),
    }


def render(summary: dict) -> str:
    return json.dumps(summary, indent=2, sort_keys=True) + "\n"


@pytest.fixture(scope="module")
def project_defs() -> dg.Definitions:
    """The project's definitions, built with the default schedule: a deployment's
    ``DEFENCE_SCHEDULE_CRON`` is a setting, not part of the graph."""
    from pipeline.definitions import build_definitions
    from pipeline.defs.automation import CRON_ENV

    with pytest.MonkeyPatch.context() as patch:
        patch.delenv(CRON_ENV, raising=False)
        return build_definitions()


@pytest.fixture(scope="module")
def project_summary(project_defs) -> dict:
    return graph_summary(project_defs)


def test_the_asset_graph_matches_its_snapshot(project_summary):
    actual = render(project_summary)
    if os.environ.get(UPDATE_ENV) == "1":
        SNAPSHOT.parent.mkdir(parents=True, exist_ok=True)
        SNAPSHOT.write_text(actual, encoding="utf-8")
    expected = SNAPSHOT.read_text(encoding="utf-8") if SNAPSHOT.exists() else ""
    if actual != expected:
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(True), actual.splitlines(True), str(SNAPSHOT), "definitions"
            )
        )
        pytest.fail(
            f"The Dagster asset graph differs from {SNAPSHOT.name}. If the change is intended, "
            f"run `{UPDATE_ENV}=1 .venv/bin/python -m pytest tests/test_asset_graph.py` and "
            f"commit the snapshot.\n{diff}",
            pytrace=False,
        )


def test_the_summary_sees_a_new_asset_dep_group_and_check(project_defs, project_summary):
    """What the snapshot guards: an added asset (its group and deps) and check change it."""

    @dg.asset(key=["marts", "extra"], deps=[["marts", "fct_target_status"]], group_name="extra")
    def extra() -> None: ...

    @dg.asset_check(asset=extra, blocking=True)
    def extra_is_fine() -> dg.AssetCheckResult:
        return dg.AssetCheckResult(passed=True)

    more = dg.Definitions.merge(
        project_defs, dg.Definitions(assets=[extra], asset_checks=[extra_is_fine])
    )
    changed = graph_summary(more)
    assert render(changed) != render(project_summary)
    assert changed["assets"]["marts/extra"]["group"] == "extra"
    assert changed["assets"]["marts/extra"]["deps"] == ["marts/fct_target_status"]
    assert changed["checks (blocking)"]["marts/extra:extra_is_fine"] is True


def test_the_graph_holds_what_the_pipeline_relies_on(project_summary):
    """Invariants worth a readable failure of their own (docs/architecture.md §2, §5)."""
    assets = project_summary["assets"]
    published = assets["warehouse/defence"]
    assert published["group"] == "publish"
    assert {"marts/fct_target_status", "marts/dim_release"} <= set(published["deps"])
    assert assets["raw/nato__defence_expenditure"]["deps"] == ["sources/nato_release_files"]
    writers = [key for key, a in assets.items() if key.split("/")[0] in ("raw", "warehouse")]
    assert all("warehouse_lock" in assets[key]["resources"] for key in writers)
    checks = project_summary["checks (blocking)"]
    for raw in ("raw/nato__defence_expenditure", "raw/sipri__military_expenditure"):
        assert any(k.startswith(f"{raw}:gx_") and blocking for k, blocking in checks.items()), raw
    assert project_summary["schedules"]["daily_refresh"]["cron"] == "0 6 * * *"
