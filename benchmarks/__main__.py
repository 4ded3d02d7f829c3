"""``python -m benchmarks``: time a run's parts on the real data against the stack's own floor.

Every figure is the median of ``--repeat`` fresh processes, beside the same measurement of a
minimal job (one Dagster asset, a one-model dbt build, one GX expectation) taken in the same
invocation, so results read as ratios rather than machine-dependent seconds. Peak RSS is the
measured process's own (``wait4``); dbt runs as its own process and is measured in its own row.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pipeline import paths
from pipeline.defs.dbt_project import prepare_manifest

ROOT = paths.PROJECT_ROOT
FLOOR_DBT = ROOT / "benchmarks" / "floor_dbt"
DBT_STEP_LINE = re.compile(r"ok\s+dbt_models \(([\d.]+) s\)")


def measure(command: list[str], env: dict, cwd: Path = ROOT) -> dict:
    """Run ``command`` once: wall seconds, peak RSS (MB), and the work seconds it reports."""
    with tempfile.TemporaryFile("w+") as out:
        started_at = time.time()
        started = time.perf_counter()
        proc = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read()
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{text[-3000:]}")
    work = [line.split("=")[1] for line in text.splitlines() if line.startswith("work_seconds=")]
    done = [line.split("=")[1] for line in text.splitlines() if line.startswith("work_done_at=")]
    dbt_step = DBT_STEP_LINE.findall(text)  # a pipeline run's own progress line for the dbt step
    return {
        "wall_s": wall,
        "rss_mb": usage.ru_maxrss / 1024,
        "work_s": float(work[-1]) if work else None,
        # From the start to the end of the work, without the interpreter's exit: how the floor
        # was measured until 6 Dec 2026 (its tasks ended through os._exit then).
        "to_work_end_s": float(done[-1]) - started_at if done else None,
        "dbt_step_s": float(dbt_step[-1]) if dbt_step else None,
    }


def median_of(runs: list[dict]) -> dict:
    return {
        key: statistics.median(r[key] for r in runs) if runs[0][key] is not None else None
        for key in runs[0]
    }


def repeat(times: int, command, env, cwd=ROOT, before=None) -> dict:
    runs = []
    for _ in range(times):
        if before:
            before()
        runs.append(measure(command, env, cwd))
    return median_of(runs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--vintages",
        default="1,10,100,1000",
        help="NATO vintages for the scale rows (comma-separated)",
    )
    parser.add_argument("--sipri-editions", default="1,10")
    parser.add_argument("--with-tests", action="store_true", help="also time the test suite")
    parser.add_argument(
        "--runs-only",
        action="store_true",
        help="only the floor, the cold run, the run with nothing new and the incremental run",
    )
    parser.add_argument("--json", type=Path, help="write the raw results here too")
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="defence-bench-"))
    base_env = {
        **os.environ,
        "DAGSTER_DISABLE_TELEMETRY": "1",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
    }
    env = {
        **base_env,
        "DEFENCE_WAREHOUSE_DIR": str(work / "warehouse"),
        "DAGSTER_HOME": str(work / "dagster_home"),
    }
    py = [sys.executable]
    task = [*py, "-m", "benchmarks.tasks"]
    dbt = str(paths.dbt_tool())
    results: dict[str, dict] = {}

    def fresh():
        shutil.rmtree(work / "warehouse", ignore_errors=True)
        shutil.rmtree(work / "dagster_home", ignore_errors=True)

    floor_env = {**base_env, "FLOOR_DB": str(work / "floor.duckdb")}
    floors = {
        "floor: one Dagster asset": ([*task, "floor_dagster"], env, ROOT),
        "floor: one-model dbt build": (
            [dbt, "build", "--profiles-dir", ".", "--target-path", str(work / "ft")],
            floor_env,
            FLOOR_DBT,
        ),
        "floor: one GX expectation": ([*task, "floor_gx"], env, ROOT),
    }
    # As after `make setup`: the manifest and dbt's parse state that every cold run's dbt starts
    # from, parsed afresh so that no state another dbt command left there is measured.
    prepare_manifest(force=True)
    # Interleaved: each round measures the floor, then a cold run, so that a slow or a fast spell
    # of the machine weighs on both alike (measured one block after the other, the ratio moved by
    # up to 20% between invocations on this machine).
    rounds: dict[str, list[dict]] = {name: [] for name in [*floors, "cold full run"]}
    for _ in range(args.repeat):
        for name, (command, run_env, cwd) in floors.items():
            rounds[name].append(measure(command, run_env, cwd))
        fresh()
        rounds["cold full run"].append(measure([*py, "-m", "pipeline", "run"], env))
    results.update({name: median_of(rounds[name]) for name in floors})
    results["parse NATO releases (5 releases, 11 files)"] = repeat(
        args.repeat, [*task, "parse_nato"], env
    )
    results["parse SIPRI editions (3 workbooks)"] = repeat(args.repeat, [*task, "parse_sipri"], env)
    results["cold full run"] = median_of(rounds["cold full run"])
    results["second run, nothing new"] = repeat(args.repeat, [*py, "-m", "pipeline", "run"], env)
    results["incremental run (one NATO release changed)"] = _incremental(args.repeat, py, env, work)
    if args.runs_only:
        print(render(results))
        if args.json:
            args.json.write_text(json.dumps(results, indent=2))
        shutil.rmtree(work, ignore_errors=True)
        return 0
    build_env = env  # dbt's profile reads DEFENCE_WAREHOUSE_DIR, as the pipeline does
    dbt_args = [dbt, "build", "--profiles-dir", ".", "--target-path", str(work / "dt")]
    results["dbt build (all models and tests)"] = repeat(
        args.repeat, dbt_args, build_env, paths.DBT_PROJECT_DIR
    )
    results["GX validations (all suites)"] = repeat(args.repeat, [*task, "gx_all"], env)
    results["publish"] = repeat(args.repeat, [*task, "publish"], env)
    if args.with_tests:
        results["test suite (pytest)"] = measure([*py, "-m", "pytest", "-q"], base_env)

    scale_env = {**base_env, "DEFENCE_WAREHOUSE_DIR": str(work / "scale")}
    scale_dbt = scale_env
    shapes = [(int(n), 1) for n in args.vintages.split(",")]
    shapes += [(1, int(m)) for m in args.sipri_editions.split(",") if int(m) > 1]
    for vintages, editions in shapes:
        load = measure([*task, "scale_load", str(vintages), str(editions)], scale_env)
        build = measure(dbt_args, scale_dbt, paths.DBT_PROJECT_DIR)
        results[f"scale: {vintages} NATO vintages x {editions} SIPRI editions, dbt build"] = {
            **build,
            "load_s": load["wall_s"],
            "load_rss_mb": load["rss_mb"],
        }

    print(render(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    shutil.rmtree(work, ignore_errors=True)
    return 0


def _incremental(times: int, py: list[str], env: dict, work: Path) -> dict:
    """A run after NATO's newest release changed (here: is withdrawn), on the warehouse the cold
    run left: NATO is parsed and gated again, SIPRI's validated raw table is reused, dbt rebuilds.
    Each repetition starts from the same saved warehouse."""
    raw = work / "raw-one-nato-release-changed"
    shutil.copytree(paths.raw_dir(), raw, ignore=shutil.ignore_patterns(".*"))
    newest = sorted((raw / "nato").iterdir())[-1]
    shutil.rmtree(newest)
    saved = work / "warehouse-after-cold-run"
    shutil.copytree(work / "warehouse", saved)

    def restore():
        shutil.rmtree(work / "warehouse", ignore_errors=True)
        shutil.copytree(saved, work / "warehouse")

    result = repeat(
        times, [*py, "-m", "pipeline", "run"], {**env, "DEFENCE_RAW_DIR": str(raw)}, before=restore
    )
    restore()
    return result


def floor_seconds(result: dict) -> float:
    """A floor's time: from its start to the end of its work, as every earlier reading measured
    it (the Dagster and GX floors' tasks skipped the interpreter's exit then); dbt's floor, a
    command of its own, whole."""
    return result["to_work_end_s"] if result.get("to_work_end_s") is not None else result["wall_s"]


def render(results: dict[str, dict]) -> str:
    floors = {
        "dagster": results["floor: one Dagster asset"],
        "dbt": results["floor: one-model dbt build"],
        "gx": results["floor: one GX expectation"],
    }
    floor = {name: floor_seconds(r) for name, r in floors.items()}
    floor_run = sum(floor.values())
    # The same floors counting their exit too, as a pipeline command's wall time does.
    floor_run_with_exit = sum(r["wall_s"] for r in floors.values())
    against = {
        "cold full run": ("floor sum", floor_run),
        "second run, nothing new": ("floor sum", floor_run),
        "incremental run (one NATO release changed)": ("floor sum", floor_run),
        "dbt build (all models and tests)": ("one-model dbt", floor["dbt"]),
        "GX validations (all suites)": ("one GX expectation", floor["gx"]),
        "publish": ("one Dagster asset", floor["dagster"]),
        "parse NATO releases (5 releases, 11 files)": ("one Dagster asset", floor["dagster"]),
        "parse SIPRI editions (3 workbooks)": ("one Dagster asset", floor["dagster"]),
    }
    base_scale = next(
        (v["wall_s"] for k, v in results.items() if k.startswith("scale: 1 NATO")), None
    )
    lines = [
        "| measurement | wall s (median) | work s | peak RSS MB | floor | ratio |",
        "|---|---|---|---|---|---|",
        f"| floor sum, to the end of the work ({floor_run:.2f} s); with the exit "
        f"| {floor_run_with_exit:.2f} |  |  |  |  |",
    ]
    scale_lines = [
        "",
        "| scale | load s | load peak RSS MB | dbt build s | dbt peak RSS MB | vs 1 vintage |",
        "|---|---|---|---|---|---|",
    ]
    for name, r in results.items():
        if name.startswith("scale:") and base_scale:
            scale_lines.append(
                f"| {name.removeprefix('scale: ').removesuffix(', dbt build')} | {r['load_s']:.1f} "
                f"| {r['load_rss_mb']:.0f} | {r['wall_s']:.2f} | {r['rss_mb']:.0f} "
                f"| {r['wall_s'] / base_scale:.2f}x |"
            )
            continue
        floor_name, floor_s = against.get(name, ("", None))
        ratio = f"{r['wall_s'] / floor_s:.2f}x" if floor_s else ""
        work = f"{r['work_s']:.2f}" if r.get("work_s") is not None else ""
        if name.startswith("floor:") and r.get("to_work_end_s") is not None:
            work += f" (work ended at {r['to_work_end_s']:.2f} s)"
        lines.append(
            f"| {name} | {r['wall_s']:.2f} | {work} | {r['rss_mb']:.0f} | {floor_name} | {ratio} |"
        )
        if floor_name == "floor sum":
            lines.append(
                f"| {name}, against the floors with their exit |  |  |  | "
                f"| {r['wall_s'] / floor_run_with_exit:.2f}x |"
            )
        if r.get("dbt_step_s") is not None and name in against:
            beyond = r["wall_s"] - r["dbt_step_s"]
            lines.append(
                f"| {name}, beyond its dbt step ({r['dbt_step_s']:.2f} s) | {beyond:.2f} |  |  "
                f"| floor sum | {beyond / floor_run:.2f}x |"
            )
    return "\n".join(lines + (scale_lines if len(scale_lines) > 3 else []))


if __name__ == "__main__":
    sys.exit(main())
