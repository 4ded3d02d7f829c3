"""What a NATO release changed, for people: new years, 2% and 3.5% crossings, revisions, aggregates.

Read from the published marts (``dim_release``, ``fct_defence_expenditure``, ``fct_revisions``,
``agg_alliance_year``), comparing a release with the one before it. Every section says when the two
releases differ in definition or price base, so a redefinition is never read as a revision. The
same report is printed by ``python -m pipeline changes``, written per release to
``data/warehouse/changes/<release_id>.md`` and shown on the release-files asset in the UI.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

TOP_REVISIONS = 10
# Crossings are judged against these targets, read from the targets seed in the warehouse.
TARGET_LABELS = {"wales_2pct_gdp": "2%", "hague_3_5pct_core": "3.5%"}


@dataclass(frozen=True)
class ReleaseChanges:
    """Everything the report says about one release against the release before it."""

    release: dict
    previous: dict | None
    new_years: list[int]
    crossings: pd.DataFrame  # within the release: an ally's newest years crossing a threshold
    revision_crossings: pd.DataFrame  # the same ally-year across a threshold between releases
    largest_revisions: pd.DataFrame
    aggregates: pd.DataFrame

    @property
    def basis_changed(self) -> list[str]:
        """Which of definition and price base differ from the previous release."""
        if self.previous is None:
            return []
        keys = (("defence_definition", "definition"), ("price_base_year", "price base"))
        return [label for key, label in keys if self.release[key] != self.previous[key]]


def release_changes(
    con: duckdb.DuckDBPyConnection, release_id: str | None = None
) -> ReleaseChanges:
    """The changes of ``release_id`` (default: the latest NATO release) against its predecessor."""
    releases = con.sql(
        "select * from marts.dim_release where source = 'nato' order by release_date"
    ).df()
    if releases.empty:
        raise LookupError("the warehouse holds no NATO release")
    if release_id is None:
        release_id = releases.loc[releases["is_latest"], "release_id"].iloc[0]
    if release_id not in set(releases["release_id"]):
        known = ", ".join(releases["release_id"])
        raise LookupError(f"no NATO release {release_id!r}; releases: {known}")
    release = _row(releases, release_id)
    previous = _row(releases, release["previous_release_id"])
    pair = (previous["release_id"] if previous else None, release_id)
    return ReleaseChanges(
        release=release,
        previous=previous,
        new_years=_new_years(con, *pair),
        crossings=_crossings(con, release_id),
        revision_crossings=_revision_crossings(con, *pair),
        largest_revisions=_largest_revisions(con, *pair),
        aggregates=_aggregates(con, *pair),
    )


def _row(releases: pd.DataFrame, release_id) -> dict | None:
    match = releases[releases["release_id"] == release_id]
    return None if match.empty else match.iloc[0].to_dict()


def _new_years(con, previous_id, release_id) -> list[int]:
    rows = con.execute(
        """select distinct year from marts.fct_defence_expenditure
        where release_id = $1 and share_gdp_pct is not null
          and year not in (select year from marts.fct_defence_expenditure
                           where release_id = $2 and share_gdp_pct is not null)
        order by year""",
        [release_id, previous_id],
    ).fetchall()
    return [year for (year,) in rows]


def _crossings(con, release_id) -> pd.DataFrame:
    """Allies whose share crossed 2% or 3.5% from one year to the next in the release's two newest
    years (NULL shares, and Iceland, are never counted)."""
    return con.execute(
        """with figures as (
            select country_code, country_name, year, share_gdp_pct, is_estimate,
                lag(share_gdp_pct) over (partition by country_code order by year) as share_before
            from marts.fct_defence_expenditure
            where release_id = $release_id and has_armed_forces
        ), newest as (
            select * from figures
            where year > (select max(year) - 2 from figures) and share_gdp_pct is not null
              and share_before is not null
        )
        select newest.country_code, country_name, year - 1 as year_from, year as year_to,
            share_before as share_gdp_pct_from, share_gdp_pct as share_gdp_pct_to, label,
            case when share_gdp_pct >= threshold then 'up' else 'down' end as direction
        from newest
        cross join (select unnest($labels) as label, unnest($thresholds) as threshold)
        where (share_before >= threshold) <> (share_gdp_pct >= threshold)
        order by label, year, direction desc, country_code""",
        {"release_id": release_id, **_targets(con)},
    ).df()


def _targets(con) -> dict:
    """The thresholds of ``TARGET_LABELS`` from the seed, as query parameters."""
    rows = con.execute(
        "select target_id, threshold_pct from reference.alliance_targets "
        "where list_contains($ids, target_id) order by threshold_pct",
        {"ids": list(TARGET_LABELS)},
    ).fetchall()
    return {
        "labels": [TARGET_LABELS[target_id] for target_id, _ in rows],
        "thresholds": [threshold for _, threshold in rows],
    }


def _revision_crossings(con, previous_id, release_id) -> pd.DataFrame:
    return con.execute(
        """select revisions.country_code, revisions.year, share_gdp_pct_from, share_gdp_pct_to,
            label, case when share_gdp_pct_to >= threshold then 'up' else 'down' end as direction,
            revision_kind
        from marts.fct_revisions as revisions
        cross join (select unnest($labels) as label, unnest($thresholds) as threshold)
        where release_id_from = $previous_id and release_id_to = $release_id
          and (share_gdp_pct_from >= threshold) <> (share_gdp_pct_to >= threshold)
        order by label, year, country_code""",
        {"previous_id": previous_id, "release_id": release_id, **_targets(con)},
    ).df()


def _largest_revisions(con, previous_id, release_id) -> pd.DataFrame:
    return con.execute(
        """select country_code, year, share_gdp_pct_from, share_gdp_pct_to, revision_pp,
            revision_kind, was_estimate_from
        from marts.fct_revisions
        where release_id_from = $1 and release_id_to = $2
        order by abs(revision_pp) desc, country_code, year
        limit $3""",
        [previous_id, release_id, TOP_REVISIONS],
    ).df()


def _aggregates(con, previous_id, release_id) -> pd.DataFrame:
    """Each aggregate's published share in the release beside the previous release's, by year."""
    return con.execute(
        """select aggregate_name, year,
            max(share_gdp_pct_published) filter (where release_id = $1) as share_gdp_pct_before,
            max(share_gdp_pct_published) filter (where release_id = $2) as share_gdp_pct_now,
            max(allies_meeting_2pct) filter (where release_id = $2) as allies_meeting_2pct,
            max(allies_with_data) filter (where release_id = $2) as allies_with_data
        from marts.agg_alliance_year
        where release_id in ($1, $2)
        group by aggregate_name, year
        having max(share_gdp_pct_published) filter (where release_id = $2) is not null
        order by aggregate_name, year""",
        [previous_id, release_id],
    ).df()
