"""``dbt-in-run``: dbt's own command line, bound to the run that starts it.

dagster-dbt starts dbt as a child process (``DbtCliResource(dbt_executable=...)``, its public
setting). When the run's process is killed outright (``kill -9``, the out-of-memory killer), nothing
in it can stop that child, and dbt went on writing the build warehouse for seconds, while the
next run could already hold the write lock. This entry point asks the kernel to kill it when its
parent dies (:func:`pipeline.children.die_with_parent`, which survives ``exec``), then replaces
itself with the ``dbt`` of dbt's own environment (:data:`pipeline.paths.DBT_ENV_DIR`): same
process, same arguments, same environment variables.
"""

from __future__ import annotations

import os
import sys

from pipeline.children import ParentGone, die_with_parent
from pipeline.paths import DBT_ENV_DIR, dbt_tool


def main() -> None:
    try:
        die_with_parent()
    except (OSError, ParentGone) as exc:
        sys.exit(f"dbt-in-run: {exc}")
    dbt = dbt_tool()
    if not dbt.exists():
        sys.exit(f"dbt-in-run: dbt's environment is not set up ({DBT_ENV_DIR}): run `make setup`")
    os.execv(dbt, [str(dbt), *sys.argv[1:]])


if __name__ == "__main__":
    main()
