"""Load one source: verify every release file, parse each with its sidecar's parser, concatenate.

Pure (no Dagster): the raw assets call it, and so do the bad-input tests, so both exercise exactly
the path a scheduled run takes.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from pipeline.provenance import Release, find_releases
from pipeline.sources.registry import parse


def load_source(source_dir: Path) -> tuple[pd.DataFrame, dict, list[Release]]:
    """All releases under ``source_dir`` as one long frame, with per-release parse stats."""
    releases = find_releases(source_dir)
    frames, stats = [], {}
    for release in releases:
        result = parse(release)
        frames.append(result.frame)
        stats[release.release_id] = result.stats
    frame = pd.concat(frames, ignore_index=True)
    if "is_estimate" in frame.columns:
        # Derived vintages may leave a year's estimate status unknown (NULL): keep it nullable.
        frame["is_estimate"] = frame["is_estimate"].astype("boolean")
    return frame, stats, releases
