"""Plausibility bounds used by more than one suite, each declared once."""

from __future__ import annotations

# A NATO ally's defence spending as a share of GDP: no ally has printed below 0.1% or above 10%
# since 2014 (Iceland, the one ally below, has no share at all). A share outside is a unit or
# parsing error (a fraction stored as 0.0212, a money figure in the share column).
NATO_SHARE_GDP_PCT = (0.1, 10.0)
# A percentage of a whole.
PCT = (0.0, 100.0)
# Above zero, no upper bound (money, GDP).
POSITIVE = (0.0, None)
