# Two commands for a newcomer (README "Quick start"): `make run` and `make test`.
# Each sets up .venv (Python 3.11, pinned packages from requirements.lock) when it is missing or
# out of date, then does its job. Override the interpreter with `make run PYTHON=/path/to/python3.11`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# dbt's own environment (pipeline/paths.py DBT_ENV_DIR): the Dagster processes never import dbt.
DBT_ENV := $(VENV)/dbt

export DAGSTER_DISABLE_TELEMETRY := 1
export DBT_SEND_ANONYMOUS_USAGE_STATS := False

# SIPRI's workbooks are not in git (its terms); the pipeline fetches them on first use, verified
# by sha256 (pipeline/acquire/on_demand.py). When DEFENCE_MIRROR is unset and the team's copies sit beside
# the checkout, fetch from there; otherwise leave it unset (the publisher's URL in each sidecar).
SHARED_ORIGINALS := $(abspath $(CURDIR)/../shared/data/original)
ifeq ($(origin DEFENCE_MIRROR),undefined)
ifneq ($(wildcard $(SHARED_ORIGINALS)/.),)
export DEFENCE_MIRROR := $(SHARED_ORIGINALS)
endif
endif

.PHONY: setup run test test-fast lint format ui docs docs-serve bench clean

# Made afresh whenever the pins change (`--clear`): pip adds and upgrades but never removes, and a
# package left behind would change what runs (dbt Core beside Dagster, say; see DBT_ENV above).
$(STAMP): pyproject.toml requirements.lock dbt_project/requirements.txt
	$(PYTHON) -m venv --clear $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -e '.[dev]'
	$(PYTHON) -m venv $(DBT_ENV)
	$(DBT_ENV)/bin/python -m pip install --quiet --disable-pip-version-check -c requirements.lock \
		-r dbt_project/requirements.txt
	touch $(STAMP)

setup: $(STAMP)  ## the venv, then the dbt manifest the definitions load from (when stale)
	$(BIN)/python -m pipeline prepare

run: setup  ## set up, then run the whole pipeline into data/warehouse/defence.duckdb
	$(BIN)/python -m pipeline run

test: setup  ## set up, then run every test (unit, dbt, GX, end-to-end)
	$(BIN)/python -m pytest -n 2 --maxschedchunk 1

test-fast: setup  ## everything but the end-to-end runs and the other slow tests (services, browser)
	$(BIN)/python -m pytest -n 2 --maxschedchunk 1 -m "not e2e and not slow"

lint: setup  ## ruff on the Python, the import contracts (layers, no cycles), sqlfluff on the dbt SQL
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(DBT_ENV)/bin/sqlfluff lint dbt_project/models dbt_project/tests

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

ui: setup  ## Dagster UI on http://127.0.0.1:3000
	$(BIN)/python -m pipeline ui

# dbt through the runs' launcher (pipeline/cli/dbt_child.py), so that the parse state it leaves in
# dbt_project/target/ is still the one every run's dbt can start from.
docs: setup  ## dbt docs (offline) into dbt_project/target, and docs/data_dictionary.md
	cd dbt_project && ../$(BIN)/dbt-in-run docs generate
	$(BIN)/python -m pipeline dictionary

docs-serve: docs  ## dbt docs on http://127.0.0.1:8081
	cd dbt_project && ../$(DBT_ENV)/bin/dbt docs serve --profiles-dir . --host 127.0.0.1 --port 8081 --no-browser

bench: setup  ## benchmarks: medians against the stack's floor (docs/performance.md)
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) .dagster_home dbt_project/target dbt_project/logs data/warehouse/*.duckdb
