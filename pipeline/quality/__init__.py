"""Great Expectations (GX 1.x) suites: what must hold of each frame before it moves on.

GX is imported inside functions: importing it costs about 5 s, which the Dagster definitions
should not pay at load time (DESIGN.md §5).
"""
