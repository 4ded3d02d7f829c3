"""The analysts' commands: ``sql``, ``shell``, ``status``, ``export`` and ``dictionary``.

Each opens the published warehouse read-only (or writes docs); kept apart from
``pipeline.cli.main``, which runs and serves the pipeline.
"""

from __future__ import annotations

import sys
from pathlib import Path

from pipeline import paths


def published_warehouse() -> Path | None:
    """The published warehouse, or ``None`` after telling the user how to build it."""
    target = paths.published_db()
    if target.exists():
        return target
    print(f"error: {target} not found; run `python -m pipeline run` first", file=sys.stderr)
    return None


FORMATS = ("table", "csv", "json")


def sql(query: str, fmt: str = "table", limit: int | None = None) -> int:
    """Run one query on the published warehouse, read-only, and print the whole answer: every row
    and column as a table (DuckDB's own rendering, never cut), CSV or JSON (an array of objects);
    ``limit`` caps the rows."""
    import duckdb

    target = published_warehouse()
    if target is None:
        return 2
    with duckdb.connect(str(target), read_only=True) as con:
        try:
            relation = con.sql(query)
            if relation is None:  # a statement with no result (not possible read-only but SET)
                return 0
            if limit is not None:
                relation = relation.limit(limit)
            if fmt == "table":
                relation.show(max_rows=2**31 - 1, max_width=2**31 - 1, max_col_width=2**31 - 1)
            else:
                columns, rows = relation.columns, relation.fetchall()
                (_write_csv if fmt == "csv" else _write_json)(columns, rows)
        except duckdb.Error as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
    return 0


def _write_csv(columns: list[str], rows: list[tuple]) -> None:
    import csv

    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(["" if v is None else v for v in row] for row in rows)


def _write_json(columns: list[str], rows: list[tuple]) -> None:
    """An array of objects, one per row; dates as ISO text, NaN and NULL as null."""
    import json
    import math

    def plain(value):
        if isinstance(value, float) and math.isnan(value):
            return None
        return value

    records = [{c: plain(v) for c, v in zip(columns, row, strict=True)} for row in rows]
    json.dump(records, sys.stdout, indent=1, default=str, allow_nan=False)
    sys.stdout.write("\n")


def shell() -> int:
    """The DuckDB CLI (duckdb-cli, same version as the library) on the published file, read-only."""
    import os
    import shutil

    target = published_warehouse()
    if target is None:
        return 2
    local = paths.PROJECT_ROOT / ".venv" / "bin" / "duckdb"
    binary = str(local) if local.exists() else shutil.which("duckdb")
    if binary is None:
        print("error: the duckdb CLI is not installed (pip install duckdb-cli)", file=sys.stderr)
        return 2
    os.execv(binary, [binary, "-readonly", str(target)])
    return 0  # not reached


def status_command(as_json: bool, check: bool = False, max_age_days: float | None = None) -> int:
    import json

    from pipeline.cli.analyst import status, unavailable_note

    if check:
        from pipeline.cli.health import check_command

        return check_command(max_age_days)
    try:
        report = status()
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if as_json:
        print(json.dumps(report, indent=2, default=str))
        return 0
    print(f"Warehouse: {report['warehouse']} ({report['bytes']:,} bytes, opened read-only)")
    for release in report["latest_releases"]:
        print(f"Latest {release['source']}: {release['release_id']} - {release['title']}")
    note = unavailable_note(report["unavailable_releases"])
    if note:
        print(note)
    print("Rows: " + ", ".join(f"{name} {rows:,}" for name, rows in report["rows"].items()))
    run = report["last_run"]
    if run:
        failed = ", ".join(run["checks_failed"]) or "none"
        warned = ", ".join(run["checks_warned"]) or "none"
        print(
            f"Last run: {run['run_id']} {run['status']}; checks passed {run['checks_passed']}, "
            f"failed: {failed}; warnings (caveats, not errors): {warned}"
        )
        if run["error"]:
            print(f"Last run failed: {run['error']}")
    return 0


def export_command(target: str | None) -> int:
    from pipeline.acquire.terms import exported_sipri_marts, sipri_notice
    from pipeline.cli.analyst import export

    folder = paths.PROJECT_ROOT / "data" / "exports" if target is None else Path(target)
    try:
        written = export(folder)
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"Wrote {len(written)} files to {folder} (README.md: sources, citations, licences)")
    sipri = exported_sipri_marts(p.name for p in written)
    if sipri:
        print(sipri_notice(sipri))
    return 0


def dictionary_command(check: bool) -> int:
    from pipeline.cli.analyst import data_dictionary
    from pipeline.defs.dbt_project import DBT_PROJECT, prepare_manifest

    prepare_manifest()
    text = data_dictionary(DBT_PROJECT.manifest_path)
    target = paths.PROJECT_ROOT / "docs" / "data_dictionary.md"
    if check:
        current = target.read_text(encoding="utf-8") if target.exists() else ""
        if current != text:
            print(f"{target} is out of date: run `python -m pipeline dictionary`", file=sys.stderr)
            return 1
        return 0
    target.write_text(text, encoding="utf-8")
    print(f"Wrote {target}")
    return 0


def refuse_command(release_id: str, reason: str) -> int:
    """Set a refused release aside with the reason (docs/deploy.md, "A refused edition")."""
    from pipeline.acquire.refused import refuse
    from pipeline.provenance import ProvenanceError
    from pipeline.warehouse.lock import WarehouseBusyError, write_lock

    try:
        with write_lock(paths.warehouse_dir()):
            refusal = refuse(release_id, reason)
    except (ProvenanceError, ValueError, WarehouseBusyError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(
        f"Refused {release_id}: moved to {refusal.folder} with its reason; discovery will not "
        f"fetch it again. `python -m pipeline retry {release_id}` loads it again."
    )
    return 0


def retry_command(release_id: str) -> int:
    """Move a refused release back into data/raw; the next run (or the sensor) loads it."""
    from pipeline.acquire.refused import retry
    from pipeline.provenance import ProvenanceError
    from pipeline.warehouse.lock import WarehouseBusyError, write_lock

    try:
        with write_lock(paths.warehouse_dir()):
            folder = retry(release_id)
    except (ProvenanceError, WarehouseBusyError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"Back in {folder}: the next run loads it (`python -m pipeline run`, or the sensor).")
    return 0


def refused_command() -> int:
    """List the refused editions with their reasons."""
    from pipeline.acquire.refused import refusals

    found = refusals()
    if not found:
        print("No refused editions.")
    for refusal in found:
        record = refusal.record
        print(
            f"{refusal.release_id}: refused {record.get('refused_at')}: {record.get('reason')} "
            f"({refusal.folder})"
        )
    return 0
