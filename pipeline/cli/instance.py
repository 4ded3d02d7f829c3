"""The Dagster instance used by the CLI, the UI and the production services.

Dagster reads its settings from ``$DAGSTER_HOME/dagster.yaml``. That file belongs to whoever runs
the instance: an operator's storage, run launcher or retention settings are never replaced. The
repo only supplies a default for a home that has none:

- ``dagster.yaml`` (top level): SQLite under ``.dagster_home/``, for a laptop;
- ``deploy/dagster.postgres.yaml``: run, event-log and schedule storage on PostgreSQL, chosen when
  the connection URL is set in ``DEFENCE_DAGSTER_PG_URL`` (docs/deploy.md).

SQLAlchemy 2.1 reads a bare ``postgresql://`` URL as psycopg 3, which is not installed;
dagster-postgres ships psycopg2. :func:`use_psycopg2` names the driver in such a URL.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from pipeline import paths

PG_URL_ENV = "DEFENCE_DAGSTER_PG_URL"
POSTGRES_CONFIG_FILE = paths.PROJECT_ROOT / "deploy" / "dagster.postgres.yaml"


def use_psycopg2() -> None:
    """Rewrite a bare ``postgresql://`` (or ``postgres://``) URL in the environment to
    ``postgresql+psycopg2://``, for this process and the Dagster processes it starts."""
    url = os.environ.get(PG_URL_ENV, "")
    for bare in ("postgresql://", "postgres://"):
        if url.startswith(bare):
            os.environ[PG_URL_ENV] = "postgresql+psycopg2://" + url[len(bare) :]


def default_config() -> Path:
    """The settings a new home starts from: PostgreSQL when its URL is set, else SQLite."""
    return POSTGRES_CONFIG_FILE if os.environ.get(PG_URL_ENV) else paths.DAGSTER_CONFIG_FILE


def prepare_dagster_home() -> Path:
    """Create DAGSTER_HOME (default ``.dagster_home``) and give it a dagster.yaml if it has none.

    An existing ``dagster.yaml`` is left exactly as it is. When ``DEFENCE_DAGSTER_PG_URL`` is set
    but the home's settings never read it, a warning says so: the runs would not go to PostgreSQL.
    """
    use_psycopg2()
    home = paths.dagster_home()
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        shutil.copyfile(default_config(), config)
    elif os.environ.get(PG_URL_ENV) and PG_URL_ENV not in config.read_text(encoding="utf-8"):
        print(
            f"warning: {PG_URL_ENV} is set but {config} does not use it; Dagster keeps the "
            f"storage that file configures (see deploy/dagster.postgres.yaml)",
            file=sys.stderr,
        )
    os.environ["DAGSTER_HOME"] = str(home)
    os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "False")
    return home
