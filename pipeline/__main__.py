"""``python -m pipeline``: see :mod:`pipeline.cli`. Exits without the interpreter's tear-down
(:mod:`pipeline.fast_exit`)."""

from pipeline.cli import main
from pipeline.fast_exit import exit_without_teardown

exit_without_teardown(main())
