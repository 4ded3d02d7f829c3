"""Load one source: verify every release file, parse each with its sidecar's parser, concatenate.

Pure (no Dagster): the raw assets call it, and so do the bad-input tests, so both exercise exactly
the path a scheduled run takes.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from pipeline.provenance import ProvenanceError, Release, find_releases, unavailable_releases
from pipeline.sources.registry import empty_frame, parse
from pipeline.sources.release_checks import check_no_shrinking, check_years


def load_source(
    source_dir: Path, digests: Mapping[Path, str] | None = None
) -> tuple[pd.DataFrame, dict, list[Release]]:
    """All releases at hand under ``source_dir`` as one long frame, with parse stats per release
    file (a release may be several files: NATO's August 2025 edition is one CSV per series).
    ``digests``: the sha256 of files the run hashed already. With no release at hand (every file
    kept out of git and none could be fetched) the frame is empty, with the parser's columns."""
    releases = find_releases(source_dir, digests)
    if not releases:
        return empty_frame(unavailable_releases(source_dir)), {}, []
    frames, stats = [], {}
    for release in releases:
        result = parse(release)
        _check_definition(release, result.stats)
        check_years(release, result.frame)
        frames.append(result.frame)
        stats[f"{release.release_id}/{release.path.name}"] = result.stats
    frame = pd.concat(frames, ignore_index=True)
    check_no_shrinking(releases, frame)
    if "is_estimate" in frame.columns:
        # Derived vintages may leave a year's estimate status unknown (NULL): keep it nullable.
        frame["is_estimate"] = frame["is_estimate"].astype("boolean")
    return frame, stats, releases


def _check_definition(release: Release, stats: dict) -> None:
    """A parser that can read the definition off the file (NATO's table titles say "Core defence
    expenditure" from 2026) must agree with the sidecar: a core-defence workbook recorded as the
    older definition would be compared with older editions without a flag."""
    found, recorded = stats.get("defence_definition"), release.meta.get("defence_definition")
    if found and recorded and found != recorded:
        raise ProvenanceError(
            f"{release.path}: the tables' titles say {found!r} but the sidecar records "
            f"defence_definition {recorded!r} (rule: a release's definition is what it prints)"
        )
