"""Publishers' terms travel with an export: README.md in the folder, SIPRI's rule on the terminal.

The CLI tests use a small stand-in published warehouse (a few rows per mart), not a pipeline run.
"""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from pipeline import paths
from pipeline.acquire.terms import SIPRI_MARTS, export_readme, exported_sipri_marts, sipri_notice
from pipeline.cli import main as cli
from pipeline.warehouse.build import write_table
from tests.local_http import SIPRI_2026_SIDECAR

SIPRI_SIDECAR = SIPRI_2026_SIDECAR
NATO_CITATION = (
    "NATO, Defence Expenditure of NATO Countries (2014-2024), press release, 17 June 2024."
)
SIPRI_CITATION = "SIPRI Military Expenditure Database 2026, https://www.sipri.org/databases/milex"
RELEASES = [
    {
        "source": "sipri",
        "release_id": "sipri_2026-04-27",
        "title": "SIPRI Military Expenditure Database (April 2026 edition, v1.2)",
        "citation": SIPRI_CITATION,
        "licence": "quoted SIPRI terms\n  over two lines",
    },
    {
        "source": "nato",
        "release_id": "nato_2024-06-17",
        "title": "Defence Expenditure of NATO Countries (2014-2024)",
        "citation": NATO_CITATION,
        "licence": "NATO public release; reuse with attribution to NATO",
    },
    {"source": "nato", "release_id": "nato_2019-06-25", "title": "old", "citation": None},
]


def test_readme_names_every_source_citation_licence_and_the_10_percent_rule():
    files = ["fct_target_status.csv", "fct_sipri_expenditure.csv", "fct_sipri_expenditure.parquet"]
    text = export_readme(RELEASES, files, "2026-11-28T00:00:00+00:00")
    assert text.startswith("# Defence-spending warehouse: export")
    assert text.index("### NATO") < text.index("### SIPRI")
    assert f"  - Citation: {NATO_CITATION}" in text
    assert f"  - Citation: {SIPRI_CITATION}" in text
    assert "  - Licence: quoted SIPRI terms over two lines" in text  # one line in Markdown
    assert "- `nato_2019-06-25`: old\n  - Citation: not recorded\n  - Licence: not recorded" in text
    assert "## SIPRI's 10% rule" in text
    assert "no more than 10% of the entire dataset is reproduced: 3,500 units" in text
    assert "This export's SIPRI files (fct_sipri_expenditure)" in text
    assert "`fct_target_status.csv`" in text


def test_sipri_marts_are_recognised_by_file_name():
    names = ["x/fct_nato_vs_sipri.csv", "fct_sipri_expenditure.parquet", "fct_revisions.csv"]
    assert exported_sipri_marts(names) == list(SIPRI_MARTS)
    assert exported_sipri_marts(["fct_revisions.csv", "README.md"]) == []
    assert "(none)" in sipri_notice([])


@pytest.fixture
def published(tmp_path, monkeypatch):
    """A stand-in published warehouse: dim_release without a licence column, a NATO mart and,
    unless a test drops it, a SIPRI mart; the sidecars come from a temporary raw folder."""
    warehouse, raw = tmp_path / "warehouse", tmp_path / "raw"
    monkeypatch.setenv("DEFENCE_WAREHOUSE_DIR", str(warehouse))
    monkeypatch.setenv("DEFENCE_RAW_DIR", str(raw))
    (raw / "sipri" / "2026-04-27").mkdir(parents=True)
    shutil.copyfile(SIPRI_SIDECAR, raw / "sipri" / "2026-04-27" / SIPRI_SIDECAR.name)
    db = paths.published_db()
    releases = pd.DataFrame(
        {
            "release_id": ["nato_2024-06-17", "sipri_2026-04-27"],
            "source": ["nato", "sipri"],
            "title": ["Defence Expenditure of NATO Countries (2014-2024)", "SIPRI 2026"],
            "citation": [NATO_CITATION, None],
        }
    )
    write_table(db, "marts", "dim_release", releases)
    write_table(db, "marts", "fct_target_status", pd.DataFrame({"country_code": ["POL"]}))
    sipri = pd.DataFrame({"country_code": ["POL"], "year": [2025], "share_gdp_pct": [4.5]})
    write_table(db, "marts", "fct_sipri_expenditure", sipri)
    return db


def test_export_writes_a_readme_and_prints_sipri_terms(published, tmp_path, capsys):
    target = tmp_path / "export"
    assert cli.main(["export", "--to", str(target)]) == 0
    out = capsys.readouterr().out
    assert "Wrote 7 files" in out
    assert "SIPRI's terms:" in out and "(fct_sipri_expenditure)" in out and "3,500" in out
    readme = (target / "README.md").read_text(encoding="utf-8")
    assert f"Citation: {NATO_CITATION}" in readme
    # Citation and licence the warehouse lacks come from the edition's sidecar, quoted.
    assert f"Citation: {SIPRI_CITATION}" in readme
    assert 'Licence: "The information in this document is the intellectual property of SIPRI.' in (
        readme
    )
    assert "## SIPRI's 10% rule" in readme
    assert not list(target.glob(".*"))  # no temporary file left behind


def test_no_sipri_notice_without_sipri_marts(published, tmp_path, capsys):
    import duckdb

    with duckdb.connect(str(published)) as con:
        con.execute("drop table marts.fct_sipri_expenditure")
    assert cli.main(["export", "--to", str(tmp_path / "export")]) == 0
    assert "SIPRI's terms" not in capsys.readouterr().out
    assert (tmp_path / "export" / "README.md").exists()
