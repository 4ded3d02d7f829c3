"""Units of work the harness times, each run in a fresh process (python -m benchmarks.tasks X).

Each task prints the seconds its own work took (after imports) and the clock time its work ended,
so the harness can report the process's wall time, the work inside it, and the wall time to the
end of the work (without the interpreter's exit). A task ends through the interpreter's normal
exit, as the pipeline's commands do.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import duckdb
import pandas as pd


def parse_nato() -> None:
    from pipeline.sources.load import load_source

    load_source(_raw() / "nato")


def parse_sipri() -> None:
    from pipeline.sources.load import load_source

    load_source(_raw() / "sipri")


def gx_all() -> None:
    """Every GX suite the job runs, on the frames of an already built warehouse."""
    from pipeline import paths
    from pipeline.quality.imf_weo_suite import validate_weo_frame
    from pipeline.quality.nato_suite import validate_nato_frame
    from pipeline.quality.relation_suites import SUITES
    from pipeline.quality.sipri_suite import validate_sipri_frame
    from pipeline.warehouse.build import read_table

    db = paths.build_db()
    validate_nato_frame(read_table(db, "raw", "nato__defence_expenditure"))
    validate_sipri_frame(read_table(db, "raw", "sipri__military_expenditure"))
    validate_weo_frame(read_table(db, "raw", "imf_weo__gdp"))
    for suite in SUITES:
        suite.validate(read_table(db, *suite.relation.split(".")))


def publish() -> None:
    from pipeline import paths
    from pipeline.warehouse.publish import publish as do_publish

    do_publish(paths.build_db(), paths.warehouse_dir() / "bench_published.duckdb")


def floor_dagster() -> None:
    """One trivial Dagster asset, executed in-process like the pipeline's job."""
    import dagster as dg

    @dg.asset
    def one() -> int:
        return 1

    dg.materialize([one], instance=dg.DagsterInstance.ephemeral())


def floor_gx() -> None:
    """One GX expectation on a tiny frame, the way the pipeline validates."""
    from pipeline.quality.runner import run_suite

    frame = pd.DataFrame({"x": [1, 2, 3]})
    run_suite("floor", frame, lambda e: [e.ExpectColumnValuesToNotBeNull(column="x")])


def scale_load(vintages: int, sipri_editions: int) -> None:
    """Write a build warehouse holding ``vintages`` copies of NATO's real 2024 release and
    ``sipri_editions`` copies of SIPRI's 2025 edition, each as its own release, beside the IMF's
    real WEO release as it is (the spending-path models read it).

    Copies are made inside DuckDB, one ``insert ... select`` per copy from the one parsed release,
    so Python holds a single release whatever ``vintages`` is (measured before: 1.87 GB peak at
    1000 vintages when the copies were concatenated in pandas).
    """
    from pipeline import paths
    from pipeline.defs.sources import release_row
    from pipeline.sources.load import load_source

    nato, _, nato_releases = load_source(_raw() / "nato")
    sipri, _, sipri_releases = load_source(_raw() / "sipri")
    weo, _, weo_releases = load_source(_raw() / "imf_weo")
    base = {r.release_id: release_row(r) for r in (*nato_releases, *sipri_releases)}
    db = paths.build_db()
    db.parent.mkdir(parents=True, exist_ok=True)
    db.unlink(missing_ok=True)
    with duckdb.connect(str(db)) as con:
        con.execute("create schema raw")
        rows = _copies(
            con,
            nato[nato["release_id"] == "nato_2024-06-17"],
            "raw.nato__defence_expenditure",
            base["nato_2024-06-17"],
            "nato",
            vintages,
        )
        rows += _copies(
            con,
            sipri[sipri["release_id"] == "sipri_2025-04-28"],
            "raw.sipri__military_expenditure",
            base["sipri_2025-04-28"],
            "sipri",
            sipri_editions,
        )
        con.from_df(weo).create("raw.imf_weo__gdp")
        rows += [release_row(r) for r in weo_releases]
        releases = pd.DataFrame(rows)
        releases["release_date"] = pd.to_datetime(releases["release_date"]).dt.date
        con.from_df(releases).create("raw.source_releases")


def _copies(con, frame: pd.DataFrame, table: str, row: dict, source: str, n: int) -> list[dict]:
    """Insert ``n`` copies of one release's frame into ``table`` (each a release of its own);
    return their provenance rows."""
    con.register("one_release", frame)
    con.table("one_release").limit(0).create(table)
    rows = []
    for i in range(n):
        release_id = f"{source}_synthetic_{i:04d}"
        copy = "select * replace ($id as release_id) from one_release"
        con.sql(copy, params={"id": release_id}).insert_into(table)
        date = pd.Timestamp("2000-01-01") + pd.Timedelta(days=i)
        rows.append({**row, "release_id": release_id, "release_date": date})
    con.unregister("one_release")
    return rows


def _raw() -> Path:
    from pipeline import paths

    return paths.raw_dir()


TASKS = {
    "parse_nato": parse_nato,
    "parse_sipri": parse_sipri,
    "gx_all": gx_all,
    "publish": publish,
    "floor_dagster": floor_dagster,
    "floor_gx": floor_gx,
}

if __name__ == "__main__":
    name, *args = sys.argv[1:]
    started = time.perf_counter()
    if name == "scale_load":
        scale_load(int(args[0]), int(args[1]))
    else:
        TASKS[name]()
    print(f"work_seconds={time.perf_counter() - started:.3f}", flush=True)
    print(f"work_done_at={time.time():.3f}", flush=True)  # the harness times the exit apart
