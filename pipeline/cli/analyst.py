"""Analyst commands on the published warehouse: status, export, data dictionary.

Every function opens ``defence.duckdb`` read-only; none builds SQL from user input.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb
import pandas as pd

from pipeline import paths
from pipeline.acquire.terms import export_readme
from pipeline.provenance import SIDECAR_SUFFIX, ProvenanceError, read_sidecar
from pipeline.warehouse.build import count_rows, qualified_name


def connect_published() -> duckdb.DuckDBPyConnection:
    """A read-only connection to the published warehouse (FileNotFoundError if not built)."""
    target = paths.published_db()
    if not target.exists():
        raise FileNotFoundError(f"{target} not found; run `python -m pipeline run` first")
    return duckdb.connect(str(target), read_only=True)


def mart_names(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute(
        "select table_name from information_schema.tables where table_schema = ? "
        "order by table_name",
        ["marts"],
    ).fetchall()
    return [r[0] for r in rows]


def unavailable_releases(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The releases the published warehouse lists but holds no figures of: their files are kept
    out of git by their publisher's terms and could not be fetched (``dim_release.is_available``).
    A warehouse published before that column existed has none."""
    columns = {c[0] for c in con.execute("describe marts.dim_release").fetchall()}
    if "is_available" not in columns:
        return []
    rows = con.execute(
        "select release_id from marts.dim_release where not is_available order by release_id"
    ).fetchall()
    return [r[0] for r in rows]


def unavailable_note(release_ids: list[str]) -> str | None:
    """One sentence on the releases missing from the warehouse and how to get them, or None."""
    if not release_ids:
        return None
    return (
        f"Not in this warehouse: {', '.join(release_ids)} (their files are kept out of git by "
        "their publisher's terms and could not be fetched; marts.dim_release.unavailable_reason "
        "says what was tried: set DEFENCE_MIRROR to a folder or URL holding them, then run "
        "`python -m pipeline run`)"
    )


def status() -> dict:
    """Where the warehouse is, the latest release per source, the releases it lacks, row counts,
    the last run."""
    target = paths.published_db()
    with connect_published() as con:
        releases = con.execute(
            "select source, release_id, title, release_date from marts.dim_release "
            "where is_latest order by source"
        ).fetchall()
        counts = {name: count_rows(con, "marts", name) for name in mart_names(con)}
        missing = unavailable_releases(con)
    return {
        "warehouse": str(target),
        "bytes": target.stat().st_size,
        "latest_releases": [
            {"source": s, "release_id": r, "title": t, "release_date": str(d)}
            for s, r, t, d in releases
        ],
        "unavailable_releases": missing,
        "rows": counts,
        "last_run": last_run(),
    }


def last_run() -> dict | None:
    """The newest run of the refresh job in the Dagster instance, with its check results."""
    home = paths.dagster_home()
    if not (home / "dagster.yaml").exists():
        return None
    import dagster as dg

    from pipeline.defs import REFRESH_JOB
    from pipeline.defs.failures import tally_checks

    with dg.DagsterInstance.from_config(str(home)) as instance:
        runs = instance.get_runs(filters=dg.RunsFilter(job_name=REFRESH_JOB), limit=1)
        if not runs:
            return None
        run = runs[0]
        records = instance.get_records_for_run(
            run.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION
        ).records
        checks = tally_checks(r.event_log_entry.dagster_event.event_specific_data for r in records)
        failed = dg.DagsterRunStatus.FAILURE
        stats = instance.get_run_stats(run.run_id)
        return {
            "run_id": run.run_id,
            "status": run.status.value,
            "started": stats.start_time,
            "ended": stats.end_time,
            "checks_passed": checks.passed,
            "checks_failed": checks.failed,
            "checks_warned": checks.warned,
            "error": _run_error(instance, run) if run.status == failed else None,
        }


def _run_error(instance, run) -> str:
    """What made ``run`` fail, worded as the run's own summary words it (its first failed step,
    the project's message first), so ``status`` never reads as a clean run."""
    import dagster as dg

    from pipeline.defs.failures import first_error

    failures = {dg.DagsterEventType.STEP_FAILURE, dg.DagsterEventType.RUN_FAILURE}
    events = [e.dagster_event for e in instance.all_logs(run.run_id, of_type=failures)]
    return first_error(e for e in events if e is not None) or "the run failed"


def export(target_dir: Path) -> list[Path]:
    """Write every mart to ``<target>/<mart>.csv`` and ``.parquet``, and a ``README.md`` with every
    source's citation and licence and SIPRI's 10% rule (:mod:`pipeline.acquire.terms`); returns the
    files written."""
    target_dir.mkdir(parents=True, exist_ok=True)
    written = []
    with connect_published() as con:
        releases = _release_terms(con)
        for name in mart_names(con):
            relation = con.table(qualified_name("marts", name))
            for suffix in ("csv", "parquet"):
                path = target_dir / f"{name}.{suffix}"
                temp = path.with_name(f".{path.name}.tmp")
                if suffix == "csv":
                    relation.write_csv(str(temp))
                else:
                    relation.write_parquet(str(temp))
                temp.replace(path)  # readers of an export never see a half-written file
                written.append(path)
    readme = target_dir / "README.md"
    now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    temp = readme.with_name(f".{readme.name}.tmp")
    temp.write_text(export_readme(releases, [p.name for p in written], now), encoding="utf-8")
    temp.replace(readme)
    return [*written, readme]


def _release_terms(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Each release's source, title, citation and licence, from ``marts.dim_release``; the
    sidecars fill what an older warehouse lacks (or the whole list, without ``dim_release``)."""
    sidecars = {}
    for sidecar in sorted(paths.raw_dir().glob(f"*/*/*{SIDECAR_SUFFIX}")):
        if any(part.startswith(".") for part in sidecar.relative_to(paths.raw_dir()).parts):
            continue
        try:
            meta = read_sidecar(sidecar.with_name(sidecar.name[: -len(SIDECAR_SUFFIX)]))
        except ProvenanceError:
            continue
        sidecars.setdefault(str(meta["release_id"]), meta)
    try:
        rows = con.table(qualified_name("marts", "dim_release")).df().to_dict("records")
    except duckdb.CatalogException:
        rows = [dict(meta) for meta in sidecars.values()]
    for row in rows:
        for field in ("title", "citation", "licence"):
            if row.get(field) is None or pd.isna(row.get(field)):
                row[field] = sidecars.get(str(row["release_id"]), {}).get(field)
    return rows


def _contract_type(column: dict) -> str:
    """A column's type in the mart's enforced dbt contract, with "not null" when it is declared
    never NULL (DuckDB refuses the build otherwise)."""
    constraints = {c.get("type") for c in column.get("constraints") or []}
    return column.get("data_type", "") + (", not null" if "not_null" in constraints else "")


def data_dictionary(manifest_path: Path) -> str:
    """Markdown data dictionary of every mart (grain, columns, types, units, descriptions), from
    dbt: the types and NOT NULL constraints are the marts' enforced contracts."""
    manifest = json.loads(manifest_path.read_text())
    marts = sorted(
        (
            node
            for node in manifest["nodes"].values()
            if node["resource_type"] == "model" and node["fqn"][1] == "marts"
        ),
        key=lambda node: node["name"],
    )
    lines = [
        "# Data dictionary",
        "",
        "Generated from the dbt manifest by `python -m pipeline dictionary`; do not edit by hand.",
        "Every relation is in the schema `marts` of `data/warehouse/defence.duckdb`.",
        "",
    ]
    for node in marts:
        lines += [f"## `marts.{node['name']}`", "", node["description"].strip(), ""]
        rows = [
            {
                "column": f"`{name}`",
                "type": _contract_type(spec),
                "unit": (spec.get("meta") or {}).get("unit", ""),
                "description": spec.get("description", "").replace("\n", " "),
            }
            for name, spec in node["columns"].items()
        ]
        lines += [pd.DataFrame(rows).to_markdown(index=False), ""]
    return "\n".join(lines)
