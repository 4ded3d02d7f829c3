"""``defence-dbt``: dbt Core's own command line, loaded with the garbage collector paused.

dagster-dbt runs dbt as a subprocess (``dbt build`` streaming its events as JSON lines). Loading
dbt Core makes a million long-lived objects that every full collection then walks: 0.8 s of a
``dbt build`` of this project went to collections, 0.35 s with the loaded objects frozen
(pipeline/gc_pause.py), measured. This entry point does exactly what the ``dbt`` script does,
``dbt.cli.main.cli()``, after that; the project's dbt resource runs it (``DBT_EXECUTABLE``), and
the installed ``dbt`` script stays as it is for anyone's own use.
"""

from __future__ import annotations

from pipeline import gc_pause

SCRIPT_NAME = "defence-dbt"  # as pyproject.toml's [project.scripts] installs it


def main() -> None:
    with gc_pause.paused_while_loading():
        from dbt.cli.main import cli

        gc_pause.resume_after_loading()
    cli()
