"""One direction through the code, and the stack's public APIs only.

- The import-linter contracts in ``pyproject.toml`` (``make lint`` runs them too): each layer
  imports only the layers below it (CLI -> definitions -> Dagster wiring -> reports | quality ->
  warehouse -> acquire -> sources -> provenance | reference -> paths) and no sibling modules
  import each other in a circle. A second test proves the contract breaks on a wrong import.
- No private member of Dagster, dagster-dbt, dbt, GX or CPython is used by the package, and no
  process-global switch of the garbage collector.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

from pipeline import paths

LINT_IMPORTS = str(Path(sys.executable).parent / "lint-imports")
PACKAGE = paths.PROJECT_ROOT / "pipeline"
STACK = ("dagster", "dagster_dbt", "dagster_webserver", "dbt", "great_expectations", "duckdb")
INTERPRETER = ("os", "sys", "threading", "atexit", "gc", "multiprocessing", "concurrent")


def _lint(project: Path, package_parent: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [LINT_IMPORTS, "--config", str(project / "pyproject.toml"), "--no-cache"],
        cwd=package_parent,
        env={"PYTHONPATH": str(package_parent), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_layers_and_no_cycles_contracts_hold():
    done = _lint(paths.PROJECT_ROOT, paths.PROJECT_ROOT)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "Contracts: 2 kept, 0 broken." in done.stdout


def test_library_code_reaching_into_dagster_wiring_breaks_the_contract(tmp_path):
    """What the redesign removed (publish -> dbt manifest -> Dagster wiring) fails the contract."""
    shutil.copytree(PACKAGE, tmp_path / "pipeline", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(paths.PROJECT_ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    publish = tmp_path / "pipeline" / "warehouse" / "publish.py"
    publish.write_text(
        publish.read_text() + "\nfrom pipeline.defs.dbt_project import DBT_PROJECT\n"
    )
    done = _lint(tmp_path, tmp_path)
    assert done.returncode != 0
    assert "pipeline.warehouse.publish -> pipeline.defs.dbt_project" in done.stdout


def test_a_circular_import_between_siblings_breaks_the_contract(tmp_path):
    shutil.copytree(PACKAGE, tmp_path / "pipeline", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(paths.PROJECT_ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    fetch = tmp_path / "pipeline" / "acquire" / "fetch.py"
    fetch.write_text(fetch.read_text() + "\nfrom pipeline.acquire import download\n")
    done = _lint(tmp_path, tmp_path)
    assert done.returncode != 0
    assert "No circular imports between sibling modules BROKEN" in done.stdout


def _private_uses(source: str) -> list[str]:
    """``module._name`` imports and attribute reads of the stack's and the interpreter's modules,
    and the collector switches, in one module's source."""
    tree = ast.parse(source)
    aliases: dict[str, str] = {}  # local name -> top-level module it names
    found = []
    watched = STACK + INTERPRETER
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                top = alias.name.split(".")[0]
                aliases[alias.asname or top] = top
                if top in watched and any(p.startswith("_") for p in alias.name.split(".")):
                    found.append(f"import {alias.name}")
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            parts = node.module.split(".")
            if parts[0] in watched:
                private = [a.name for a in node.names if a.name.startswith("_")]
                if any(p.startswith("_") for p in parts) or private:
                    found.append(
                        f"from {node.module} import {', '.join(a.name for a in node.names)}"
                    )
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            module = aliases.get(node.value.id)
            if module in watched and node.attr.startswith("_") and not node.attr.startswith("__"):
                found.append(f"{node.value.id}.{node.attr}")
            if module == "gc" and node.attr in ("disable", "freeze", "set_threshold"):
                found.append(f"gc.{node.attr}")
    return found


# The one module allowed private members of the stack, each for a need with no public way, each
# checked against the pinned library by tests/test_stack_workarounds.py.
WORKAROUNDS = PACKAGE / "defs" / "stack_workarounds.py"


def test_no_private_members_of_the_stack_or_the_interpreter():
    offenders = {
        str(path.relative_to(paths.PROJECT_ROOT)): uses
        for path in sorted(PACKAGE.rglob("*.py"))
        if path != WORKAROUNDS and (uses := _private_uses(path.read_text(encoding="utf-8")))
    }
    assert offenders == {}


def test_the_workarounds_module_only_overrides_what_it_declares():
    """Overriding a member (``def _cli_version``) is no attribute read: the scan above would not
    see it, so the module's private names are listed here and in its own ``OVERRIDDEN``."""
    from pipeline.defs.stack_workarounds import OVERRIDDEN

    tree = ast.parse(WORKAROUNDS.read_text(encoding="utf-8"))
    defined = {
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef)
        and node.name.startswith("_")
        and not node.name.startswith("__")
    }
    assert defined == set(OVERRIDDEN) == {"_cli_version", "_initialize_dbt_core_adapter"}
    others = [
        path
        for path in PACKAGE.rglob("*.py")
        if path != WORKAROUNDS and "DbtCliResource)" in path.read_text(encoding="utf-8")
    ]
    assert others == []  # no other subclass of the stack's classes overrides its internals


def test_the_private_use_scan_finds_what_the_redesign_removed():
    removed = (
        "import os, threading, atexit, gc\n"
        "from dagster._core.instance.ref import InstanceRef\n"
        "threading._shutdown()\n"
        "atexit._run_exitfuncs()\n"
        "gc.freeze()\n"
        "os._exit(0)\n"
    )
    assert _private_uses(removed) == [
        "from dagster._core.instance.ref import InstanceRef",
        "threading._shutdown",
        "atexit._run_exitfuncs",
        "gc.freeze",
        "os._exit",
    ]
