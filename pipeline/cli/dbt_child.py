"""``dbt-in-run``: dbt's own command line, bound to the run that starts it.

dagster-dbt starts dbt as a child process (``DbtCliResource(dbt_executable=...)``, its public
setting). When the run's process is killed outright (``kill -9``, the out-of-memory killer), nothing
in it can stop that child, and dbt went on writing the build warehouse for seconds, while the
next run could already hold the write lock. This entry point asks the kernel to kill it when its
parent dies (Linux ``prctl(PR_SET_PDEATHSIG)``, which survives ``exec``), then replaces itself with
the ``dbt`` installed beside its interpreter: same process, same arguments, same environment.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
from pathlib import Path

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def main() -> None:
    parent = os.getppid()
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
            sys.exit(f"dbt-in-run: prctl failed: {os.strerror(ctypes.get_errno())}")
        if os.getppid() != parent:  # the run died before the request took effect
            sys.exit("dbt-in-run: the run that started dbt is gone")
    dbt = Path(sys.executable).parent / "dbt"
    os.execv(dbt, [str(dbt), *sys.argv[1:]])


if __name__ == "__main__":
    main()
