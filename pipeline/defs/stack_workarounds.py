"""The project's only uses of private members of its stack, each for a need with no public way.

Everything else uses the public APIs of Dagster, dagster-dbt, dbt and GX. Each use here is pinned
by ``requirements.lock`` and checked by ``tests/test_stack_workarounds.py``, which fails loudly when
an upgrade renames or removes the member, so the upgrade is done knowingly.

dagster-dbt's ``DbtCliResource`` (0.29.27), on every run:

- **runs ``dbt --version``** in a subprocess to tell dbt Core from the Fusion engine
  (``_cli_version``). That command imports all of dbt (about 1.3-1.8 s here) and then asks PyPI
  for the latest dbt-core release over the network, from every run and every test run; the
  project's tests must not touch the network. There is no setting to give the resource the version
  or skip the probe. Here dbt is the pinned dbt-core of dbt's own environment
  (:data:`pipeline.paths.DBT_ENV_DIR`), so its version is read from that environment's package
  metadata.
- **loads dbt's adapter in the Dagster process** (``_initialize_dbt_core_adapter``: dbt's config,
  the DuckDB adapter and its macros) before starting dbt, only so that ``.fetch_row_counts()`` and
  ``.fetch_column_metadata()`` can work; this project calls neither (its row counts come from the
  publish step). dbt Core is not installed beside Dagster, so the attempt would fail on every run
  and log a warning with its traceback. There is no setting to leave it out.
"""

from __future__ import annotations

import functools
import importlib.metadata
import sysconfig

from dagster_dbt import DbtCliResource
from packaging.version import Version

from pipeline.paths import DBT_ENV_DIR

OVERRIDDEN = ("_cli_version", "_initialize_dbt_core_adapter")  # checked by the tests


class ProjectDbtCliResource(DbtCliResource):
    """dagster-dbt's dbt CLI resource without the version probe and the in-process adapter."""

    @property
    def _cli_version(self) -> Version:
        return dbt_core_version()

    def _initialize_dbt_core_adapter(self, args):  # noqa: ARG002 - dagster-dbt's signature
        return None


@functools.cache
def dbt_core_version() -> Version:
    """The version of dbt-core installed in dbt's environment, from its package metadata (read
    once per process: dagster-dbt asks for it several times per dbt command)."""
    site_packages = sysconfig.get_path("purelib", vars={"base": str(DBT_ENV_DIR)})
    found = list(importlib.metadata.distributions(name="dbt-core", path=[site_packages]))
    if not found:
        raise FileNotFoundError(
            f"dbt-core is not installed in dbt's environment ({DBT_ENV_DIR}): run `make setup`"
        )
    return Version(found[0].version)
