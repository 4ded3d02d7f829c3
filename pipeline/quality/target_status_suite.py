"""GX suite on ``marts.fct_target_status`` (the spec lives in relation_suites)."""

from __future__ import annotations

import pandas as pd

from pipeline.quality.relation_suites import SUITES
from pipeline.quality.runner import SuiteOutcome

TARGET_STATUS = next(s for s in SUITES if s.relation == "marts.fct_target_status")


def validate_target_status(frame: pd.DataFrame) -> SuiteOutcome:
    """Run the fct_target_status suite on a frame (ephemeral: no data docs)."""
    return TARGET_STATUS.validate(frame)
