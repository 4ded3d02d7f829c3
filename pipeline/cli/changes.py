"""The "what changed" report on the terminal: ``python -m pipeline changes`` and the lines a run
prints when it loaded a NATO release the published warehouse did not have yet."""

from __future__ import annotations

import sys

from pipeline import paths


def published_nato_releases() -> set[str]:
    """NATO release ids in the published warehouse (empty when there is none yet)."""
    import duckdb

    if not paths.published_db().exists():
        return set()
    try:
        with duckdb.connect(str(paths.published_db()), read_only=True) as con:
            rows = con.sql("select release_id from marts.dim_release where source = 'nato'")
            return {release_id for (release_id,) in rows.fetchall()}
    except duckdb.Error:
        return set()


def print_new_release(releases_before: set[str]) -> None:
    """After a run that loaded a NATO release the warehouse did not have, say what it changed."""
    import duckdb

    from pipeline.reports.changes import release_changes
    from pipeline.reports.changes_markdown import headline

    if not releases_before or not (published_nato_releases() - releases_before):
        return
    with duckdb.connect(str(paths.published_db()), read_only=True) as con:
        changes = release_changes(con)
    if changes.release["release_id"] in releases_before:
        return
    for line in headline(changes):
        print(line, file=sys.stderr)
    report = paths.warehouse_dir() / "changes" / f"{changes.release['release_id']}.md"
    print(f"  full report: {report} (or `python -m pipeline changes`)", file=sys.stderr)


def changes_command(release_id: str | None) -> int:
    """Print what a NATO release changed, as Markdown, from the published warehouse."""
    import duckdb

    from pipeline.cli.commands import published_warehouse
    from pipeline.reports.changes import release_changes
    from pipeline.reports.changes_markdown import render

    target = published_warehouse()
    if target is None:
        return 2
    with duckdb.connect(str(target), read_only=True) as con:
        try:
            print(render(release_changes(con, release_id)), end="")
        except LookupError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    return 0
